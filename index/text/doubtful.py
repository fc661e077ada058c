"""Whether a passage's wording may differ from the original report, so a writer should check before quoting (pure).

Two kinds of damage a reader cannot see from the citation alone:
- garbled: a conversion left pieces of another script in the text (a pinyin gloss such as "qū" that
  lost its brackets, a "?" glued to Latin letters where a character was lost, replacement characters),
  or a photo caption or byline line runs into the start of the passage;
- reworded: the report is a document-sharing site's copy (its upload notice is in the text, which
  ingest records as kind "shared"); such copies are routinely reworded by machine to pass as new
  (深化实行 for 深化落实, 胜利举办 for 成功举办), so their wording is not the author's.
"""

from __future__ import annotations

import re

GARBLED = "garbled"
REWORDED = "reworded"

# A tone-marked vowel: Chinese reports never print one outside a pinyin gloss, and cleaning removes
# whole glosses "區(qū)", so one left over is a gloss the conversion broke.
_PINYIN_LEFT = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")
# A lost character: "?" or "？" glued to Latin letters ("區域?qū"), or the Unicode replacement character.
_LOST = re.compile(r"[?？][A-Za-z]|\ufffd")
# A caption or byline as the passage's first line: a short run of words with no sentence punctuation,
# a space before a 2-3 character name ("杭州市拱墅區委常委、組織部部長 施甜甜"), then the text.
_CAPTION = re.compile(r"\A[^。，,；;！!？?：:“”\"\n]{4,40}[ \u3000]+[\u4e00-\u9fff]{2,3}\n")


def doubtful_wording(text: str, *, document_kind: str = "") -> str:
    """GARBLED or REWORDED when a passage's wording may differ from the original, else ""."""
    if _PINYIN_LEFT.search(text) or _LOST.search(text) or _CAPTION.search(text):
        return GARBLED
    if document_kind == "shared":
        return REWORDED
    return ""
