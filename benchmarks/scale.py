"""The index at 10k, 100k or 1M passages: `python benchmarks/scale.py --passages 100000`.

What is synthetic (benchmarks/synthetic.py says how): the passages beyond the real corpus's 70 are
recombined from its sentences with real gazetteer places; of their vectors, the first --sample
(default 4,000) are the real model's embeddings of those synthetic texts and the rest mixtures of
them with real-spread noise, or all come from --vectors FILE.npy (embedded elsewhere, e.g. on a GPU).
The real embedder is also timed on --embed-sample passages that are not in the cache.

Needs the built real index (`make index`, var/index). Prints build time per stage, disk size, then,
from a fresh process, load time, time to the first answer, resident memory, warm p50/p95 per search
stage, and recall@10 of the vector index the build chose (or --vector-index) against exact search,
for every question of eval/*.jsonl embedded by the real model.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import mixture_vectors, read_vectors, real_vectors, synthesise  # noqa: E402
from vector_recall import CANDIDATES, cpu_description, exact_top  # noqa: E402

from index.build.builder import EMBEDDED_TEXT  # noqa: E402
from index.chunk.cut import index_text  # noqa: E402
from index.text.clean import fold  # noqa: E402
from index.answer.evaluate import read_questions  # noqa: E402
from index.places.gazetteer import romanise  # noqa: E402
from index.keywords.keyword_index import KeywordIndex, corpus_terms  # noqa: E402
from index.search.searcher import HybridSearcher  # noqa: E402
from index.settings import IndexSettings  # noqa: E402
from index.store.folder import Manifest, StoredIndex, load_index, save_index  # noqa: E402
from index.store.vectors import VectorIndex  # noqa: E402

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]


def memory_mib(field: str) -> float:
    """VmRSS (resident now), VmHWM (peak), RssAnon or RssFile (memory-mapped files) of this process, MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"{statistics.median(ordered):8.1f} {ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]:8.1f}"


def recall_at_10(index: VectorIndex, vectors: npt.NDArray[np.float32], queries: npt.NDArray[np.float32]) -> float:
    """Share of the exact top 10 among the first 10 of the CANDIDATES rows the built index returns."""
    truth = exact_top(vectors, queries, 10)
    found = sum(len(set(exact.tolist()) & {row for row, _ in index.search(query, CANDIDATES)[:10]})
                for query, exact in zip(queries, truth))
    return found / (10 * len(queries))


def build(args: argparse.Namespace, folder: Path) -> None:
    """Synthesise, index and save n passages, printing each stage's time; then serve() in a fresh process."""
    from index.model.embed import load_embedder

    settings = IndexSettings()
    real = load_index(settings.index_dir)
    stages: dict[str, float] = {}
    stages["synthesise texts"], made = timed(lambda: synthesise(real.documents, real.chunks, args.passages))
    documents, chunks = made
    texts = [index_text(c) for c in chunks]
    embedder = load_embedder(settings, bulk=True)
    label = f"{embedder.runtime} {embedder.precision}"
    rng = np.random.default_rng(0)
    sample = min(args.sample, len(texts))
    if args.vectors:
        vectors = read_vectors(Path(args.vectors), len(texts), embedder.dimension)
        origin = f"all {len(texts)} from {args.vectors}"
    else:
        started = time.perf_counter()
        base = real_vectors(texts[:sample], embedder, label=label)  # cached in var/benchmarks after the first run
        stages["embed sample (real model, cached)"] = time.perf_counter() - started
        stages["mixture vectors"], mixed = timed(lambda: mixture_vectors(base, len(texts) - sample, rng))
        vectors = np.concatenate([base, mixed]) if len(mixed) else base
        del mixed
        origin = f"{sample} embedded by the real model, {len(texts) - sample} mixtures of those"
    # The embedding rate, on passages past the sample that no cache holds.
    timing = texts[sample:sample + args.embed_sample] or texts[:args.embed_sample]
    embedder.encode_passages(timing[:8])  # first call allocates; not part of the rate
    seconds, _ = timed(lambda: embedder.encode_passages(timing))
    embed_rate = len(timing) / seconds

    def keywords() -> KeywordIndex:
        folded = [fold(t) for t in texts]
        vocabulary = corpus_terms([p for c in chunks for p in c.places], (fold(c.text) for c in chunks))
        return KeywordIndex.build(folded, vocabulary, romanise=romanise)  # as index build does: every core

    # First: at a million passages it is the stage that needs the most memory.
    stages["keyword index"], keyword_index = timed(keywords)
    stages["vector index"], vector_index = timed(
        lambda: VectorIndex.build(vectors, exact_max=settings.exact_search_max, kind=args.vector_index))
    manifest = Manifest(model=real.manifest.model, dimension=vector_index.dimension, documents=len(documents),
                        passages=len(chunks), vector_index=vector_index.kind, built_at="synthetic",
                        embedded_text=EMBEDDED_TEXT, runtime=real.manifest.runtime, precision=real.manifest.precision)
    stored = StoredIndex(manifest, documents, chunks, vector_index, keyword_index)
    publish = None
    milvus_uri = str(folder.parent / "milvus.db")
    if args.backend == "milvus":
        from index.store.milvus_store import MilvusStore

        milvus = MilvusStore(milvus_uri)
        milvus_write = milvus.publisher(exact_max=settings.exact_search_max)

        def publish(version: str, index: StoredIndex) -> None:
            stages["milvus write"] = timed(lambda: milvus_write(version, index))[0]
    stages["save"], _ = timed(lambda: save_index(folder, stored, publish=publish))
    if "milvus write" in stages:
        stages["save"] -= stages["milvus write"]
        milvus.close()

    questions = [q.text for path in sorted((ROOT / "eval").glob("*.jsonl")) for q in read_questions(path)]
    asked = np.asarray(embedder.encode_queries(questions), dtype=np.float32)
    recall = recall_at_10(vector_index, vectors, asked)
    peak_build = memory_mib("VmHWM")
    del stored, vector_index, keyword_index, vectors, chunks, documents, texts

    print(f"CPU: {cpu_description()} (other work on the machine slows every row)")
    print(f"{args.passages} synthetic passages ({manifest.documents} reports), {manifest.vector_index} vector index, "
          f"{args.backend} backend; vectors: {origin}")
    print("\nbuild stage                          seconds")
    for name, value in stages.items():
        print(f"  {name:<34} {value:8.1f}")
    print(f"  {'embed all (real model, estimated)':<34} {args.passages / embed_rate:8.1f}  {embed_rate:.1f} passages/s "
          f"on {len(timing)} of them, {label} = {1_000_000 / embed_rate / 3600:.1f} h per million")
    print(f"  peak build memory {peak_build:.0f} MiB (this process; tokenising workers not counted), "
          f"{memory_mib('VmRSS'):.0f} MiB at the end")
    print(f"\ndisk: {folder_bytes(folder) / 2**20:.0f} MiB in {folder}"
          + (f", {folder_bytes(Path(milvus_uri)) / 2**20:.0f} MiB in Milvus Lite" if args.backend == "milvus" else ""))
    print(f"recall@10 of {manifest.vector_index} against exact search: {recall:.3f} over {len(asked)} questions "
          f"of eval/*.jsonl ({CANDIDATES} rows asked, as the searcher does)")
    sys.stdout.flush()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INDEX_BACKEND": args.backend, "INDEX_MILVUS_URI": milvus_uri}
    subprocess.run([sys.executable, __file__, "--serve", str(folder), "--rounds", str(args.rounds)], check=True,
                   env=env)


def serve(folder: Path, rounds: int) -> None:
    """In a fresh process: load the index into the engine and time warm answers per stage."""
    from index.answer.engine import open_engine

    settings = IndexSettings(index_dir=folder)
    rss_before = memory_mib("VmRSS")
    load_s, engine = timed(lambda: open_engine(settings))
    rss_loaded = memory_mib("VmRSS")
    searcher = engine._searcher  # looked inside on purpose, to time each stage
    assert isinstance(searcher, HybridSearcher)
    encoder, vectors, keywords = searcher._encoder, searcher._vectors, searcher._keywords
    questions = [q.text for q in read_questions(ROOT / "eval" / "questions.jsonl")]
    first_s, _ = timed(lambda: engine.answer(questions[0]))
    for question in questions:  # warm-up: caches, lazy imports, first-call allocations
        engine.answer(question)
    stages: dict[str, list[float]] = {"embed question": [], "vector search": [], "keyword search": [],
                                      "whole answer": []}
    for _ in range(rounds):
        for question in questions:
            t, vector = timed(lambda: encoder.encode_queries([question])[0])
            stages["embed question"].append(t * 1000)
            stages["vector search"].append(timed(lambda: vectors.search(vector, settings.candidates))[0] * 1000)
            tokens = keywords.tokens(fold(question))
            stages["keyword search"].append(timed(lambda: keywords.search(tokens, settings.candidates))[0] * 1000)
            searcher._recent.cache_clear()  # a repeated question is served from cache; time a new one
            stages["whole answer"].append(timed(lambda: engine.answer(question))[0] * 1000)
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
