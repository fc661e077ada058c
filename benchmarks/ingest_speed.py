"""Time and memory of the stages before embedding (read, clean, chunk, de-duplicate) on one large text file.

Run: python benchmarks/ingest_speed.py [MB ...]   (default 2 8 32)
Each size is a report made of the corpus' own paragraphs, shuffled and numbered so few are exact repeats;
the time per MB should stay about flat as the file grows (the stages are meant to be linear).
"""

from __future__ import annotations

import dataclasses
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.build.builder import chunk_corpus, prepare_documents  # noqa: E402
from index.places.finder import main_places  # noqa: E402
from index.text.clean import fold  # noqa: E402
from index.chunk.dedupe import collapse_near_duplicates  # noqa: E402
from index.settings import PROJECT_ROOT  # noqa: E402


def synthetic_report(megabytes: float, seed: int = 7) -> str:
    """Paragraphs of corpus/ in random order, each given a number, until the text is that many MB."""
    paragraphs = [
        line.strip() for path in sorted((PROJECT_ROOT / "corpus").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 30
    ]
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < megabytes * 1024 * 1024:
        paragraph = f"第{len(out)}条。" + rng.choice(paragraphs)
        out.append(paragraph)
        size += len(paragraph.encode()) + 1
    return "\n".join(out)


def cpu_model() -> str:
    """The CPU model name and core count, for the printed numbers."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({len(__import__('os').sched_getaffinity(0))} cores)"
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    """Prints seconds per stage for each size."""
    sizes = [float(a) for a in sys.argv[1:]] or [2.0, 8.0, 32.0]
    print(f"CPU: {cpu_model()}; Python {platform.python_version()}")
    print("MB\tread+clean s\tchunk s\tdedupe s\ttotal s\ts/MB\tpassages\tpeak RSS MB")
    for megabytes in sizes:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "big.txt").write_text(synthetic_report(megabytes), encoding="utf-8")
            started = time.perf_counter()
            documents, _ = prepare_documents(Path(folder))
            documents = [dataclasses.replace(d, places=main_places(d)) for d in documents]
            cleaned = time.perf_counter()
            chunks = chunk_corpus(documents, max_chars=360, min_chars=120)
            chunked = time.perf_counter()
            kept, _ = collapse_near_duplicates(chunks, key=fold)
            done = time.perf_counter()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        total = done - started
        print(f"{megabytes:g}\t{cleaned - started:.1f}\t{chunked - cleaned:.1f}\t{done - chunked:.1f}\t"
              f"{total:.1f}\t{total / megabytes:.2f}\t{len(kept)}\t{rss:.0f}", flush=True)


if __name__ == "__main__":
    main()
