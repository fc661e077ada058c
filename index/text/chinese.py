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
