"""A strict checker for the subset of HTML that Telegram's parse_mode=HTML accepts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED_TAGS = {"b", "i", "u", "s", "code", "pre", "blockquote", "a", "tg-spoiler"}
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class _TagChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> not allowed")
        if tag == "blockquote" and attrs not in ([], [("expandable", None)]):
            self.problems.append(f"blockquote attributes {attrs}")
        if "pre" in self.stack:
            self.problems.append(f"<{tag}> inside <pre>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")


def telegram_html_problems(text: str) -> list[str]:
    """What Telegram would reject in a message: bad tags, unbalanced tags, stray & or <, excess length."""
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    problems = checker.problems + [f"unclosed <{tag}>" for tag in checker.stack]
    without_tags = re.sub(r"</?[a-z-]+( expandable)?>", "", text)
    if "<" in without_tags or ">" in without_tags:
        problems.append("raw < or > outside a tag")
    if "&" in _ENTITY.sub("", without_tags):
        problems.append("& outside an entity")
    if len(text) > 4096:
        problems.append(f"{len(text)} characters")
    if not text.strip():
        problems.append("empty message")
    return problems
