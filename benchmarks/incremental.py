"""Adding one report to a large index, against a full rebuild: `python benchmarks/incremental.py`.

Writes a corpus of synthetic reports (benchmarks/synthetic.py's synthesis, as scale.py uses it: sentences of the real corpus
recombined, real district and city names, years 2015-2024) as .txt files with .meta.toml sidecars,
builds it, adds one real report of corpus/ and builds again (incremental), then rebuilds the same
corpus from scratch with --full, and compares what the two indexes answer.

Vectors: the synthetic passages get synthetic vectors (a seeded random unit vector per text), so
100k passages need no hours of embedding on 2 cores; the added real report is embedded by the real
model (ONNX float32) in the incremental build, and the full rebuild reuses vectors of unchanged
passage texts as every build does. Needs the built real index (`make index`, var/index) for the model.
Prints per-stage seconds of each build, what was reused, and how far the answers agree.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from common import ROOT, StageTimer, cpu_description, cpu_seconds, eval_questions, memory_mib  # before index/ (see common.py)
from synthetic import synthesise, write_reports

from index.answer.engine import engine_from
from index.build.builder import STAGES, BuildReport, build_index
from index.text.clean import fold
from index.model.embed import Embedder, load_embedder
from index.ingest.corpus import SETTLED_NS
from index.search.calibration import Calibration
from index.settings import IndexSettings
from index.store.folder import load_index
from index.store.vectors import VectorIndex

ADDED = "004_d360520e85666164.txt"  # the real report added: 栖霞区, about 30 passages


class SyntheticThenReal:
    """Synthetic vectors for the synthetic corpus; the real model once `real` is set (the added report)."""

    def __init__(self, model: Embedder) -> None:
        self._model = model
        self.name, self.dimension = model.name, model.dimension
        self.runtime, self.precision, self.batch_size = model.runtime, model.precision, model.batch_size
        self.real = False
        self.embedded = 0

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._model.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.embedded += len(texts)
        if self.real:
            return self._model.encode_passages(texts)
        vectors = np.stack([np.random.default_rng(int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(),
                                                                 "little")).normal(size=self.dimension)
                            for t in texts]).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def write_corpus(folder: Path, passages: int) -> int:
    """Synthetic reports as files; returns how many."""
    real = load_index(IndexSettings().index_dir)
    documents, chunks = synthesise(list(real.documents), list(real.chunks), passages)
    write_reports(folder, documents, chunks)
    return len(documents)


def timed_build(corpus: Path, index: Path, embedder: Embedder, *, full: bool = False) -> tuple[BuildReport, dict[str, float]]:
    """Builds with the real build, returning its report and seconds per stage, plus the CPU seconds of the whole."""
    settings = IndexSettings()
    timer = StageTimer()
    cpu = cpu_seconds()
    report = build_index(corpus, index, embedder, max_chars=settings.max_chunk_chars,
                         min_chars=settings.min_chunk_chars, exact_search_max=settings.exact_search_max,
                         progress=timer, full=full)
    return report, {**timer.seconds, "CPU time (all processes)": cpu_seconds() - cpu}


def answers(index: Path, embedder: Embedder, questions: Sequence[str], *, exact: bool) -> dict[str, list[str]]:
    """Top-5 passage ids per question, with the index's own vector search or an exact one over its vectors."""
    stored = load_index(index, model=embedder.name)
    backend = None
    if exact:  # two HNSW graphs built in different orders differ; exact search shows what the builds differ in
        vectors = VectorIndex.build(stored.vectors.vectors(range(len(stored.chunks))), exact_max=len(stored.chunks))
        backend = (vectors, stored.keywords)
    engine = engine_from(stored, embedder, top_k=5, calibration=Calibration(), backend=backend)
    return {q: [h.chunk.chunk_id for h in engine.answer(q).hits] for q in questions}


def keyword_top(index: Path, questions: Sequence[str]) -> dict[str, list[tuple[str, float]]]:
    stored = load_index(index)
    return {q: [(stored.chunks[r].chunk_id, round(s, 4)) for r, s in stored.keywords.search(
        stored.keywords.tokens(fold(q)), 10)] for q in questions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=140_000,
                        help="synthetic passages before the report is added; recombined sentences repeat, and "
                             "de-duplication keeps about 100,000 of the default 140,000")
    parser.add_argument("--last", action="store_true",
                        help="name the added report to sort after the synthetic ones, so a full build meets "
                             "near-duplicates in the order the incremental one does")
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temporary folder)")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="incremental-"))
    try:
        run(work, args.passages, args.last)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(work: Path, passages: int, last: bool) -> None:
    corpus, index, full = work / "corpus", work / "index", work / "full"
    started = time.perf_counter()
    reports = write_corpus(corpus, passages)
    written = time.perf_counter() - started
    # A corpus's files are written long before it is built: a file written within SETTLED_NS of a build
    # is hashed again by the next one (index/ingest/corpus.py), which a corpus written just now would measure.
    time.sleep(SETTLED_NS / 1e9)
    embedder = SyntheticThenReal(load_embedder(IndexSettings(), bulk=True))

    first, first_stages = timed_build(corpus, index, embedder)
    name = f"zz-{ADDED}" if last else ADDED
    shutil.copy(ROOT / "corpus" / ADDED, corpus / name)
    shutil.copy(ROOT / "corpus" / ADDED.replace(".txt", ".meta.toml"), corpus / name.replace(".txt", ".meta.toml"))
    embedder.real, embedder.embedded = True, 0
    added, added_stages = timed_build(corpus, index, embedder)
    embedded_added = embedder.embedded
    shutil.copytree(index, full)  # the full rebuild replaces a copy, reusing vectors of unchanged texts
    embedder.embedded = 0
    rebuilt, rebuilt_stages = timed_build(corpus, full, embedder, full=True)

    questions = eval_questions("questions.jsonl")
    agree = {}
    for exact in (True, False):
        one, other = answers(index, embedder, questions, exact=exact), answers(full, embedder, questions, exact=exact)
        agree[exact] = (sum(one[q] == other[q] for q in questions), sum(one[q][:1] == other[q][:1] for q in questions))
    kw_one, kw_other = keyword_top(index, questions), keyword_top(full, questions)
    same_keyword = sum(kw_one[q] == kw_other[q] for q in questions)
    same_keyword_ids = sum([i for i, _ in kw_one[q]] == [i for i, _ in kw_other[q]] for q in questions)
    ids_one = {c.chunk_id for c in load_index(index).chunks}
    ids_other = {c.chunk_id for c in load_index(full).chunks}

    print(f"CPU: {cpu_description()} (shared machine: other work slows every row)")
    print(f"{reports} synthetic reports written in {written:.1f} s; {first.passages} passages after the first build")
    print(f"added {name} (real, {added.passages - first.passages} passages kept, {embedded_added} embedded by "
          f"{embedder.runtime} {embedder.precision}); vector index {added.vector_index}\n")
    print(f"{'stage, seconds':<22}{'first build':>12}{'add 1 report':>14}{'full rebuild':>14}")
    for stage, _ in STAGES:
        print(f"  {stage:<20}{first_stages.get(stage, 0):12.1f}{added_stages.get(stage, 0):14.1f}"
              f"{rebuilt_stages.get(stage, 0):14.1f}")
    print(f"  {'whole build':<20}{first.seconds:12.1f}{added.seconds:14.1f}{rebuilt.seconds:14.1f}")
    cpu = "CPU time (all processes)"
    print(f"  {'CPU seconds':<20}{first_stages[cpu]:12.1f}{added_stages[cpu]:14.1f}{rebuilt_stages[cpu]:14.1f}"
          "   (wall time on a shared machine exceeds CPU time when other work holds the cores)")
    print(f"\nfiles reused / new / changed / deleted: {added.reports_reused} / {added.reports_new} / "
          f"{added.reports_changed} / {added.reports_deleted}; vector index "
          f"{'extended' if added.vectors_appended else 'built again'}; vectors reused {added.vectors_reused}")
    print(f"full rebuild: {rebuilt.passages} passages, {rebuilt.duplicates_dropped} near-duplicates dropped "
          f"(incremental: {added.passages}, {added.duplicates_dropped}); passages only in the incremental index "
          f"{len(ids_one - ids_other)}, only in the full one {len(ids_other - ids_one)}")
    print(f"same top-5 answers (exact vector search over each index's vectors) {agree[True][0]}/{len(questions)}, "
          f"same first passage {agree[True][1]}/{len(questions)}; with each index's own "
          f"{added.vector_index}: {agree[False][0]} and {agree[False][1]}")
    print(f"same keyword top-10 {same_keyword_ids}/{len(questions)} ({same_keyword} with equal scores to 4 places; "
          f"BM25 statistics move with every passage the two indexes do not share) (eval/questions.jsonl)")
    print(f"peak memory {memory_mib('VmHWM'):.0f} MiB")


if __name__ == "__main__":
    main()
