"""Warm query latency of the built index, overall and per stage: `python benchmarks/query_speed.py`.

Needs the index built by `make run`/`make index` (var/index). Prints p50/p95 in milliseconds for
question embedding, vector search, keyword search, and the whole search (fusion, places, best
sentences and de-duplication included), plus peak memory.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import cpu_description, p50_p95, peak_rss_mib, timed_ms  # before index/ (see common.py)

from index.answer.engine import open_engine
from index.answer.evaluate import read_questions
from index.search.searcher import HybridSearcher
from index.settings import PROJECT_ROOT, IndexSettings
from index.store.folder import read_manifest
from index.text.clean import fold


def percentiles(samples: list[float]) -> str:
    """p50 and p95 in milliseconds, labelled."""
    return "p50 {:6.1f} ms   p95 {:6.1f} ms".format(*p50_p95(samples))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", default=str(PROJECT_ROOT / "eval" / "questions.jsonl"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--index", help="index folder (default: settings)")
    args = parser.parse_args()
    settings = IndexSettings(**({"index_dir": Path(args.index).resolve()} if args.index else {}))
    engine = open_engine(settings)
    searcher = engine.searcher
    assert isinstance(searcher, HybridSearcher)  # what open_engine builds: its stages are timed one by one
    vectors, keywords, embedder = searcher.vectors, searcher.keywords, searcher.encoder
    manifest = read_manifest(settings.index_dir)
    questions = [q.text for q in read_questions(Path(args.questions))]
    for question in questions:  # warm-up: caches, lazy imports, first-call allocations
        engine.answer(question)

    stages: dict[str, list[float]] = {"embed question": [], "vector search": [], "keyword search": [],
                                      "whole answer": [], "same question again": []}
    for _ in range(args.rounds):
        for question in questions:
            vector = embedder.encode_queries([question])[0]
            stages["embed question"].append(timed_ms(lambda: embedder.encode_queries([question])))
            stages["vector search"].append(timed_ms(lambda: vectors.search(vector, settings.candidates)))
            tokens = keywords.tokens(fold(question))
            stages["keyword search"].append(timed_ms(lambda: keywords.search(tokens, settings.candidates)))
            searcher.forget_recent()  # a repeated question is served from cache; time a new one
            stages["whole answer"].append(timed_ms(lambda: engine.answer(question)))
            stages["same question again"].append(timed_ms(lambda: engine.answer(question)))

    print(f"CPU: {cpu_description()}")
    print(f"index: {settings.index_dir} ({manifest.passages} passages, {manifest.vector_index} vectors, "
          f"model {manifest.model} on {manifest.runtime} {manifest.precision})")
    print(f"{len(questions)} questions x {args.rounds} rounds, warm")
    for name, samples in stages.items():
        print(f"  {name:<20} {percentiles(samples)}")
    print(f"peak memory (RSS): {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
