"""Cut a cleaned Document into passages with exact character offsets, for indexing and citing."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.text.chinese import CLOSERS as _CLOSERS
from index.text.chinese import COMMAS as _COMMAS
from index.text.chinese import HEADING_MAX_CHARS, LATIN_GLOSS
from index.text.chinese import OPENERS as _OPENERS
from index.text.chinese import line_spans, split_sentences, stripped_spans
from index.text.chinese import SENTENCE_FINAL as _FINAL
from index.text.clean import fold, is_caption
from index.records import Chunk, Document

_NOT_HEADING_END = _FINAL + _COMMAS + "…—-"
_WORD = re.compile(r"\w")
_DASHES = re.compile(r"^[—\-–~～]+")


_BYLINE = re.compile(
    r"(?:来源|來源|记者|記者|编辑|編輯|责编|責編|作者|通讯员|通訊員|摄影|攝影|位置|时间|時間|日期|发布|發佈|發布|"
    r"出处|出處|电话|電話|邮箱|郵箱|地址|网址|網址|关键词|關鍵詞|标签|標籤|分享)\s*:|\d:\d"
)





def is_heading(line: str, *, max_chars: int = HEADING_MAX_CHARS) -> bool:
    """Whether a line is a short section heading (not a sentence), for setting Chunk.section.

    Headings carry no sentence-final punctuation anywhere ("一是…。" lead sentences are body text),
    do not end in a comma, are not bylines ("來源:四川黨的建設", "記者:…") or photo captions,
    and are not bracketed editor notes such as "(責編:王珂園)".
    """
    text = line.strip()
    visible = LATIN_GLOSS.sub("", text)
    if not text or len(visible) > max_chars or len(_WORD.findall(visible)) < 2:
        return False
    if any(char in _FINAL for char in text) or text[-1] in _NOT_HEADING_END:
        return False
    plain = text.replace("：", ":")
    # "红色物业:推行物业服务+" is a heading; bylines and furniture ("來源:…", "記者:…", "當前位置:…",
    # a "14:57" time) are not, nor is a label with nothing after it.
    if ":" in plain and (plain.endswith(":") or _BYLINE.search(plain)):
        return False
    if is_caption(text):  # "杭州市拱墅區委常委、組織部部長 施甜甜" names who is in a photo, not a topic
        return False
    return not (text[0] in _OPENERS[:5] and text[-1] in _CLOSERS)


def chunk_document(doc: Document, *, max_chars: int = 360, min_chars: int = 60) -> list[Chunk]:
    """Passages of a document for the index: paragraphs kept whole when they fit, never cut mid-sentence.

    Headings become Chunk.section of the passages below them; title/subtitle lines (and "——" lines)
    above the first paragraph are dropped. Paragraphs shorter than min_chars join a neighbour in the same section. A longer
    paragraph is split at sentence ends into the fewest pieces of at most max_chars, balanced in
    length. Only a single sentence longer than max_chars is cut inside, at a comma (，,、：), and
    a comma-free run longer than max_chars is cut hard at max_chars.
    """
    chunks: list[Chunk] = []
    for section, groups in _section_groups(doc, max_chars=max_chars, min_chars=min_chars):
        for start, end in (p for g in groups for p in _split_group(doc.text, g, max_chars=max_chars)):
            position = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}:{position}",
                    doc_id=doc.doc_id,
                    position=position,
                    section=section,
                    text=doc.text[start:end],
                    start=start,
                    end=end,
                    places=doc.places,
                )
            )
    return chunks






def _title_key(line: str) -> str:
    return _DASHES.sub("", "".join(line.split()))


def _section_groups(
    doc: Document, *, max_chars: int, min_chars: int
) -> list[tuple[str, list[tuple[int, int]]]]:
    """Body paragraphs grouped by section, short ones already joined to a neighbour."""
    paragraphs = [span for line in line_spans(doc.text) for span in stripped_spans(doc.text, *line)]
    titles = {_title_key(t) for t in (doc.title, doc.subtitle) if _title_key(t)}
    sections: list[tuple[str, list[tuple[int, int]]]] = [("", [])]
    seen_body = False
    for start, end in paragraphs:
        line = doc.text[start:end]
        if not seen_body and _title_key(line) in titles:
            sections = [("", [])]  # whatever stood above the title was page furniture
        elif not seen_body and _DASHES.match(line):
            continue  # "——深圳市南山區的創新實踐": a subtitle the metadata did not name
        elif is_heading(line):
            sections.append((line, []))
        else:
            sections[-1][1].append((start, end))
            seen_body = True
    return [
        (section, _join_short(doc.text, spans, max_chars=max_chars, min_chars=min_chars))
        for section, spans in sections
        if spans
    ]


def _join_short(
    text: str, spans: list[tuple[int, int]], *, max_chars: int, min_chars: int
) -> list[tuple[int, int]]:
    """Merge each paragraph shorter than min_chars into a neighbour, so no passage is a fragment.

    A paragraph ending in a colon leads into the next one; a bracketed note belongs to the one
    before; otherwise the shorter neighbour that still fits within max_chars is taken.
    """
    groups = list(spans)
    i = 0
    while i < len(groups):
        start, end = groups[i]
        if end - start >= min_chars or len(groups) == 1:
            i += 1
            continue
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(groups)]
        line = text[start:end]
        if line[-1] in "：:":
            neighbours.sort(key=lambda j: j < i)
        elif line[0] in _OPENERS[:5]:
            neighbours.sort(key=lambda j: j > i)
        else:
            neighbours.sort(key=lambda j: groups[j][1] - groups[j][0])
        fitting = [j for j in neighbours if _joined_len(groups, i, j) <= max_chars]
        j = (fitting or neighbours)[0]
        low, high = min(i, j), max(i, j)
        groups[low : high + 1] = [(groups[low][0], groups[high][1])]
        i = low  # the merged group may still be short
    return groups


def _joined_len(groups: Sequence[tuple[int, int]], i: int, j: int) -> int:
    return groups[max(i, j)][1] - groups[min(i, j)][0]


def _split_group(text: str, group: tuple[int, int], *, max_chars: int) -> list[tuple[int, int]]:
    """Cut one paragraph group into balanced pieces of at most max_chars at sentence ends."""
    start, end = group
    if end - start <= max_chars:
        return [group]
    units = [
        piece
        for sentence in split_sentences(text[start:end])
        for piece in _split_long_sentence(text, (start + sentence[0], start + sentence[1]), max_chars)
    ]
    return _balanced(text, units, max_chars=max_chars)


def _split_long_sentence(text: str, span: tuple[int, int], max_chars: int) -> list[tuple[int, int]]:
    """Clauses of a sentence too long for one passage: cut after commas, or hard at max_chars."""
    start, end = span
    if end - start <= max_chars:
        return [span]
    cuts = [start + m.end() for m in re.finditer(rf"[{re.escape(_COMMAS)}]+", text[start:end])]
    pieces: list[tuple[int, int]] = []
    for cut in [*cuts, end]:
        if cut <= start:
            continue
        while cut - start > max_chars:  # a comma-free run: nothing better than a hard cut
            pieces.extend(stripped_spans(text, start, start + max_chars))
            start += max_chars
        pieces.extend(stripped_spans(text, start, cut))
        start = cut
    return pieces


def _balanced(text: str, units: list[tuple[int, int]], *, max_chars: int) -> list[tuple[int, int]]:
    """Group consecutive units into the fewest pieces <= max_chars, lengths as even as possible."""
    total = units[-1][1] - units[0][0]
    target = total / max(1, -(-total // max_chars))
    # best[k] = (pieces, squared deviation from target) for units[:k]; from[k] = where its last piece starts
    best: list[tuple[int, float]] = [(0, 0.0)] + [(len(units) + 1, 0.0)] * len(units)
    origin = [0] * (len(units) + 1)
    for k in range(1, len(units) + 1):
        piece_end = units[k - 1][1]
        j = k - 1
        while j >= 0:
            length = piece_end - units[j][0]
            if length > max_chars and j < k - 1:
                break
            cost = (best[j][0] + 1, best[j][1] + (length - target) ** 2)
            if cost < best[k]:
                best[k], origin[k] = cost, j
            j -= 1
    pieces: list[tuple[int, int]] = []
    k = len(units)
    while k > 0:
        j = origin[k]
        pieces.append((units[j][0], units[k - 1][1]))
        k = j
    return pieces[::-1]


def index_text(chunk: Chunk) -> str:
    """What is embedded, keyword-indexed and judged for coverage: the passage under its section heading."""
    return f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text


def folded_index_text(chunk: Chunk, folded_text: str) -> str:
    """fold(index_text(chunk)) from fold(chunk.text), which a build works out once per passage.

    fold keeps lines apart (NFKC, OpenCC phrases and lowercase never join across a line break), so the
    heading is folded alone: index_text's rule, on folded text.
    """
    return f"{fold(chunk.section)}\n{folded_text}" if chunk.section else folded_text
