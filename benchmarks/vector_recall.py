"""Recall@10, latency and memory of each vector index kind at 10k-1M passages: `python benchmarks/vector_recall.py`.

The evidence for the constants in index/store/vectors.py (which kind from which size, HNSW parameters).
Passage vectors: the first --sample synthetic passages of benchmarks/synthetic.py embedded by the
real model, the rest mixtures of those (see synthetic.py; --vectors FILE.npy uses vectors embedded
elsewhere instead). Queries: every question of eval/*.jsonl, embedded by the real model. Ground truth
is an exact inner-product scan. Each query asks for 50 rows, as the searcher does, and recall@10 is
the share of the exact top 10 among the first 10 returned.

--calibrate compares mixture vectors with held-out real embeddings of synthetic passages, the
check that mixtures are neither easier nor harder to search than real vectors (MIXED, NOISE in
synthetic.py).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt
from common import cpu_description, eval_questions, p50_p95, timed  # before index/ (see common.py)
from synthetic import mixture_vectors, read_vectors, real_vectors, synthesise

from index.chunk.cut import index_text
from index.store import vectors as vector
from index.store.vectors import VectorIndex

Vectors = npt.NDArray[np.float32]
CANDIDATES = 50  # rows the searcher asks the vector index for (IndexSettings.candidates)


def sample_and_questions(sample: int) -> tuple[Vectors, Vectors]:
    """Real vectors of the first `sample` synthetic passages (cached) and of every eval question."""
    from index.model.embed import load_embedder
    from index.settings import IndexSettings
    from index.store.folder import load_index

    settings = IndexSettings()
    real = load_index(settings.index_dir)
    _, chunks = synthesise(real.documents, real.chunks, sample)
    embedder = load_embedder(settings, bulk=True)
    passages = real_vectors([index_text(c) for c in chunks], embedder, label=f"{embedder.runtime} {embedder.precision}")
    return passages, np.asarray(embedder.encode_queries(eval_questions()), dtype=np.float32)


def exact_top(vectors: Vectors, queries: Vectors, k: int) -> npt.NDArray[np.int64]:
    """Exact top-k rows per query, best first; 32 queries at a time, so 1M rows need about 130 MB of scores."""
    out = []
    for start in range(0, len(queries), 32):
        scores = queries[start:start + 32] @ vectors.T
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
        out.append(np.take_along_axis(top, order, axis=1))
    return np.concatenate(out)


def structure(vectors: Vectors, queries: Vectors) -> str:
    """Neighbour statistics that make recall easy or hard: the questions' top cosines and their gaps."""
    scores = np.sort(queries @ vectors.T, axis=1)[:, ::-1]
    own = vectors[:2000] @ vectors.T
    np.fill_diagonal(own[:, :2000], -1)
    return (f"top1 {np.median(scores[:, 0]):.3f}  1st-10th {np.median(scores[:, 0] - scores[:, 9]):.4f}  "
            f"10th-11th {np.median(scores[:, 9] - scores[:, 10]):.5f}  10th-50th {np.median(scores[:, 9] - scores[:, 49]):.4f}"
            f"  passage NN {np.median(own.max(axis=1)):.3f}")


def calibrate(passages: Vectors, queries: Vectors, rng: np.random.Generator) -> None:
    """Mixtures of the first half of the real sample against the real second half, at the same count."""
    half = len(passages) // 2
    base, held_out = passages[:half], passages[half:]
    print(f"{len(held_out)} passages each; questions: {len(queries)}")
    print(f"  {'real embeddings':<26} {structure(held_out, queries)}")
    for mixed in ((1, 1), (2, 2), (2, 3), (2, 4), (3, 4)):
        for noise in (0.0, 0.2, 0.3, 0.5):
            made = mixture_vectors(base, len(held_out), rng, mixed=mixed, noise=noise)
            print(f"  {f'mixtures of {mixed}, noise {noise}':<26} {structure(made, queries)}")


def searched(index: VectorIndex, queries: Vectors) -> tuple[list[float], list[list[int]]]:
    """Milliseconds of each query's search for CANDIDATES rows, and the rows found."""
    latencies, found = [], []
    for query in queries:
        seconds, rows = timed(lambda: [r for r, _ in index.search(query, CANDIDATES)])
        latencies.append(seconds * 1000)
        found.append(rows)
    return latencies, found


def measure(vectors: Vectors, queries: Vectors, kinds: list[str], efs: list[int], *, links: int,
            ef_construction: int) -> None:
    """Build each kind over vectors and print build time, file size, recall@10/@50 and latency per efSearch."""
    truth = exact_top(vectors, queries, CANDIDATES)
    for kind in kinds:
        built, index = timed(lambda: VectorIndex.build(vectors, exact_max=0, kind=kind, links=links,
                                                       ef_construction=ef_construction))
        with tempfile.TemporaryDirectory() as folder:
            index.save(Path(folder))
            size = sum(p.stat().st_size for p in Path(folder).iterdir())
            index = VectorIndex.load(Path(folder))
            for ef in efs if kind != "exact" else [0]:
                if ef:
                    index.set_ef_search(ef)
                latencies, found = searched(index, queries)
                at10, at50 = 0, 0
                for rows, exact in zip(found, truth):
                    at10 += len(set(rows[:10]) & set(exact[:10].tolist()))
                    at50 += len(set(rows) & set(exact.tolist()))
                p50, p95 = p50_p95(latencies)
                print(f"{len(vectors):>9} {kind:>9} {ef or '-':>5} {built:>8.1f} {size / 2**20:>8.0f} "
                      f"{p50:>7.2f} {p95:>7.2f} {at10 / (10 * len(queries)):>9.3f} "
                      f"{at50 / (CANDIDATES * len(queries)):>9.3f}", flush=True)
        del index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="passage counts, comma-separated")
    parser.add_argument("--kinds", default=",".join(vector.KINDS), help="vector index kinds, comma-separated")
    parser.add_argument("--ef", default=f"{vector.HNSW_EF_SEARCH},{vector.HNSW_EF_SEARCH_LARGE}",
                        help="HNSW efSearch values, comma-separated")
    parser.add_argument("--links", type=int, default=vector.HNSW_LINKS, help="HNSW M, to try other values")
    parser.add_argument("--ef-construction", type=int, default=vector.HNSW_EF_CONSTRUCTION, help="HNSW efConstruction")
    parser.add_argument("--sample", type=int, default=4000, help="synthetic passages the real model embeds")
    parser.add_argument("--vectors", type=Path, help="a .npy of passage vectors embedded elsewhere, used instead")
    parser.add_argument("--calibrate", action="store_true", help="compare mixtures with real embeddings, then stop")
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    passages, queries = sample_and_questions(args.sample)
    print(f"CPU: {cpu_description()}")
    if args.calibrate:
        calibrate(passages, queries, rng)
        return
    print(f"HNSW M={args.links} efConstruction={args.ef_construction}; {len(queries)} questions, "
          f"{CANDIDATES} rows asked per query; vectors: "
          + (f"{args.vectors}" if args.vectors else f"{len(passages)} real, the rest mixtures (synthetic.py)"))
    print(f"{'passages':>9} {'kind':>9} {'ef':>5} {'build s':>8} {'disk MiB':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'recall@10':>9} {'recall@50':>9}")
    for size in (int(s) for s in args.sizes.split(",")):
        if args.vectors:
            vectors = read_vectors(args.vectors, size, passages.shape[1])
        else:
            vectors = passages[:size]
            if size > len(passages):
                vectors = np.concatenate([passages, mixture_vectors(passages, size - len(passages), rng)])
        measure(vectors, queries, args.kinds.split(","), [int(e) for e in args.ef.split(",")], links=args.links,
                ef_construction=args.ef_construction)
        del vectors


if __name__ == "__main__":
    main()
