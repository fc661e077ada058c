"""Bulk passage embedding on a CUDA GPU: `python benchmarks/gpu_embed.py [--passages 200000]`.

On the same passages (the reports' own sentences recombined into passages of about 300 characters,
the size the build indexes), one table:
- sentence-transformers' own encode in float16, batches of 1,024: how the previous release built on
  a GPU (issue 8 measured 3,400 passages/s on an H100 this way);
- the build's path: `load_embedder` with device cuda (GpuBatches in index/model/embed_torch.py) called
  through `index.model.embed.embed_passages`, the function the build calls, at several batch sizes.
It prints passages/s and tokens/s, the GPU and library versions, and how far the two paths' vectors
agree (cosine). Without CUDA it says so and stops.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

from common import ROOT, timed  # before index/ (see common.py)
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def passages_from_reports(count: int, chars: int, seed: int = 7) -> list[str]:
    """count passages of about chars characters, each a run of random sentences from corpus/."""
    sentences = [s.strip() for path in sorted((ROOT / "corpus").glob("*.txt"))
                 for s in _SENTENCE.findall(path.read_text(encoding="utf-8")) if len(s.strip()) >= 8]
    pick = random.Random(seed)
    passages = []
    for _ in range(count):
        text = ""
        while len(text) < chars:
            text += pick.choice(sentences)
        passages.append(text[:chars])
    return passages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=200_000, help="passages embedded per timed run")
    parser.add_argument("--chars", type=int, default=300, help="characters per passage")
    parser.add_argument("--batches", default="512,1024,2048", help="GPU batch sizes tried on the build's path")
    parser.add_argument("--model", default="", help="model folder (default: the settings' model)")
    parser.add_argument("--json", default="", help="also write the results to this file")
    args = parser.parse_args()

    import numpy as np
    import torch

    from index.model.embed import embed_passages, load_embedder
    from index.settings import IndexSettings

    if not torch.cuda.is_available():
        print("no CUDA GPU here: no GPU figure (run this on a machine with one).")
        return 0
    import sentence_transformers
    import transformers

    overrides = {"embedding_model": args.model} if args.model else {}
    texts = passages_from_reports(args.passages, args.chars)
    print(f"GPU: {torch.cuda.get_device_name(0)}; torch {torch.__version__}, sentence-transformers "
          f"{sentence_transformers.__version__}, transformers {transformers.__version__}")
    rows: list[dict[str, object]] = []

    def synchronised(run: Callable[[], object]) -> object:
        result = run()
        torch.cuda.synchronize()  # the GPU's queued work counts
        return result

    def row(label: str, run: Callable[[], object]) -> np.ndarray:
        torch.cuda.synchronize()
        seconds, vectors = timed(lambda: synchronised(run))
        rows.append({"path": label, "passages": len(texts), "seconds": round(seconds, 2),
                     "passages_per_s": round(len(texts) / seconds)})
        print(f"{label:55s} {len(texts) / seconds:10,.0f} passages/s  ({seconds:.1f} s)", flush=True)
        return np.asarray(vectors)

    embedder = load_embedder(IndexSettings(device="cuda", runtime="torch", precision="float16", **overrides),
                             bulk=True)
    model = embedder.model  # type: ignore[attr-defined]  # the torch embedder's; the release's path calls it itself
    tokens = model.tokenizer([embedder.passage_prompt + t for t in texts[:2000]])["input_ids"]
    print(f"{len(texts):,} passages of {args.chars} characters, {np.mean([len(t) for t in tokens]):.0f} tokens "
          f"each on average; model {embedder.name}, {embedder.precision}")
    warm = texts[:4096]
    model.encode_document(warm, prompt=embedder.passage_prompt, batch_size=1024, convert_to_numpy=True)
    embed_passages(embedder, warm, {})

    release = row("sentence-transformers encode, float16, batch 1024",
                    lambda: model.encode_document(texts, prompt=embedder.passage_prompt, batch_size=1024,
                                                  convert_to_numpy=True, normalize_embeddings=True))
    bulk = embedder.bulk  # type: ignore[attr-defined]  # GpuBatches: device cuda and runtime torch asked above
    prompted = [embedder.passage_prompt + t for t in texts]
    encoded: list[list[int]] = []
    row("tokenising alone (CPU, Rust tokenizer, 4,096 a call)",
          lambda: [encoded.extend(bulk.token_ids(prompted[i:i + 4096])) for i in range(0, len(prompted), 4096)])

    # The GPU's share: the same batches, tokenised and padded beforehand, through the model.
    order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))
    padded = []
    for start in range(0, len(order), 1024):
        batch_rows = order[start:start + 1024]
        lengths = np.array([len(encoded[r]) for r in batch_rows])
        ids = np.full((len(batch_rows), lengths.max()), model.tokenizer.pad_token_id, dtype=np.int64)
        for at, row in enumerate(batch_rows):
            ids[at, :lengths[at]] = encoded[row]
        mask = (np.arange(ids.shape[1])[None, :] < lengths[:, None]).astype(np.int64)
        padded.append((torch.from_numpy(ids).pin_memory(), torch.from_numpy(mask).pin_memory()))

    def forward_only() -> list[object]:
        with torch.inference_mode():
            for ids, mask in padded:
                model({"input_ids": ids.to("cuda", non_blocking=True), "attention_mask": mask.to("cuda", non_blocking=True)})
        return []

    row("model forward alone (GPU, pre-tokenised, batch 1024)", forward_only)
    ours = None
    for batch in [int(b) for b in args.batches.split(",")]:
        bulk.batch_size = batch
        embedder.batch_size = batch
        ours = row(f"build path (embed_passages, GpuBatches), batch {batch}",
                     lambda: embed_passages(embedder, texts, {})[0])
    agreement = (release * ours).sum(axis=1)
    print(f"cosine between the two paths' vectors: min {agreement.min():.5f}, mean {agreement.mean():.6f}")
    print(f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")
    if args.json:
        Path(args.json).write_text(json.dumps({"gpu": torch.cuda.get_device_name(0), "rows": rows,
                                               "cosine_min": float(agreement.min())}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
