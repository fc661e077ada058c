"""Inline-button data for the Telegram bot: encoded within 64 bytes, valid across restarts (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.readers.notebook import passage_digest
from bot.replies.i18n import text
from index.records import Answer

MAX_CALLBACK_BYTES = 64  # telegram.constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
Kind = Literal["more", "context", "cite", "place", "save"]
_CODES: dict[Kind, str] = {"more": "m", "context": "c", "cite": "q", "place": "p", "save": "s"}
_KINDS: dict[str, Kind] = {code: kind for kind, code in _CODES.items()}
# Buttons on a passage carry this much of its text's digest, so a tap after the report was edited finds
# the passage it was shown with, or says it changed: 32 bits tell an edit apart, and keep within 64 bytes.
DIGEST_CHARS = 8


@dataclass(frozen=True, slots=True)
class Action:
    """What a button asks for: a chunk id (context, cite), a place, or a stored question key (more)."""

    kind: Kind
    value: str
    offset: int = 0  # "more": rank of the first passage to show, minus one
    digest: str = ""  # context, cite, save: the start of the passage's digest when the button was made


@dataclass(frozen=True, slots=True)
class Button:
    """One inline button: its label and its encoded action."""

    label: str
    data: str


def encode_action(action: Action) -> str:
    """The callback data for an action, e.g. "c|001_744f9100ef1c3714:12|5d41402a" or "m|3|9f2c4e1a0b7d3c21"."""
    code = _CODES[action.kind]
    if action.kind == "more":
        data = f"{code}|{action.offset}|{action.value}"
    else:
        data = f"{code}|{action.value}" + (f"|{action.digest}" if action.digest else "")
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode_action(data: str) -> Action | None:
    """The action encoded in callback data, or None for data this bot did not write."""
    code, _, rest = data.partition("|")
    kind = _KINDS.get(code)
    if kind is None or not rest:
        return None
    if kind != "more":
        value, bar, digest = rest.rpartition("|")
        if bar and kind != "place" and value:  # buttons made before digests carry the id alone
            return Action(kind, value, digest=digest)
        return Action(kind, rest)
    offset, _, key = rest.partition("|")
    return Action(kind, key, int(offset)) if offset.isdigit() and key else None


def _button(label: str, action: Action) -> list[Button]:
    # An id too long for Telegram's limit loses its button rather than breaking the whole reply.
    try:
        return [Button(label, encode_action(action))]
    except ValueError:
        return []


def answer_buttons(answer: Answer, question_key: str, *, language: str = "zh") -> list[list[Button]]:
    """Per passage "context", "cite" and "save to notebook" buttons, then "more results" while passages remain."""
    digests = {h.chunk.chunk_id: passage_digest(h.chunk.text)[:DIGEST_CHARS] for h in answer.hits}
    rows = [
        _button(text("btn_context", language, n=c.number), Action("context", c.chunk_id, digest=digests.get(c.chunk_id, "")))
        + _button(text("btn_cite", language, n=c.number), Action("cite", c.chunk_id, digest=digests.get(c.chunk_id, "")))
        + _button(text("btn_save", language, n=c.number), Action("save", c.chunk_id, digest=digests.get(c.chunk_id, "")))
        for c in answer.citations
    ]
    shown = answer.offset + len(answer.hits)
    if answer.hits and shown < answer.total:
        rows.append(_button(text("btn_more", language, n=shown + 1), Action("more", question_key, shown)))
    return [row for row in rows if row]


def practice_buttons(practices: Sequence[tuple[str, str]], *, per_row: int = 2) -> list[list[Button]]:
    """A button per (practice name, chunk id) that opens the passage behind the practice in its context."""
    buttons = [b for name, chunk_id in practices for b in _button(f"▸ {name[:16]}", Action("context", chunk_id))]
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]


def place_buttons(places: Sequence[tuple[str, int]], *, per_row: int = 3, most: int = 30) -> list[list[Button]]:
    """A tap button per place, a few per row, for /places."""
    buttons = [b for name, count in places[:most] for b in _button(f"{name} ({count})", Action("place", name))]
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]
