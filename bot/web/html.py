"""One layout (bot/replies/layout.py) as HTML for the web page, beside render.py's Telegram and terminal forms (pure).

Every piece of report or reader text is escaped on its own; a page shows passages in full, so the
"preview" line Telegram puts above a folded passage is left out, as the terminal does.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from markupsafe import Markup, escape

from bot.replies.layout import Block, Layout, Line, Span
from bot.replies.render import clean_text, terminal_text

_SPAN_TAGS = {"plain": ("", ""), "bold": ("<strong>", "</strong>"), "italic": ("<em>", "</em>"),
              "code": ("<code>", "</code>"), "mark": ("<mark>", "</mark>")}
_BLOCK_TAGS = {"text": ("<p>", "</p>"), "quote": ("<blockquote>", "</blockquote>"),
               "folded": ('<blockquote class="long">', "</blockquote>")}


def _span(span: Span, *, in_pre: bool) -> str:
    opening, closing = ("", "") if in_pre else _SPAN_TAGS[span.style]
    return opening + str(escape(clean_text(span.text))) + closing


def _line(line: Line, *, in_pre: bool = False) -> str:
    return "".join(_span(span, in_pre=in_pre) for span in line)


def _block(block: Block, ids: itertools.count[int]) -> str:
    if block.kind == "preview":
        return ""
    if block.kind == "pre":
        # A copy button (shown by app.js only; without JavaScript the text is selectable as it stands).
        number = next(ids)
        body = "\n".join(_line(line, in_pre=True) for line in block.lines)
        return (f'<div class="copyable"><pre id="copy-{number}">{body}</pre>'
                f'<button type="button" class="copy" data-copy="copy-{number}" hidden></button></div>')
    opening, closing = _BLOCK_TAGS[block.kind]
    return opening + "<br>\n".join(_line(line) for line in block.lines) + closing


def layout_html(layout: Layout, *, after: Mapping[int, Markup] | None = None) -> Markup:
    """A layout as HTML: a <section> per section; `after` adds markup (links, forms) at the end of a section."""
    ids = itertools.count(1)
    sections = []
    for number, section in enumerate(layout):
        body = "\n".join(html for block in section if (html := _block(block, ids)))
        extra = str(after[number]) if after and number in after else ""
        sections.append(f"<section>\n{body}{extra}\n</section>")
    return Markup("\n".join(sections))


def plain_text(layout: Layout) -> str:
    """A layout as plain text for API clients that post it on (a WeCom or Feishu bot): no markup, no previews."""
    return terminal_text(layout, ansi=False)
