"""Exact versus HNSW vector search at corpus sizes past one report collection: `python benchmarks/vector_recall.py`.

Synthetic clustered unit vectors of the model's dimension stand in for passages (real embeddings of
hundreds of thousands of passages would take hours to make on this CPU). Prints build time, query
latency and recall@10 of HNSW against exact search, which justifies `exact_search_max`.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from index.vector import VectorIndex


def unit_vectors(n: int, dimension: int, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    picks = centres[rng.integers(0, len(centres), n)]
    vectors = picks + 0.35 * rng.normal(size=(n, dimension)).astype(np.float32)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,200000", help="passage counts, comma-separated")
    parser.add_argument("--dimension", type=int, default=384)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(2000, args.dimension)).astype(np.float32)
    queries = unit_vectors(args.queries, args.dimension, rng, centres)
    print(f"{'passages':>9} {'kind':>6} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7} {'recall@10':>9}")
    for size in (int(s) for s in args.sizes.split(",")):
        vectors = unit_vectors(size, args.dimension, rng, centres)
        truth: list[set[int]] = []
        for kind, exact_max in (("exact", size), ("hnsw", 0)):
            started = time.perf_counter()
            index = VectorIndex.build(vectors, exact_max=exact_max)
            built = time.perf_counter() - started
            latencies, found = [], []
            for q in queries:
                t = time.perf_counter()
                rows = {r for r, _ in index.search(q, 10)}
                latencies.append((time.perf_counter() - t) * 1000)
                found.append(rows)
            if kind == "exact":
                truth = found
            recall = sum(len(f & t) for f, t in zip(found, truth)) / (10 * len(queries))
            p95 = sorted(latencies)[int(0.95 * len(latencies))]
            print(f"{size:>9} {kind:>6} {built:>8.1f} {statistics.median(latencies):>7.2f} {p95:>7.2f} {recall:>9.3f}")


if __name__ == "__main__":
    main()
