"""Pure formatters: one layout (bot/replies/layout.py) to Telegram HTML messages or to terminal text.

HTML messages never exceed Telegram's 4096 characters, counted as Telegram counts them (UTF-16 code
units, so 🙂 or 𠀀 count twice), and are split only between whole tags and entities: every piece of
corpus or user text is escaped on its own and wrapped in its own tags.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.replies.layout import Block, Layout, Line, Span, answer_layout, for_reader, passage_section, shorten
from index.records import Answer

MAX_MESSAGE_CHARS = 4096  # telegram.constants.MessageLimit.MAX_TEXT_LENGTH; render stays Telegram-free
INLINE_DESCRIPTION_CHARS = 120

# Control characters (other than newline and tab) are dropped: Telegram rejects some, terminals obey others.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BLOCK_TAGS = {
    "text": ("", ""),
    "preview": ("", ""),
    "quote": ("<blockquote>", "</blockquote>"),
    "folded": ("<blockquote expandable>", "</blockquote>"),
    "pre": ("<pre>", "</pre>"),
}
_SPAN_TAGS = {"plain": ("", ""), "bold": ("<b>", "</b>"), "italic": ("<i>", "</i>"), "code": ("<code>", "</code>"),
              "mark": ("<b>", "</b>")}


def utf16_units(text: str) -> int:
    """Length as Telegram measures message limits: UTF-16 code units (characters beyond U+FFFF count 2)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def clean_text(text: str) -> str:
    """Text without control characters, safe for Telegram and for a terminal."""
    return _CONTROL.sub("", text)


def escape_html(text: str) -> str:
    """Text escaped for Telegram HTML: <, >, & and double quotes become entities."""
    return html.escape(clean_text(text), quote=False).replace('"', "&quot;")


def _html_span(span: Span, *, in_pre: bool) -> str:
    # Telegram allows no formatting inside <pre>, so spans there are plain.
    opening, closing = ("", "") if in_pre else _SPAN_TAGS[span.style]
    return opening + escape_html(span.text) + closing


def _html_line(line: Line, *, in_pre: bool) -> str:
    return "".join(_html_span(span, in_pre=in_pre) for span in line)


def _html_block(block: Block) -> str:
    opening, closing = _BLOCK_TAGS[block.kind]
    in_pre = block.kind == "pre"
    return opening + "\n".join(_html_line(line, in_pre=in_pre) for line in block.lines) + closing


def _pack(parts: Sequence[str], separator: str, limit: int) -> list[str]:
    """Parts joined greedily with separator into as few strings within limit as possible."""
    packed: list[str] = []
    for part in parts:
        if packed and utf16_units(packed[-1]) + utf16_units(separator) + utf16_units(part) <= limit:
            packed[-1] += separator + part
        else:
            packed.append(part)
    return packed


def _span_pieces(span: Span, budget: int, *, in_pre: bool) -> list[str]:
    opening, closing = ("", "") if in_pre else _SPAN_TAGS[span.style]
    room = budget - len(opening) - len(closing)
    pieces: list[str] = []
    current, size = "", 0
    for char in clean_text(span.text):
        width = utf16_units(escape_html(char))  # "&" costs 5 once escaped, "🙂" 2
        if current and size + width > room:
            pieces.append(current)
            current, size = "", 0
        current, size = current + char, size + width
    if current:
        pieces.append(current)
    return [_html_span(Span(piece, span.style), in_pre=in_pre) for piece in pieces]


def _line_pieces(line: Line, budget: int, *, in_pre: bool) -> list[str]:
    whole = _html_line(line, in_pre=in_pre)
    if utf16_units(whole) <= budget:
        return [whole]
    return _pack([p for span in line for p in _span_pieces(span, budget, in_pre=in_pre)], "", budget)


def _block_pieces(block: Block, limit: int) -> list[str]:
    whole = _html_block(block)
    if utf16_units(whole) <= limit:
        return [whole]
    opening, closing = _BLOCK_TAGS[block.kind]
    budget = limit - len(opening) - len(closing)
    lines = [p for line in block.lines for p in _line_pieces(line, budget, in_pre=block.kind == "pre")]
    return [opening + body + closing for body in _pack(lines, "\n", budget)]


def html_messages(layout: Layout, *, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """A layout as Telegram HTML messages, each within limit, split between sections when possible."""
    pieces: list[str] = []
    for section in layout:
        whole = "\n".join(_html_block(block) for block in section)
        if utf16_units(whole) <= limit:
            pieces.append(whole)
        else:
            pieces += _pack([p for block in section for p in _block_pieces(block, limit)], "\n", limit)
    return _pack(pieces, "\n\n", limit)


def _terminal_span(span: Span, *, ansi: bool) -> str:
    text = clean_text(span.text).replace("\x1b", "")
    if span.style == "mark":
        return f"\x1b[1;4m{text}\x1b[0m" if ansi else f"【{text}】"
    if span.style == "bold" and ansi:
        return f"\x1b[1m{text}\x1b[22m"
    if span.style == "italic" and ansi:
        return f"\x1b[3m{text}\x1b[23m"
    return text


def _terminal_block(block: Block, *, ansi: bool) -> list[str]:
    prefix = {"quote": "  │ ", "folded": "  │ ", "pre": "    "}.get(block.kind, "")
    return [prefix + "".join(_terminal_span(span, ansi=ansi) for span in line) for line in block.lines]


def terminal_text(layout: Layout, *, ansi: bool = False) -> str:
    """A layout as terminal text: the best sentence in ANSI bold on a tty, else in 【】; passages indented."""
    sections = []
    for section in layout:
        lines = [text for block in section if block.kind != "preview" for text in _terminal_block(block, ansi=ansi)]
        sections.append("\n".join(lines))
    return "\n\n".join(sections)


def render_answer(answer: Answer, *, topics: Sequence[str] = (), places: Sequence[str] = ()) -> list[str]:
    """An answer as Telegram HTML messages (an abstention suggests topics and places)."""
    return html_messages(answer_layout(answer, topics=topics, places=places))


@dataclass(frozen=True, slots=True)
class InlineEntry:
    """One passage offered in inline mode: a result id, a title and description, and the HTML it inserts."""

    result_id: str
    title: str
    description: str
    html: str


def render_inline(answer: Answer, *, language: str = "zh", script: str = "original") -> list[InlineEntry]:
    """Each passage of an answer as an inline result that inserts the passage with its citation,
    in the reader's language (key-term glosses for English readers) and script."""
    entries = []
    for hit, citation in zip(answer.hits, answer.citations):
        section = for_reader((passage_section(hit, citation, language=language),), script)[0]
        title_line, details_line = section[0].lines[0], section[0].lines[1]
        title = clean_text("".join(span.text for span in title_line))
        details = clean_text("".join(span.text for span in details_line))
        marked = [span.text for block in section for line in block.lines for span in line if span.style == "mark"]
        summary = shorten(clean_text(marked[0] if marked else hit.best_sentence or hit.chunk.text),
                          INLINE_DESCRIPTION_CHARS)
        message = html_messages((section,))[0]
        result_id = hit.chunk.chunk_id
        if len(result_id.encode()) > 64:  # Telegram's limit on inline result ids
            result_id = hashlib.sha256(result_id.encode()).hexdigest()[:32]
        entries.append(InlineEntry(result_id, title, f"{details}\n{summary}", message))
    return entries
