"""What a message asks: the question and an optional place, parsed from the text both front ends receive."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "/place 南山 快递骑手" limits a question to a place; "/place@MyBot 南山" is the same in groups.
_PLACE_COMMAND = re.compile(r"^/place(?:@\w+)?(?:\s+|$)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Query:
    """A question, limited to a place when place is set; an empty question with a place asks about the place."""

    question: str
    place: str | None = None


def strip_mention(text: str, bot_username: str) -> str:
    """Text without @bot_username mentions, as people address the bot in groups."""
    if not bot_username:
        return text.strip()
    return re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE).strip()


def parse_query(text: str, bot_username: str = "") -> Query:
    """The question and place in a message such as "南山怎么做的", "@bot 红色物业" or "/place 南山 快递骑手"."""
    text = strip_mention(text, bot_username)
    match = _PLACE_COMMAND.match(text)
    if match is None:
        return Query(text)
    place, _, question = text[match.end():].strip().partition(" ")
    return Query(question.strip(), place or None)
