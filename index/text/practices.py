"""What a practice name is: a quoted phrase that names a way of working ("红色物业", "一小区一专员"), not a slogan (pure)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from index.text.chinese import quoted_phrases
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
