"""Index build speed by stage, and peak memory: `python benchmarks/build_speed.py [--corpus DIR]`.

Runs the same stages as `python -m index build` (read + clean, chunk, de-duplicate, embed, vector and
keyword indexes) into a temporary folder and prints seconds per stage and passages per second.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from index.build import chunk_corpus, corpus_terms, embed_passages, prepare_documents
from index.clean import fold
from index.dedupe import collapse_near_duplicates
from index.embed import load_embedder
from index.keyword import KeywordIndex
from index.settings import IndexSettings
from index.vector import VectorIndex


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="corpus folder (default: settings)")
    args = parser.parse_args()
    settings = IndexSettings(**({"corpus_dir": Path(args.corpus).resolve()} if args.corpus else {}))
    embedder = load_embedder(settings)
    embedder.encode_passages(["预热"])  # model warm-up is not part of the build rate

    timings: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = now - mark
        mark = now

    documents, skipped = prepare_documents(settings.corpus_dir)
    lap("read + clean")
    chunks = chunk_corpus(documents, max_chars=settings.max_chunk_chars, min_chars=settings.min_chunk_chars)
    lap("chunk")
    chunks, dropped = collapse_near_duplicates(chunks, key=fold)
    lap("de-duplicate")
    vectors, _ = embed_passages(embedder, [c.text for c in chunks], {})
    lap("embed")
    vector_index = VectorIndex.build(vectors, exact_max=settings.exact_search_max)
    lap("vector index")
    keywords = KeywordIndex.build([fold(c.text) for c in chunks], corpus_terms(documents, chunks))
    lap("keyword index")
    with tempfile.TemporaryDirectory() as folder:
        vector_index.save(Path(folder) / "v")
        keywords.save(Path(folder) / "k")
    lap("save")

    total = sum(timings.values())
    chars = sum(len(c.text) for c in chunks)
    print(f"corpus: {settings.corpus_dir}: {len(documents)} documents, {len(chunks)} passages "
          f"({chars} characters), {len(dropped)} near-duplicates dropped, {len(skipped)} files skipped")
    print(f"model: {embedder.name}, {vector_index.kind} vector search")
    for name, seconds in timings.items():
        print(f"  {name:<14} {seconds:7.2f} s")
    print(f"  {'total':<14} {total:7.2f} s   = {len(chunks) / total:.1f} passages/s "
          f"(embedding alone {len(chunks) / timings['embed']:.1f} passages/s)")
    print(f"peak memory (RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
