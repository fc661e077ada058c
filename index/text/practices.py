"""What a practice name is: a quoted phrase that names a way of working ("红色物业", "一小区一专员"), not a slogan (pure)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from index.text.chinese import quoted_phrases, split_sentences
from index.records import Chunk
from index.text.clean import fold

# Words that mark a quoted phrase as the name of a practice rather than a slogan or metaphor.
PRACTICE_WORDS = re.compile(
    r"机制|制度|工程|行动|计划|课堂|服务|党建|物业|网格|联盟|品牌|工作法|模式|体系|中心|驿站|学院|议事|共治|协同|"
    r"联建|专员|支部|书记|志愿|值日|菜单|示范|清单|工作室|平台|治理|营造|[0-9+]"
)


def practice_mentions(text: str) -> list[tuple[str, str]]:
    """(folded name, name as written) of each quoted practice name in a passage text, in order."""
    found = []
    for name in quoted_phrases(text):
        key = fold(name)
        if len(key) >= 3 and PRACTICE_WORDS.search(key):
            found.append((key, name))
    return found


def most_mentioned(mentions: Iterable[tuple[str, str]], *, limit: int) -> list[str]:
    """Names as first written, most mentioned first, from (folded name, name as written) pairs in corpus order."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for key, name in mentions:
        counts[key] += 1
        shown.setdefault(key, name)
    return [shown[key] for key, _ in counts.most_common(limit)]


def practice_names(chunks: Iterable[Chunk], *, limit: int) -> list[str]:
    """Quoted practice names in passages, most mentioned first; one entry per name whatever its script."""
    return most_mentioned((mention for chunk in chunks for mention in practice_mentions(chunk.text)), limit=limit)


# A digest lists this many named practices, most mentioned first: one phone screen; the rest are a
# `/place 南山 <question>` away.
DIGEST_PRACTICES = 8
# Named practices in the reports are short ("五邻营造", "网格议事日", "三联三领三服务", "组织部长访村居书记",
# 4–9 characters); quoted slogans run longer or list clauses ("推动社会治理重心向基层下移",
# "书记讲给书记听、书记做给书记看"), so a name over 10 characters or with a clause break is not listed.
PRACTICE_MAX_CHARS = 10
_CLAUSE_BREAK = re.compile(r"[、，,；;：:]")
# Counted things ("十项举措", "1+3+N") are figures, not practices.
_FIGURE = re.compile(r"[0-9+%]|^[一二三四五六七八九十百千两几]+[项个条类大种]")


def is_listable(name: str) -> bool:
    """Whether a practice name belongs in a place's digest: short, one clause, not a counted figure."""
    return not (_FIGURE.search(fold(name)) or len(name) > PRACTICE_MAX_CHARS or _CLAUSE_BREAK.search(name))


def names_practice(folded_text: str, folded_name: str) -> bool:
    """Whether a passage (folded) quotes a practice by its folded name, rather than as a document's title in
    《》 (a policy, a plan). Both folded by the caller, who checks many names against the same passages."""
    return folded_name in folded_text and f"《{folded_name}》" not in folded_text


def sentence_naming(text: str, name: str) -> str:
    """The sentence of a passage that names a practice (the passage's first sentence if none does)."""
    spans = split_sentences(text)
    for start, end in spans:
        if fold(name) in fold(text[start:end]):
            return text[start:end]
    return text[spans[0][0]:spans[0][1]] if spans else text
