"""Rules about written Chinese that cleaning, chunking, metadata and search share: one definition each."""

from __future__ import annotations

import re

# Han characters: Extension A plus the unified block. Most rules use both; word-shape rules
# (jieba vocabulary, place names) use the unified block alone, where everyday characters live.
HAN = "\u3400-\u9fff"
HAN_BASIC = "\u4e00-\u9fff"
HAN_CHAR = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")
HAN_WORD = re.compile(f"^[{HAN_BASIC}]+$")

# Sentence ends: full-width, ASCII and small forms (﹔﹖﹗). NFKC turns ！？； into !?; but leaves 。,
# so both forms must be accepted.
SENTENCE_FINAL = "。！？；!?;﹔﹖﹗｡"
# Sentence-final for rejoining pieces of a page dump: an ellipsis ends a sentence there too.
SENTENCE_FINAL_OR_ELLIPSIS = SENTENCE_FINAL + "…"
# Closing quotes and brackets that belong to the sentence they follow: 。” ！」 ?)
CLOSERS = "”’」』）)】》〉〕］]\"'"
OPENERS = "（(【[［〔〈《“‘「『"
# A sentence may be cut inside only at these, and only when it alone is longer than a passage.
COMMAS = "，,、：:﹐"
SENTENCE_END = re.compile(rf"[{re.escape(SENTENCE_FINAL)}]+[{re.escape(CLOSERS)}]*")

# A section heading is a short line: chunking takes lines up to this many visible characters.
HEADING_MAX_CHARS = 32
# A report's headline may run longer than a section heading (metadata).
HEADLINE_MAX_CHARS = 60

# Pinyin glued after a character by some sites' ruby markup: 區(qū), 這(zhè), 產（chǎn）.
TONED_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_SYLLABLE = rf"(?:[a-z{TONED_VOWELS}]{{1,6}})"
PINYIN_GLOSS = re.compile(rf"(?<=[{HAN}])[(（]({_SYLLABLE}(?:\s{_SYLLABLE}){{0,3}})[)）]")
# Any bracketed Latin run, which a heading's length must not count if the cleaner left it in.
LATIN_GLOSS = re.compile(r"\([a-zA-Z\u00c0-\u024f]+\)")
# Plain-ASCII syllables count only when they spell real pinyin, so (ltd) or (abc) stay.
PLAIN_SYLLABLE = re.compile(
    r"^(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:a|ai|an|ang|ao|e|ei|en|eng|er|i|ia|ian|iang|iao|ie|in|ing|iong|iu|o|ong|ou|u|ua|uai|uan|uang"
    r"|ue|ui|un|uo|v|ve)$"
)

# "第 11 页 共 11 页", "第1页 / 共11页": page counters, sometimes glued to a paragraph's end.
PAGE_COUNTER = re.compile(r"\s*第\s*\d{1,4}\s*[页頁]\s*[/／,，]?\s*共\s*\d{1,4}\s*[页頁]\s*")
# A folded line that is nothing but page counters, or a bare "- 3 -".
PAGE_COUNTER_LINE = re.compile(r"^(?:\s*第\s*\d{1,4}\s*页\s*[/,]?\s*共\s*\d{1,4}\s*页\s*)+$|^-?\s*\d{1,4}\s*-?$")


def is_pinyin_gloss(gloss: str) -> bool:
    """Whether the inside of a bracket after a character is a pinyin gloss (toned, or real plain syllables)."""
    return any(ch in TONED_VOWELS for ch in gloss) or all(PLAIN_SYLLABLE.match(s) for s in gloss.split())


def ends_sentence(text: str) -> bool:
    """True when a text ends with sentence-final punctuation, closing quotes aside."""
    return text.rstrip().rstrip(CLOSERS).endswith(tuple(SENTENCE_FINAL_OR_ELLIPSIS))


def count_han(text: str) -> int:
    """How many Han characters a text holds (for telling English questions from Chinese ones)."""
    return len(HAN_CHAR.findall(text))


def is_pinyin_word(word: str) -> bool:
    """Whether a Latin word splits into toneless pinyin syllables ("Wangjing" yes, "Century" no)."""
    word = word.lower()
    reachable = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        reachable[end] = any(reachable[start] and PLAIN_SYLLABLE.match(word[start:end])
                             for start in range(max(0, end - 6), end))
    return reachable[-1]


# Quoted phrases name a practice exactly: “五邻营造”, "一小区一专员", 「先鋒學院」.
_QUOTED = re.compile(r"[“\"「『《]([^”\"」』》]{2,20})[”\"」』》]")


def quoted_phrases(text: str) -> list[str]:
    """Phrases a text puts in quotes, such as named practices: “五邻营造” -> 五邻营造."""
    return _QUOTED.findall(text)


# What counts as a year, for every stage: a report's date (ingest), a passage's years (store) and a
# question's years (search). 1900-2099: a report dated 1999 or a plan to 2050 is a year, not a count.
YEAR = r"(?:19|20)\d{2}"
# A year in report text is written as one: 2021年, 2021-07, 2021.7; a bare number is a count ("2000平方米").
_YEAR_IN_TEXT = re.compile(rf"(?<![\d.])({YEAR})(?:\s*年|[-/.](?:0?[1-9]|1[0-2])(?!\d))")


def years_in(folded: str) -> frozenset[int]:
    """The years a folded passage mentions."""
    return frozenset(int(m.group(1)) for m in _YEAR_IN_TEXT.finditer(folded))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of text, for the search engine's best-sentence highlight and for chunking.

    A sentence ends after 。！？；!?; (plus any closing quotes or brackets right after), or at a
    line break. ASCII "." never ends one, so 5.2% stays whole; an ASCII !?; between ASCII letters or
    digits (a URL's "?id=3", "1;2") does not either. Spans are stripped of surrounding
    whitespace: every non-space character lies in exactly one span, gaps hold only whitespace.
    """
    spans: list[tuple[int, int]] = []
    for line_start, line_end in line_spans(text):
        start = line_start
        for match in SENTENCE_END.finditer(text, line_start, line_end):
            end = match.end()
            if match.group() in "!?;" and _ascii_word(text, match.start() - 1) and _ascii_word(text, end):
                continue
            spans.extend(stripped_spans(text, start, end))
            start = end
        spans.extend(stripped_spans(text, start, line_end))
    return spans


def _ascii_word(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of text, without its line break."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"\n", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def stripped_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """text[start:end] without surrounding whitespace, as a span: one, or none when only whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if start < end else []
