"""Keyword search alone, as answering runs it, against bm25s' own retrieve: `python benchmarks/keyword_speed.py --index DIR`.

DIR is a built index (var/index, or the folder `benchmarks/scale.py --index` wrote) or one of its versions.
For every question of eval/*.jsonl it times, side by side in one run:
- bm25s `retrieve` (n_threads=0), which scores every passage and selects among all of them;
- index/keywords/keyword_index.py `top_rows`, which reads only the question words' postings, summing them by
  sorting (sorted sum), in an array of every passage (dense sum), or as search does (`_SPARSE_SUM_SHARE` picks);
each without a limit and limited to a random tenth of the passages (as a place limit is). It
checks the rankings agree, then prints p50/p95 and where sorting stops paying (the constant's evidence).
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from pathlib import Path

import numpy as np
from common import cpu_description, eval_questions, p50_p95, timed_ms  # before index/ (see common.py)

from index.keywords.keyword_index import KeywordIndex, top_rows
from index.store.folder import current_version
from index.text.clean import fold

K = 50  # candidates per retriever, as the searcher asks (settings.candidates)


def percentiles(samples: list[float]) -> str:
    """p50 and p95 in two columns."""
    return "{:8.2f} {:8.2f}".format(*p50_p95(samples))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, help="an index version folder (holds keywords/)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(args.index)
    if (folder / "CURRENT").is_file():  # an index folder rather than one of its versions
        folder = current_version(folder)
    index = KeywordIndex.load(folder / "keywords")
    retriever = index.as_bm25s()  # bm25s' own retriever over the same memory-mapped matrix
    matrix, passages = retriever.scores, index.passages
    questions = eval_questions()
    queries = []
    for question in questions:
        tokens = [t for t in index.tokens(fold(question)) if t in retriever.vocab_dict]
        if tokens:
            queries.append((tokens, [retriever.vocab_dict[t] for t in tokens]))
    limit = np.random.default_rng(0).random(passages) < 0.1

    def bm25s(tokens: list[str], allowed: np.ndarray | None) -> object:
        mask = None if allowed is None else allowed.astype(np.float32)
        return retriever.retrieve([tokens], k=min(K, passages), show_progress=False, n_threads=0, weight_mask=mask)

    def ours(share: int | None) -> Callable[[list[int], np.ndarray | None], object]:
        def run(ids: list[int], allowed: np.ndarray | None) -> object:
            return top_rows(matrix, ids, min(K, passages), allowed, sparse_share=share)
        return run

    # share 0: every sum sorts its postings; share 10**12: every sum runs over an array of all passages;
    # None: the share search uses.
    paths = {"bm25s retrieve": None, "top_rows, sorted sum": ours(0), "top_rows, dense sum": ours(10**12),
             "top_rows, as search sums": ours(None)}
    times: dict[tuple[str, bool], list[float]] = {(name, lim): [] for name in paths for lim in (False, True)}
    by_postings: list[tuple[int, float, float]] = []  # postings read, sorted-sum ms, dense-sum ms
    disagree = 0
    for round_ in range(args.rounds):
        for tokens, ids in queries:
            for limited in (False, True):
                allowed = limit if limited else None
                for name, run in paths.items():
                    if run is None:
                        times[(name, limited)].append(timed_ms(lambda: bm25s(tokens, allowed)))
                    else:
                        times[(name, limited)].append(timed_ms(lambda: run(ids, allowed)))
                if not limited:
                    postings = sum(int(matrix["indptr"][i + 1] - matrix["indptr"][i]) for i in ids)
                    by_postings.append((postings, times[("top_rows, sorted sum", False)][-1],
                                        times[("top_rows, dense sum", False)][-1]))
                if round_ == 0:  # against every row's score summed as bm25s does, ties by row
                    exact = np.zeros(passages, dtype=np.float32)
                    for token in ids:
                        start, end = int(matrix["indptr"][token]), int(matrix["indptr"][token + 1])
                        np.add.at(exact, np.asarray(matrix["indices"][start:end]), matrix["data"][start:end])
                    if allowed is not None:
                        exact[~allowed] = 0
                    truth = [r for r in np.lexsort((np.arange(passages), -exact))[:min(K, passages)] if exact[r] > 0]
                    for run in paths.values():
                        if run is not None:
                            mine, _ = run(ids, allowed)  # type: ignore[misc]
                            disagree += [int(r) for r in mine] != [int(r) for r in truth]

    print(f"CPU: {cpu_description()}")
    print(f"{passages:,} passages, {len(queries)} questions with known words x {args.rounds} rounds, top {K}; "
          f"rankings of top_rows unlike scoring every row: {disagree}")
    print(f"\n{'path':<32}{'whole corpus p50/p95 ms':>26}{'a tenth allowed p50/p95 ms':>30}")
    for name in paths:
        print(f"  {name:<30}{percentiles(times[(name, False)]):>26}{percentiles(times[(name, True)]):>30}")
    print("\nsorted vs dense sum by postings read (share of passages): median ms")
    edges = [0, 0.01, 0.03, 0.06, 0.125, 0.25, 0.5, 1, 10**9]
    for low, high in zip(edges, edges[1:]):
        rows = [(s, d) for p, s, d in by_postings if low <= p / passages < high]
        if rows:
            print(f"  {low:>6.3f}-{high if high < 10 else 'more':<6} {len(rows):5} searches   sorted "
                  f"{statistics.median(r[0] for r in rows):7.2f}   dense {statistics.median(r[1] for r in rows):7.2f}")


if __name__ == "__main__":
    main()
