"""What `/place` costs at small and large scale: `python benchmarks/place_speed.py 70 20000`.

For each size, synthetic reports about one district (深圳市南山区), their passages quoting practice names
among plain sentences, are built by the real build (index.build.builder.build_index) with hashed
vectors (embedding is not what is timed), then loaded as a reader loads them. Times, warm, p50/p95:
`Browser.place_summary` (the digest the build stored) against `place_digest` over the place's passages
(what /place read at request time before the digest was stored).
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from random import Random

import numpy as np
import numpy.typing as npt
from common import cpu_description, p50_p95, timed, timed_ms  # before index/ (see common.py)

from index.answer.browse import Browser
from index.build.builder import build_index
from index.store.folder import load_index
from index.store.passages import place_digest

PASSAGES_PER_REPORT = 12
PRACTICES = ("五邻营造", "家园议事", "红色物业", "网格议事日", "一小区一专员", "骑手驿站", "邻里中心", "党建联盟")
SENTENCES = ("社区组织居民商量停车和加装电梯的事情。", "街道把服务站设在小区门口，方便老人办事。",
             "志愿者每周上门走访独居老人。", "物业公司和业委会定期开会，问题当场解决。")
WORDS = ("居民", "停车", "电梯", "老人", "物业", "议事", "楼栋", "服务", "志愿", "调解", "绿化", "食堂", "托育",
         "快递", "骑手", "网格", "走访", "安全", "消防", "垃圾", "分类", "文化", "健身", "医疗", "就业", "培训")


class HashedVectors:
    """An embedder giving each text a seeded random unit vector: the build runs whole, without a model."""

    name, dimension, runtime, precision, batch_size = "hashed-64", 64, "hashed", "float32", 256

    def _vector(self, text: str) -> npt.NDArray[np.float32]:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        vector = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
        return vector / np.linalg.norm(vector)

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self.encode_passages(texts)


def write_corpus(folder: Path, passages: int) -> None:
    """Reports about 南山区, PASSAGES_PER_REPORT paragraphs each, every paragraph different."""
    reports = max(1, passages // PASSAGES_PER_REPORT)
    random = Random(17)
    for report in range(reports):
        paragraphs = [f"深圳市南山区基层治理报告第{report}号"]
        for at in range(PASSAGES_PER_REPORT):
            n = report * PASSAGES_PER_REPORT + at
            practice = PRACTICES[n % len(PRACTICES)]
            # Words drawn at random, so near-duplicate removal keeps every passage.
            filler = "".join(random.choice(WORDS) for _ in range(60))
            paragraphs.append(f"南山区第{n}个社区推行“{practice}”，{SENTENCES[n % len(SENTENCES)]}{filler}。")
        (folder / f"r{report:06d}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")


def main() -> None:
    """Prints, per size, passages indexed and p50/p95 of the stored digest and of reading the passages."""
    sizes = [int(a) for a in sys.argv[1:]] or [70, 20_000]
    print(f"CPU: {cpu_description()}")
    print("passages\tbuild s\tstored digest p50 / p95 ms\tread from passages p50 / p95 ms\tsame")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
            corpus.mkdir()
            write_corpus(corpus, size)
            built, report = timed(lambda: build_index(corpus, index, HashedVectors(), max_chars=360, min_chars=120,
                                                      exact_search_max=1_000_000))
            records = load_index(index, model=HashedVectors.name).records
            browser = Browser(records)
            summary = browser.place_summary("南山")  # warm: the gazetteer, SQLite's page cache
            names = (summary.place,)
            read = place_digest(records, names)
            same = (read.practices, read.within, read.digest) == (summary.practices, summary.within, summary.digest)
            rounds = 20 if report.passages > 5000 else 200
            stored = [timed_ms(lambda: browser.place_summary("南山")) for _ in range(rounds)]
            scanned = [timed_ms(lambda: place_digest(records, names)) for _ in range(max(3, rounds // 10))]
            print("{}\t{:.1f}\t{:.2f} / {:.2f}\t{:.1f} / {:.1f}\t{}".format(
                report.passages, built, *p50_p95(stored), *p50_p95(scanned), same), flush=True)


if __name__ == "__main__":
    main()
