"""Index build speed by stage, and peak memory: `python benchmarks/build_speed.py [--corpus DIR]`.

Runs the real build (index.build.builder.build_index, as `python -m index build` does) into a temporary
folder, timing each stage through the build's own progress callback, and prints seconds per stage
and passages per second.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import StageTimer, cpu_description, peak_rss_mib

from index.build.builder import build_index
from index.model.embed import load_embedder
from index.settings import IndexSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="corpus folder (default: settings)")
    args = parser.parse_args()
    settings = IndexSettings(**({"corpus_dir": Path(args.corpus).resolve()} if args.corpus else {}))
    embedder = load_embedder(settings)
    embedder.encode_passages(["预热"])  # model warm-up is not part of the build rate

    timer = StageTimer()
    with tempfile.TemporaryDirectory() as folder:
        report = build_index(settings.corpus_dir, Path(folder) / "index", embedder,
                             max_chars=settings.max_chunk_chars, min_chars=settings.min_chunk_chars,
                             exact_search_max=settings.exact_search_max, progress=timer)

    print(f"CPU: {cpu_description()}")
    print(f"corpus: {settings.corpus_dir}: {report.documents} documents, {report.passages} passages, "
          f"{report.duplicates_dropped} near-duplicates dropped, {len(report.skipped)} files skipped")
    print(f"model: {embedder.name}, {report.vector_index} vector search")
    for stage, seconds in timer.seconds.items():
        done, unit = timer.units[stage]
        print(f"  {stage:<14} {seconds:7.2f} s   {done:>6} {unit}")
    embedded = timer.units["embed"][0]
    print(f"  {'total':<14} {report.seconds:7.2f} s   = {report.passages / report.seconds:.1f} passages/s "
          f"(embedding alone {embedded / timer.seconds['embed']:.1f} passages/s)")
    print(f"peak memory (RSS): {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
