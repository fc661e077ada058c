"""Chinese script and punctuation for readers: Simplified/Traditional conversion (the only opencc code),
the script a question is written in, and full-width punctuation and consistent quotation marks for quotes.

Only what is shown changes: matching always uses clean.fold(), so a reader's choice never moves results.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

import opencc

from index.text.chinese import HAN

Script = Literal["simplified", "traditional"]
# A reader's setting: "auto" follows the script of their own question; "original" is the report's own.
ScriptChoice = Literal["auto", "simplified", "traditional", "original"]
SCRIPT_CHOICES: tuple[ScriptChoice, ...] = ("auto", "simplified", "traditional", "original")

# Han characters and the full-width punctuation that sits among them.
_CJK = rf"{HAN}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20“”‘’…—"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_HAN_CHAR = re.compile(f"[{HAN}]")
# ASCII , ; : ? ! touching Chinese on either side: "治理,引導" -> "治理，引導". "14:57", "5,000", URLs stay.
_HALF_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}])\s*([,;:?!])\s*|\s*([,;:?!])\s*(?=[{_CJK}])")
# A bracket pair around Chinese, or right after it: "黨校(國家行政學院)" -> "黨校（國家行政學院）".
_PARENS = re.compile(r"\(([^()\n]*)\)")
# Small-form and stray marks some sites use: ﹔ (small semicolon), ﹐ (small comma).
_SMALL_FORMS = str.maketrans({"﹔": "；", "﹐": "，", "﹕": "：", "﹖": "？", "﹗": "！"})
# Corner brackets become the quotation marks mainland texts use, so a quote reads the same everywhere.
_CORNER_QUOTES = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’"})
_STRAIGHT_QUOTED = re.compile(rf'"([^"\n]*[{HAN}][^"\n]*)"')
_NESTED = str.maketrans({"“": "‘", "”": "’", "‘": "“", "’": "”"})


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    # Building a converter reads its dictionaries: once per process and direction.
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Text in Simplified characters, character by character (OpenCC t2s), for matching (clean.fold)."""
    converted: str = _converter("t2s").convert(text)
    return converted


def to_traditional(text: str) -> str:
    """Text in Traditional characters, character by character (OpenCC s2tw), for telling scripts apart."""
    converted: str = _converter("s2tw").convert(text)
    return converted


# Words the phrase dictionaries would change that the reports (and mainland Traditional copies of them)
# write unchanged: OpenCC s2t gives 瞭解 and 合夥, but 000 writes "深入的了解" and 002 "合伙人" in
# Traditional. Protected words pass through conversion untouched.
_KEPT_WORDS = re.compile("了解|合伙")


def _by_phrase(text: str, config: str) -> str:
    pieces = []
    last = 0
    for match in _KEPT_WORDS.finditer(text):
        pieces += [_converter(config).convert(text[last:match.start()]), match.group(0)]
        last = match.end()
    pieces.append(_converter(config).convert(text[last:]))
    return "".join(pieces)


def display_simplified(text: str) -> str:
    """Text for a Simplified reader: phrase-level conversion, so 隨著/影響著 read 随着/影响着, 顯著 stays 显著."""
    # tw2s rather than t2s: the Traditional copies write the particle 着 as 著 (隨著, 承載著); t2s keeps
    # that 著, tw2s's phrase tables tell the particle from 著 in 显著/著名/著作.
    return _by_phrase(text, "tw2s")


def display_traditional(text: str) -> str:
    """Text for a Traditional reader: OpenCC phrase-level conversion in the forms the reports' own
    Traditional copies write, without the phrase forms they do not (瞭解, 合夥)."""
    # s2tw, not s2t: 000–002 write 為 51 times, 群 17, 眾 9, 著 8, 裡 6 and never s2t's 爲, 羣, 衆, 着, 裏
    # (counted over the three files); s2tw changes characters only, never vocabulary (s2twp would).
    return _by_phrase(text, "s2tw")


def dominant_script(text: str) -> Script | None:
    """The script most of a text's script-specific characters belong to (a Simplified report with a stray
    導 is still Simplified); None without any."""
    traditional = sum(a != b for a, b in zip(text, to_simplified(text)))
    simplified = sum(a != b for a, b in zip(text, to_traditional(text)))
    if traditional == simplified:
        return None
    return "traditional" if traditional > simplified else "simplified"


def script_of(text: str) -> Script | None:
    """The script a text is written in; None when it has no Chinese or only characters both scripts share."""
    if not _HAN_CHAR.search(text):
        return None
    if to_simplified(text) != text:
        return "traditional"
    if to_traditional(text) != text:
        return "simplified"
    return None


def question_script(question: str) -> Script | None:
    """The script a question asks for: its own; Simplified for a question with no Chinese (English); None when
    its Chinese fits both scripts, so the reader's last choice stands."""
    if question.strip() and not _HAN_CHAR.search(question):
        return "simplified"  # docs/citations.md: English questions get Simplified quotes
    return script_of(question)


def in_script(text: str, script: str) -> str:
    """Report text shown in a script ("simplified", "traditional"); any other value keeps the report's own.

    Text already in that script is returned as it is, so a quote from a report in the reader's script is
    exactly the report's words.
    """
    if script not in ("simplified", "traditional") or dominant_script(text) == script:
        return text
    return display_simplified(text) if script == "simplified" else display_traditional(text)


def resolve_script(choice: str, question: str = "", *, fallback: str = "simplified") -> str:
    """The script to show: a fixed choice, or for "auto" the question's own (fallback when it has none)."""
    if choice != "auto":
        return choice
    return question_script(question) or fallback


def display_punctuation(text: str) -> str:
    """Full-width Chinese punctuation among Chinese text and “”/‘’ quotation marks; Latin text is untouched."""
    text = text.translate(_SMALL_FORMS).translate(_CORNER_QUOTES)
    text = _STRAIGHT_QUOTED.sub(r"“\1”", text)
    text = _HALF_NEXT_TO_CJK.sub(lambda m: _HALF_WIDTH[m.group(1) or m.group(2)], text)
    return _PARENS.sub(_full_width_parens, text)


def _full_width_parens(match: re.Match[str]) -> str:
    before = match.string[match.start() - 1] if match.start() else ""
    if _HAN_CHAR.search(match.group(1)) or _CJK_CHAR.fullmatch(before or " "):
        return f"（{match.group(1)}）"
    return match.group(0)


def quoted(text: str) -> str:
    """Text inside Chinese quotation marks, its own quotation marks swapped one level (“…‘…’…”)."""
    return f"“{display_punctuation(text.strip()).translate(_NESTED)}”"
