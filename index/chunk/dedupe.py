"""Collapse exact and near-duplicate passages across reports, so the index holds each text once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import numpy.typing as npt

from index.text.chinese import split_sentences
from index.records import Chunk

# 64 MinHash values in 16 bands of 4: a pair at Jaccard 0.8 shares a band with probability
# 1 - (1 - 0.8**4)**16 ≈ 0.9998, one at 0.3 with ≈ 0.12 (and is then rejected by the exact check).
_BANDS = 16
_ROWS = 4
_SEED = 20240125
_BATCH_TEXTS = 20_000  # bounds memory: one batch holds a few million shingles
# A passage whose sentences all but this share appear in one longer kept passage adds nothing.
_CONTAINED = 0.9
_MAX_POSTINGS = 8  # boilerplate sentences repeated everywhere need not point at every passage
# Passages that share a band but are not similar (common phrasing) would make each new passage check
# every earlier one, quadratic in a large file; a full bucket takes no more members. A near-duplicate
# still meets its original in one of the other 15 bands: missing all of them at Jaccard 0.8 is < 0.001.
_MAX_BUCKET = 16


BANDS = _BANDS  # band keys per passage (band_keys' width)


def dedupe_key(text: str, key: Callable[[str], str]) -> str:
    """The form of a passage text that near-duplicates are judged on: key(text) without whitespace."""
    return keyed_form(key(text))


def keyed_form(keyed: str) -> str:
    """dedupe_key of a text already passed through key (a build folds each passage once)."""
    return "".join(keyed.split())


def band_keys(keys: list[str]) -> npt.NDArray[np.uint64]:
    """MinHash band keys (len(keys), BANDS) of dedupe keys: passages sharing one are compared."""
    return _band_keys(keys) if keys else np.zeros((0, _BANDS), dtype=np.uint64)


def collapse_near_duplicates(
    chunks: Sequence[Chunk], *, key: Callable[[str], str], threshold: float = 0.8,
    bands: npt.NDArray[np.uint64] | None = None, keys: Sequence[str] | None = None,
) -> tuple[list[Chunk], dict[str, str]]:
    """Passages worth indexing, earliest of each near-duplicate group first, for the index builder.

    Two passages are near-duplicates when the Jaccard similarity of the character 3-shingles of
    key(text) is at least threshold; key folds away differences that do not matter (full-width
    forms, Traditional vs Simplified). Candidates come from MinHash with LSH banding, so the work
    grows with the number of passages, not with pairs; the banding is tuned for thresholds of about
    0.7 and up, below that some similar pairs are never compared. A passage almost wholly made of
    sentences of one longer kept passage is dropped too.

    keys: dedupe_key(chunk.text, key) of each chunk, when the caller has them (bands are made from them).

    Returns:
        The kept chunks in their original order, and each dropped chunk_id mapped to the kept
        chunk_id that stands for it.
    """
    keys = [dedupe_key(chunk.text, key) for chunk in chunks] if keys is None else list(keys)
    kept_flags, dropped = _collapse_similar(keys, threshold, bands)
    for index, container in _contained(chunks, keys, kept_flags, key).items():
        kept_flags[index] = False
        dropped[index] = container
    mapping = {chunks[i].chunk_id: chunks[j].chunk_id for i, j in dropped.items()}
    return [chunk for chunk, kept in zip(chunks, kept_flags) if kept], mapping


def jaccard(left: str, right: str) -> float:
    """Jaccard similarity of the character 3-shingle sets of two keyed texts, for verifying pairs."""
    a, b = _shingles(left), _shingles(right)
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def _shingles(text: str) -> set[str]:
    padded = text + "\0\0"  # so a text shorter than 3 characters still has a shingle
    return {padded[i : i + 3] for i in range(len(text))}


def collapse_new(
    chunks: Sequence[Chunk], indexed: npt.NDArray[np.uint64],
    indexed_chunks: Callable[[list[int]], list[Chunk]], *, key: Callable[[str], str], threshold: float = 0.8,
    keys: Sequence[str] | None = None,
) -> tuple[list[Chunk], dict[str, str], npt.NDArray[np.uint64]]:
    """Passages of new reports worth adding to an index whose passages have the band keys indexed (incremental builds).

    Each new passage, in order, is compared with every indexed passage that shares a band with it
    and with the new ones kept before it, and dropped for the first similar one (indexed first, by
    row), or when one longer of them holds nearly all its sentences; an indexed passage is never
    dropped, and indexed passages are never compared with each other (they were when indexed).
    indexed_chunks(rows) reads indexed passages. Returns the kept new passages, each dropped
    chunk_id mapped to its keeper, and the kept ones' band keys. keys: dedupe_key of each new passage, when
    the caller has them.
    """
    keys = [dedupe_key(chunk.text, key) for chunk in chunks] if keys is None else list(keys)
    bands = band_keys(keys)
    sharing: list[set[int]] = [set() for _ in chunks]  # indexed rows sharing a band with each new passage
    for column in range(_BANDS):
        by_value: dict[int, list[int]] = defaultdict(list)
        for row in np.flatnonzero(np.isin(indexed[:, column], bands[:, column])).tolist():
            by_value[int(indexed[row, column])].append(row)
        for i, value in enumerate(bands[:, column].tolist()):
            sharing[i].update(by_value.get(value, ()))
    near = sorted(set().union(*sharing))
    before = dict(zip(near, indexed_chunks(near)))
    before_keys = {r: dedupe_key(c.text, key) for r, c in before.items()}
    shingles: dict[tuple[bool, int], set[str]] = {}

    def shingled(new: bool, i: int) -> set[str]:
        found = shingles.get((new, i))
        if found is None:
            found = shingles[new, i] = _shingles(keys[i] if new else before_keys[i])
        return found

    kept: list[int] = []
    dropped: dict[int, str] = {}
    for i in range(len(chunks)):
        candidates = [(False, r) for r in sorted(sharing[i])]
        candidates += [(True, j) for j in kept if bool((bands[j] == bands[i]).any())]
        match = next(((new, j) for new, j in candidates
                      if _similar(shingled(True, i), shingled(new, j), threshold)), None)
        if match is None:
            kept.append(i)
        else:
            dropped[i] = chunks[match[1]].chunk_id if match[0] else before[match[1]].chunk_id
    pool = [*before.values(), *(chunks[i] for i in kept)]
    pool_keys = [*before_keys.values(), *(keys[i] for i in kept)]
    for index, container in _contained(pool, pool_keys, [True] * len(pool), key, fixed=len(before)).items():
        dropped[kept[index - len(before)]] = pool[container].chunk_id
    keep = [i for i in kept if i not in dropped]
    return ([chunks[i] for i in keep], {chunks[i].chunk_id: k for i, k in dropped.items()},
            bands[keep] if keep else np.zeros((0, _BANDS), dtype=np.uint64))


def _similar(a: set[str], b: set[str], threshold: float) -> bool:
    """Whether two shingle sets reach the Jaccard threshold."""
    if min(len(a), len(b)) < threshold * max(len(a), len(b)):  # the Jaccard bound: no set operation needed
        return False
    shared = len(a & b)
    return shared >= threshold * (len(a) + len(b) - shared)


def _collapse_similar(keys: list[str], threshold: float,
                      bands: npt.NDArray[np.uint64] | None = None) -> tuple[list[bool], dict[int, int]]:
    kept = [True] * len(keys)
    dropped: dict[int, int] = {}
    if not keys:
        return kept, dropped
    bands = _band_keys(keys) if bands is None else bands
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    shingles: dict[int, set[str]] = {}

    def shingled(i: int) -> set[str]:
        found = shingles.get(i)
        if found is None:  # not setdefault: that would shingle the text again on every comparison
            found = shingles[i] = _shingles(keys[i])
        return found

    def similar(i: int, j: int) -> bool:
        return _similar(shingled(i), shingled(j), threshold)

    for i in _colliding(bands):
        row = [(band, int(value)) for band, value in enumerate(bands[i])]
        match = next((j for slot in row for j in buckets.get(slot, ()) if similar(i, j)), None)
        if match is None:
            for slot in row:
                if len(buckets[slot]) < _MAX_BUCKET:
                    buckets[slot].append(i)
        else:
            kept[i] = False
            dropped[i] = match
    return kept, dropped


def _colliding(bands: npt.NDArray[np.uint64]) -> Iterator[int]:
    """Indices, in order, of passages that share at least one band value with another one."""
    shared = np.zeros(len(bands), dtype=bool)
    for column in bands.T:
        _, inverse, counts = np.unique(column, return_inverse=True, return_counts=True)
        shared |= counts[inverse] > 1
    return (int(i) for i in np.flatnonzero(shared))


def _band_keys(keys: list[str]) -> npt.NDArray[np.uint64]:
    """One uint64 per band per passage: equal values mean equal MinHash rows in that band."""
    signatures = np.concatenate(
        [_minhash(keys[start : start + _BATCH_TEXTS]) for start in range(0, len(keys), _BATCH_TEXTS)]
    ).astype(np.uint64)
    rows = signatures.reshape(len(keys), _BANDS, _ROWS)
    weights = _rng(1).integers(1, 2**63, size=_ROWS, dtype=np.uint64) | np.uint64(1)
    combined: npt.NDArray[np.uint64] = (rows * weights).sum(axis=2, dtype=np.uint64)  # wraps mod 2**64
    return combined


def _minhash(keys: list[str]) -> npt.NDArray[np.uint32]:
    """MinHash signatures (len(keys), bands*rows) over each key's character 3-shingles."""
    lengths = np.array([len(k) for k in keys], dtype=np.int64)
    padded = "".join(k + "\0\0" for k in keys)
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    # Shingle i of key k starts at its offset + i; the two padding characters never start one.
    offsets = np.concatenate([[0], np.cumsum(lengths + 2)[:-1]])
    starts = np.repeat(offsets, lengths) + _ranks(lengths)
    mixed = codes[starts] * np.uint64(0x9E3779B97F4A7C15)
    mixed ^= codes[starts + 1] * np.uint64(0xC2B2AE3D27D4EB4F)
    mixed ^= codes[starts + 2] * np.uint64(0x165667B19E3779F9)
    shingle = ((mixed ^ (mixed >> np.uint64(31))) >> np.uint64(32)).astype(np.uint32)
    rng = _rng(0)
    count = _BANDS * _ROWS
    multipliers = rng.integers(1, 2**32, size=count, dtype=np.uint32) | np.uint32(1)
    addends = rng.integers(0, 2**32, size=count, dtype=np.uint32)
    signatures = np.full((len(keys), count), np.iinfo(np.uint32).max, dtype=np.uint32)
    nonempty = lengths > 0
    if not nonempty.any():
        return signatures
    firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
    for column in range(count):
        # (a*x + b) mod 2**32 with odd a is a permutation of the shingle hashes.
        permuted = shingle * multipliers[column] + addends[column]
        signatures[nonempty, column] = np.minimum.reduceat(permuted, firsts)
    return signatures


def _ranks(lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0, 1, …, n-1 for each length n, concatenated: [2, 3] -> [0, 1, 0, 1, 2]."""
    total = int(lengths.sum())
    run_starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(total, dtype=np.int64) - run_starts


def _rng(stream: int) -> np.random.Generator:
    return np.random.default_rng([_SEED, stream])


def _contained(
    chunks: Sequence[Chunk], keys: list[str], kept: list[bool], key: Callable[[str], str], fixed: int = 0,
) -> dict[int, int]:
    """Kept passages whose sentences nearly all appear in one longer kept passage, with that passage.

    The first `fixed` passages are never dropped (indexed ones, in an incremental build).
    """
    # key() may change lengths, so sentences are keyed one by one rather than sliced from keys.
    sentences = [
        {"".join(key(chunk.text[a:b]).split()) for a, b in split_sentences(chunk.text)} - {""}
        for chunk in chunks
    ]
    postings: dict[str, list[int]] = defaultdict(list)
    contained: dict[int, int] = {}
    # Longest first, so every possible container has been decided before what it might contain.
    for i in sorted((i for i, k in enumerate(kept) if k), key=lambda i: (-len(keys[i]), i)):
        covered: dict[int, int] = defaultdict(int)
        for sentence in sentences[i]:
            for j in postings.get(sentence, ()):
                covered[j] += len(sentence)
        total = sum(len(s) for s in sentences[i])
        best = max(covered, key=lambda j: (covered[j], -j), default=None)
        if (i >= fixed and best is not None and total and covered[best] >= _CONTAINED * total
                and len(keys[best]) > len(keys[i])):
            contained[i] = best
            continue
        for sentence in sentences[i]:
            if len(postings[sentence]) < _MAX_POSTINGS:
                postings[sentence].append(i)
    return contained

