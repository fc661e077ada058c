"""Pure str -> str normalisers that turn scraped report text into clean paragraphs, for meta.py and search."""

from __future__ import annotations

import re
import unicodedata

from index.text.chinese import HAN, PAGE_COUNTER, PINYIN_GLOSS, SENTENCE_END, ends_sentence, is_pinyin_gloss
from index.text.furniture import is_folded_caption, is_folded_furniture
from index.text.script import to_simplified

_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029"
                        r"\u202a-\u202e\u2060-\u2064\ufeff\ufffd]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")

# Download-site blurbs glued into the first page: "想知道…吗?那就快来吧!以下是我共享的…,希望能帮助到大家!"
_BLURBS = (
    re.compile(r"想(?:知道|了解)[^。!?！？]{0,40}吗\s*[?？]\s*"),
    re.compile(r"那就快来(?:吧|看看吧?)\s*[!！。]?\s*"),
    re.compile(r"以下是(?:我|小编|本站)?(?:共享|分享|整理|收集|精心整理)[^。!?！？]{0,50}[,，]\s*希望[^。!?！？]{0,20}[!！。]\s*"),
)
_PAGE_PIECE = re.compile(r"^(\d{1,3})[、.．]\s*")


def fold(text: str) -> str:
    """Matching form of a text (NFKC, Simplified, lowercase) for keyword search, places, dedupe and eval."""
    return to_simplified(unicodedata.normalize("NFKC", text)).lower()


def strip_pinyin(text: str) -> str:
    """Remove pinyin glosses glued after characters, keeping real parentheses; for display text."""
    return PINYIN_GLOSS.sub(_drop_if_pinyin, text)


def _drop_if_pinyin(match: re.Match[str]) -> str:
    if is_pinyin_gloss(match.group(1)):
        return ""
    return match.group(0)


def repair_mojibake(text: str) -> str:
    """Re-decode fragments where GBK bytes were read one byte out of step, e.g. "?!渡钲谑薪ㄔO" -> "。《深圳市建設"."""
    return _SHIFTED_GBK.sub(_redecode_shifted, text)


# A lost lead byte shows as "?", then characters made of misaligned byte pairs, until an ASCII
# byte (shown as a Latin letter or digit) brings the decoder back in step.
_SHIFTED_GBK = re.compile(r"\?([^\sA-Za-z0-9?]{2,40}?[A-Za-z0-9])")
_CJK_OR_PUNCT = re.compile(rf"^[{HAN}\u3000-\u303f\uff01-\uff5e“”‘’…—·]+$")
_LEAD_BYTES = (b"\xa1", b"\xa3")  # the usual leads of GBK punctuation: 。《、“ and ！，


def _redecode_shifted(match: re.Match[str]) -> str:
    garbled = match.group(1)
    try:
        # NFKC may have turned the garble's full-width ！ into "!": undo that before re-encoding.
        raw = "".join(_to_fullwidth(ch) for ch in garbled[:-1]).encode("gbk") + garbled[-1].encode("ascii")
    except UnicodeEncodeError:
        return match.group(0)
    for lead in _LEAD_BYTES:
        try:
            repaired = (lead + raw).decode("gbk")
        except UnicodeDecodeError:
            continue
        if _CJK_OR_PUNCT.match(repaired) and len(repaired) < len(garbled) + 1:
            return repaired
    return match.group(0)


def _to_fullwidth(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


def is_furniture(line: str) -> bool:
    """True when a line is site chrome (nav, share, QR, credits, copyright, ICP, download site, spam)."""
    return is_folded_furniture(fold(line))


def is_caption(line: str) -> bool:
    """True when a line is a photo caption or speaker credit (office + name), which never heads a section."""
    return is_folded_caption(fold(line))


def normalize_lines(raw: str) -> list[str]:
    """Lines of a raw text with invisible chars, pinyin, mojibake, page counters and blurbs removed; for meta."""
    text = _INVISIBLE.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = strip_pinyin(repair_mojibake(text))
    lines = (_SPACES.sub(" ", _strip_blurbs(strip_page_counters(line))).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def strip_page_counters(line: str) -> str:
    """Remove "第 N 页 共 M 页" counters wherever they sit in a line, keeping a space between words."""
    return PAGE_COUNTER.sub(" ", line).strip()


def _strip_blurbs(line: str) -> str:
    for blurb in _BLURBS:
        line = blurb.sub(" ", line)
    return line


# A reporter's credit glued to the end of the last paragraph: "…頒發聘書。(本刊記者 劉艷梅)".
_TRAILING_CREDIT = re.compile(
    r"[(（]\s*(?:本刊|本报|本報|特约|特約)?(?:记者|記者|通讯员|通訊員|撰稿|供稿|作者|文|图|圖)[\s:：/]*"
    r"[^()（）]{1,30}[)）]\s*$"
)


def strip_trailing_credit(line: str) -> str:
    """Drop a reporter or author credit in brackets from the end of a paragraph (metadata has read it)."""
    return _TRAILING_CREDIT.sub("", line).rstrip()


# Furniture rules judge a line; a longer one is a paragraph, or a whole report whose line breaks were
# lost, and is judged sentence by sentence (001 on one line holds a spam line and a copyright notice).
LONG_LINE_CHARS = 300  # the longest line any rule in furniture.py looks at
_SENTENCE_PIECE = re.compile(rf".+?(?:{SENTENCE_END.pattern}|$)")


def drop_furniture(line: str) -> str:
    """The line without site chrome: all of it when it is chrome, else its chrome sentences if it is long."""
    if len(line) <= LONG_LINE_CHARS:
        return "" if is_furniture(line) else line
    return "".join(piece for piece in _SENTENCE_PIECE.findall(line) if not is_furniture(piece)).strip()


def clean_lines(lines: list[str]) -> list[str]:
    """Paragraphs from normalised lines: chrome dropped, page breaks rejoined, repeats kept once."""
    kept = [strip_trailing_credit(drop_furniture(line)) for line in lines]
    return drop_repeated_paragraphs(rejoin_page_breaks([line for line in kept if line]))


def clean_text(raw: str) -> str:
    """Whole cleaning pipeline for one raw report: paragraphs in the report's own characters, one per line."""
    return "\n".join(clean_lines(normalize_lines(raw)))


def rejoin_page_breaks(paragraphs: list[str]) -> list[str]:
    """Undo a document dump's "1、 2、 3、…" page pieces, joining a piece that continues mid-sentence."""
    numbers = [_piece_number(p) for p in paragraphs]
    if not _is_page_dump(paragraphs, numbers):
        return paragraphs
    joined: list[str] = []
    for paragraph, number in zip(paragraphs, numbers):
        body = _PAGE_PIECE.sub("", paragraph, count=1) if number else paragraph
        continues = number and joined and not ends_sentence(joined[-1])
        if continues or (number and joined and body[:1] in ",，、;；:："):
            joined[-1] = joined[-1] + body.lstrip(",，、")
        else:
            joined.append(body)
    return joined


def _piece_number(paragraph: str) -> int:
    match = _PAGE_PIECE.match(paragraph)
    return int(match.group(1)) if match else 0


def _is_page_dump(paragraphs: list[str], numbers: list[int]) -> bool:
    # Page pieces count up 1, 2, 3 … and some start mid-sentence; a genuine list follows a full stop.
    numbered = [n for n in numbers if n]
    if len(numbered) < 3 or numbered != list(range(1, len(numbered) + 1)):
        return False
    mid_sentence = sum(
        1 for prev, paragraph, n in zip(paragraphs, paragraphs[1:], numbers[1:])
        if n > 1 and not ends_sentence(prev)
    )
    return mid_sentence >= max(1, len(numbered) // 3)


def drop_repeated_paragraphs(paragraphs: list[str]) -> list[str]:
    """Keep the first copy of each paragraph, so a body a site printed twice is indexed once."""
    seen: set[str] = set()
    kept: list[str] = []
    for paragraph in paragraphs:
        key = re.sub(r"\W", "", fold(paragraph))
        if len(key) >= 6 and key in seen:
            continue
        seen.add(key)
        kept.append(paragraph)
    return kept
