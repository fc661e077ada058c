"""The index at 10k, 100k or 1M passages: `python benchmarks/scale.py --passages 100000`.

What is synthetic (benchmarks/synthetic.py says how): the passages beyond the real corpus's 70 are
recombined from its sentences with real gazetteer places; of their vectors, the first --sample
(default 4,000) are the real model's embeddings of those synthetic texts and the rest mixtures of
them with real-spread noise, or all come from --vectors FILE.npy (embedded elsewhere, e.g. on a GPU).
The real embedder is also timed on --embed-sample passages that are not in the cache.

The synthetic reports are written as files and built by the real build (index.build.builder.build_index,
as `python -m index build` runs it), timed stage by stage through its progress callback; its embedder
hands out the synthetic vectors by passage text. The build de-duplicates as it always does, so the index
holds fewer passages than were synthesised (recombined sentences repeat); both counts are printed.

Needs the built real index (`make index`, var/index). Prints build time per stage, disk size, then,
from a fresh process, load time, time to the first answer, resident memory, warm p50/p95 per search
stage, and recall@10 of the vector index the build chose (or --vector-index) against exact search,
for every question of eval/*.jsonl embedded by the real model.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from common import (  # before index/ (see common.py)
    StageTimer, cpu_description, eval_questions, memory_mib, p50_p95, timed, timed_ms,
)
from synthetic import mixture_vectors, read_vectors, real_vectors, synthesise, write_reports
from vector_recall import CANDIDATES, exact_top

from index.build.builder import BuildReport, Publish, build_index
from index.chunk.cut import index_text
from index.model.embed import Embedder
from index.search.searcher import HybridSearcher
from index.settings import IndexSettings
from index.store.folder import StoredIndex, load_index
from index.store.vectors import VectorIndex
from index.text.clean import fold


class SyntheticVectors:
    """An embedder for the build that hands out the synthetic vectors of passages by their text.

    A passage the build cut otherwise than the synthesis did (a short one joined to its neighbour)
    gets a mixture of the real sample too, seeded by its text. Questions go to the real model.
    """

    def __init__(self, model: Embedder, texts: Sequence[str], vectors: npt.NDArray[np.float32], sample: int) -> None:
        self._model = model
        self.name, self.dimension = model.name, model.dimension
        self.runtime, self.precision, self.batch_size = model.runtime, model.precision, model.batch_size
        self._vectors, self._base = vectors, vectors[:max(1, sample)]
        self._rows: dict[str, int] = {}
        for row, text in enumerate(texts):
            self._rows.setdefault(text, row)
        self.made = 0  # passages that got a mixture of their own, printed with the build

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._model.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.stack([self.vector(text) for text in texts]) if texts else self._vectors[:0]

    def vector(self, text: str) -> npt.NDArray[np.float32]:
        """The vector a passage text gets: its synthesis row's, else a mixture seeded by the text."""
        row = self._rows.get(text)
        if row is not None:
            return self._vectors[row]
        self.made += 1
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        # Mixtures scale their noise by the spread within the block made: one row alone can have none (0/0).
        return mixture_vectors(self._base, 16, np.random.default_rng(seed))[0]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def percentiles(samples: list[float]) -> str:
    """p50 and p95 in two columns."""
    return "{:8.1f} {:8.1f}".format(*p50_p95(samples))


def recall_at_10(index: VectorIndex, vectors: npt.NDArray[np.float32], queries: npt.NDArray[np.float32]) -> float:
    """Share of the exact top 10 among the first 10 of the CANDIDATES rows the built index returns."""
    truth = exact_top(vectors, queries, 10)
    found = sum(len(set(exact.tolist()) & {row for row, _ in index.search(query, CANDIDATES)[:10]})
                for query, exact in zip(queries, truth))
    return found / (10 * len(queries))


def synthetic_vectors(args: argparse.Namespace, texts: Sequence[str], embedder: Embedder,
                      stages: dict[str, float]) -> tuple[npt.NDArray[np.float32], str]:
    """One vector per synthesised passage (see the docstring), and where they came from."""
    if args.vectors:
        return read_vectors(Path(args.vectors), len(texts), embedder.dimension), f"all {len(texts)} from {args.vectors}"
    sample = min(args.sample, len(texts))
    label = f"{embedder.runtime} {embedder.precision}"
    # cached in var/benchmarks after the first run
    stages["embed sample (real model, cached)"], base = timed(lambda: real_vectors(texts[:sample], embedder, label=label))
    rng = np.random.default_rng(0)
    stages["mixture vectors"], mixed = timed(lambda: mixture_vectors(base, len(texts) - sample, rng))
    vectors = np.concatenate([base, mixed]) if len(mixed) else base
    return vectors, f"{sample} embedded by the real model, {len(texts) - sample} mixtures of those"


def synthetic_corpus(passages: int, corpus: Path, stages: dict[str, float]) -> list[str]:
    """Writes `passages` synthetic passages as report files into corpus; returns their texts as embedded."""
    real = load_index(IndexSettings().index_dir)
    stages["synthesise texts"], (documents, chunks) = timed(lambda: synthesise(real.documents, real.chunks, passages))
    stages["write report files"], _ = timed(lambda: write_reports(corpus, documents, chunks))
    return [index_text(c) for c in chunks]


def build(args: argparse.Namespace, folder: Path) -> None:
    """Synthesise n passages, build them with the real build, printing each stage's time; then serve() in a fresh process."""
    settings = IndexSettings()
    stages: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix="scale-corpus-"))  # the corpus, never next to a kept index
    try:
        report, given, (embed_rate, embed_count) = build_synthetic(args, settings, work / "corpus", folder, stages)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peak_build = memory_mib("VmHWM")
    made = given.made

    stored = load_index(folder, model=given.name)
    built = np.stack([given.vector(index_text(c)) for c in stored.chunks])  # what the build was handed, by row
    asked = np.asarray(given.encode_queries(eval_questions()), dtype=np.float32)
    recall = recall_at_10(stored.vectors, built, asked)
    del stored, built, given

    print(f"CPU: {cpu_description()} (other work on the machine slows every row)")
    print(f"{args.passages} synthetic passages, {report.passages} after the build's de-duplication "
          f"({report.duplicates_dropped} dropped; {made} cut otherwise got mixtures), {report.documents} reports, "
          f"{report.vector_index} vector index, {args.backend} backend")
    print("\nbuild stage                          seconds")
    for name, value in stages.items():
        print(f"  {name:<34} {value:8.1f}")
    print(f"  {'embed all (real model, estimated)':<34} {report.passages / embed_rate:8.1f}  {embed_rate:.1f} passages/s "
          f"on {embed_count} of them = {1_000_000 / embed_rate / 3600:.1f} h per million")
    print(f"  peak build memory {peak_build:.0f} MiB (this process; tokenising workers not counted), "
          f"{memory_mib('VmRSS'):.0f} MiB at the end")
    milvus_uri = str(folder.parent / "milvus.db")
    print(f"\ndisk: {folder_bytes(folder) / 2**20:.0f} MiB in {folder}"
          + (f", {folder_bytes(Path(milvus_uri)) / 2**20:.0f} MiB in Milvus Lite" if args.backend == "milvus" else ""))
    print(f"recall@10 of {report.vector_index} against exact search: {recall:.3f} over {len(asked)} questions "
          f"of eval/*.jsonl ({CANDIDATES} rows asked, as the searcher does)")
    sys.stdout.flush()
    env = {**os.environ, "INDEX_BACKEND": args.backend, "INDEX_MILVUS_URI": milvus_uri}
    subprocess.run([sys.executable, __file__, "--serve", str(folder), "--rounds", str(args.rounds)], check=True,
                   env=env)


def build_synthetic(args: argparse.Namespace, settings: IndexSettings, corpus: Path, folder: Path,
                    stages: dict[str, float]) -> tuple[BuildReport, SyntheticVectors, tuple[float, int]]:
    """Synthesises the corpus and its vectors and builds it into folder, timing the real model on the side.

    Returns the build's report, the vectors it was handed, and the real model's passages per second
    with the number of passages that rate was measured on.
    """
    from index.model.embed import load_embedder

    texts = synthetic_corpus(args.passages, corpus, stages)
    embedder = load_embedder(settings, bulk=True)
    vectors, origin = synthetic_vectors(args, texts, embedder, stages)
    # The embedding rate, on passages past the sample that no cache holds.
    sample = min(args.sample, len(texts))
    timing = texts[sample:sample + args.embed_sample] or texts[:args.embed_sample]
    embedder.encode_passages(timing[:8])  # first call allocates; not part of the rate
    seconds, _ = timed(lambda: embedder.encode_passages(timing))
    embed_rate = len(timing) / seconds

    publish: Publish | None = None
    milvus_uri = str(folder.parent / "milvus.db")
    if args.backend == "milvus":
        from index.store.milvus_store import MilvusStore

        milvus = MilvusStore(milvus_uri)
        milvus_write = milvus.publisher(exact_max=settings.exact_search_max)

        def publish_timed(version: str, index: StoredIndex) -> None:
            stages["milvus write"] = timed(lambda: milvus_write(version, index))[0]

        publish = publish_timed
    given = SyntheticVectors(embedder, texts, vectors, sample)
    print(f"vectors: {origin}; real model {embedder.runtime} {embedder.precision}", flush=True)
    timer = StageTimer()
    # full: a kept --index folder is built again whole (vectors of equal texts are still reused).
    report = build_index(corpus, folder, given, max_chars=settings.max_chunk_chars,
                         min_chars=settings.min_chunk_chars, exact_search_max=settings.exact_search_max,
                         vector_kind=args.vector_index, progress=timer, publish=publish, full=True)
    stages.update(timer.seconds)
    if "milvus write" in stages:
        stages["save"] -= stages["milvus write"]
        milvus.close()
    return report, given, (embed_rate, len(timing))


def serve(folder: Path, rounds: int) -> None:
    """In a fresh process: load the index into the engine and time warm answers per stage."""
    from index.answer.engine import open_engine

    settings = IndexSettings(index_dir=folder)
    rss_before = memory_mib("VmRSS")
    load_s, engine = timed(lambda: open_engine(settings))
    rss_loaded = memory_mib("VmRSS")
    searcher = engine.searcher
    assert isinstance(searcher, HybridSearcher)  # what open_engine builds: its stages are timed one by one
    encoder, vectors, keywords = searcher.encoder, searcher.vectors, searcher.keywords
    questions = eval_questions("questions.jsonl")
    first_s, _ = timed(lambda: engine.answer(questions[0]))
    for question in questions:  # warm-up: caches, lazy imports, first-call allocations
        engine.answer(question)
    stages: dict[str, list[float]] = {"embed question": [], "vector search": [], "keyword search": [],
                                      "whole answer": []}
    for _ in range(rounds):
        for question in questions:
            t, vector = timed(lambda: encoder.encode_queries([question])[0])
            stages["embed question"].append(t * 1000)
            stages["vector search"].append(timed_ms(lambda: vectors.search(vector, settings.candidates)))
            tokens = keywords.tokens(fold(question))
            stages["keyword search"].append(timed_ms(lambda: keywords.search(tokens, settings.candidates)))
            searcher.forget_recent()  # a repeated question is served from cache; time a new one
            stages["whole answer"].append(timed_ms(lambda: engine.answer(question)))
    peak = memory_mib("VmHWM")
    print(f"\nload (check files, read passages and indexes, load model): {load_s:.1f} s; first answer {first_s:.2f} s; "
          f"start-up to first answer {load_s + first_s:.1f} s")
    print(f"resident memory: {rss_before:.0f} MiB at start, {rss_loaded:.0f} MiB loaded, {peak:.0f} MiB peak answering; "
          f"after answering {memory_mib('RssAnon'):.0f} MiB private + {memory_mib('RssFile'):.0f} MiB of mapped files "
          f"(index and model pages the kernel can drop and re-read)")
    print(f"\nwarm, {len(questions)} questions x {rounds} rounds   p50 ms   p95 ms")
    for name, samples in stages.items():
        print(f"  {name:<30} {percentiles(samples)}")
    whole = statistics.median(stages["whole answer"]) / 1000
    print(f"  answers per second per core (1 / p50 whole answer): {1 / whole:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000, help="synthetic passages: 10000, 100000, 1000000")
    parser.add_argument("--sample", type=int, default=4000,
                        help="synthetic passages whose vectors the real model embeds (cached); the rest are mixtures")
    parser.add_argument("--vectors", help="a .npy of at least --passages vectors to use instead (rows in passage order)")
    parser.add_argument("--vector-index", default="auto", help="auto (by size, as a build picks) or a kind of "
                        "index/store/vectors.py: exact, hnsw, hnsw_sq8")
    parser.add_argument("--embed-sample", type=int, default=256, help="uncached passages the real model embeds, timed")
    parser.add_argument("--rounds", type=int, default=2, help="warm rounds over eval/questions.jsonl")
    parser.add_argument("--backend", choices=("local", "milvus"), default="local",
                        help="milvus: also write a Milvus Lite collection and answer from it")
    parser.add_argument("--index", help="where to build (default: a temporary folder, removed after)")
    parser.add_argument("--serve", metavar="FOLDER", help="only time answering over an index kept by an earlier --index run")
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.rounds)
        return
    folder = Path(args.index) if args.index else Path(tempfile.mkdtemp(prefix="scale-")) / "index"
    try:
        build(args, folder)
    finally:
        if not args.index:
            shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
