"""Times the configured embedder: warm single-question latency and passages per second, for tuning on a target CPU."""

from __future__ import annotations

import argparse
from pathlib import Path

from common import cpu_description, p50_p95, timed, timed_ms  # before index/ (see common.py)

from index.model.embed import load_embedder
from index.model.provision import provision_default_model
from index.settings import DEFAULT_MODEL_DIR, IndexSettings

QUESTIONS = [
    "快递骑手怎样参与社区治理？",
    "红色物业是怎么运作的",
    "黨建如何引領老舊小區改造？",
    "网格员的职责有哪些",
    "How do party branches organise volunteers?",
]
# About 300 characters, the length of an indexed passage.
PASSAGE = (
    "近年来，某市坚持以党建引领基层治理，推动党组织向小区、楼栋延伸，建立“红色物业”联盟，"
    "组织快递员、外卖骑手等新就业群体参与社区巡查和志愿服务。街道党工委牵头成立议事协商会，"
    "每月收集居民诉求，按照“小事不出网格、大事不出社区”的原则分级办理，办理结果在公示栏和微信群同步公开。"
    "在老旧小区改造中，社区党委先后召开二十余次居民会议，逐户征求意见，确定加装电梯、改造管网和增设充电桩等项目，"
    "并引入社会组织参与后续管理。党员志愿者认领楼栋，定期走访独居老人和困难家庭，形成了共建共治共享的治理格局。"
    "下一步，该市将总结推广这些做法，完善激励机制，让更多居民从旁观者变为参与者。"
)


def main() -> int:
    """Prints single-query p50/p95 in ms and passages/s."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=200, help="timed single-question calls")
    parser.add_argument("--passages", type=int, default=256, help="passages embedded for throughput")
    args = parser.parse_args()

    settings = IndexSettings()
    if Path(settings.embedding_model) == DEFAULT_MODEL_DIR:
        provision_default_model(DEFAULT_MODEL_DIR)
    loading, embedder = timed(lambda: load_embedder(settings, bulk=True))  # as a build gets it: a CUDA GPU if any
    print(f"model {embedder.name} ({embedder.dimension} dims) on {embedder.runtime} {embedder.precision}, "
          f"loaded in {loading:.2f} s; CPU: {cpu_description()}")

    for question in QUESTIONS * 4:  # warm up allocator, tokenizer caches and thread pools
        embedder.encode_queries([question])
    latencies_ms = [timed_ms(lambda: embedder.encode_queries([QUESTIONS[i % len(QUESTIONS)]]))
                    for i in range(args.queries)]
    p50, p95 = p50_p95(latencies_ms)
    print(f"single query: p50 {p50:.1f} ms, p95 {p95:.1f} ms, min {min(latencies_ms):.1f} ms")

    passages = [f"{i}. {PASSAGE[: 260 + i % 40]}" for i in range(args.passages)]
    elapsed, _ = timed(lambda: embedder.encode_passages(passages))
    print(f"passages: {len(passages) / elapsed:.1f}/s (about {len(PASSAGE)} chars each, batch {embedder.batch_size})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
