"""Time and memory of the stages before embedding (read, clean, chunk, de-duplicate) on one large text file.

Run: python benchmarks/ingest_speed.py [MB ...]   (default 2 8 32)
Each size is a report made of the corpus' own paragraphs, shuffled and numbered so few are exact repeats;
the time per MB should stay about flat as the file grows (the stages are meant to be linear).
"""

from __future__ import annotations

import platform
import random
import sys
import tempfile
from pathlib import Path

from common import ROOT, cpu_description, peak_rss_mib, timed  # before index/ (see common.py)

from index.build.builder import chunk_corpus, prepare_documents
from index.chunk.dedupe import collapse_near_duplicates, keyed_form
from index.text.clean import fold


def synthetic_report(megabytes: float, seed: int = 7) -> str:
    """Paragraphs of corpus/ in random order, each given a number, until the text is that many MB."""
    paragraphs = [
        line.strip() for path in sorted((ROOT / "corpus").glob("*.txt"))
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


def main() -> None:
    """Prints seconds per stage for each size."""
    sizes = [float(a) for a in sys.argv[1:]] or [2.0, 8.0, 32.0]
    print(f"CPU: {cpu_description()}; Python {platform.python_version()}")
    print("MB\tread+clean s\tchunk s\tdedupe s\ttotal s\ts/MB\tpassages\tpeak RSS MB")
    for megabytes in sizes:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "big.txt").write_text(synthetic_report(megabytes), encoding="utf-8")
            # The build's own stage functions, in the order its plan calls them (index/build/builder.py).
            cleaning, (documents, _) = timed(lambda: prepare_documents(Path(folder)))
            chunking, (chunks, folded) = timed(lambda: chunk_corpus(documents, max_chars=360, min_chars=120))
            keys = [keyed_form(folded[c.chunk_id]) for c in chunks]  # as the build: each passage folded once
            deduplicating, (kept, _) = timed(lambda: collapse_near_duplicates(chunks, key=fold, keys=keys))
        total = cleaning + chunking + deduplicating
        print(f"{megabytes:g}\t{cleaning:.1f}\t{chunking:.1f}\t{deduplicating:.1f}\t"
              f"{total:.1f}\t{total / megabytes:.2f}\t{len(kept)}\t{peak_rss_mib():.0f}", flush=True)


if __name__ == "__main__":
    main()
