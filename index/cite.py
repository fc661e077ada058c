"""Ready-to-paste citations for writers: GB/T 7714-2015 references and quoted passages."""

from __future__ import annotations

import datetime
import re

from index.records import Chunk, Document

# GB/T 7714-2015 §8.1.2: list at most three authors, then "等".
MAX_AUTHORS = 3
_AUTHOR_SEPARATORS = re.compile(r"[、，,;；/\s]+")
_LEADING_DASHES = re.compile(r"^[—\-–\s]+")


def split_authors(author: str) -> list[str]:
    """Names in an author field such as "张三、李四 王五", in order, for reference lists."""
    return [name for name in _AUTHOR_SEPARATORS.split(author.strip()) if name]


def _author_part(author: str) -> str:
    names = split_authors(author)
    if len(names) > MAX_AUTHORS:
        names = [*names[:MAX_AUTHORS], "等"]
    return ", ".join(names)


def _title_part(doc: Document) -> str:
    # A subtitle such as "——深圳市南山区的创新实践" is "其他题名信息", joined with a colon.
    subtitle = _LEADING_DASHES.sub("", doc.subtitle).strip()
    title = doc.title.strip() or doc.path
    return f"{title}: {subtitle}" if subtitle else title


def gbt7714_reference(doc: Document, *, accessed: datetime.date | None = None) -> str:
    """A GB/T 7714-2015 style reference for one report, for a writer's bibliography.

    With a source (a newspaper or periodical) the type is [N/OL]:
    ``劉艷梅. 題名[N/OL]. 四川黨的建設, 2022-01-25[2024-05-01]. https://….``;
    without one it is a web page, [EB/OL], whose date goes in parentheses.
    """
    accessed_part = f"[{accessed.isoformat()}]" if accessed is not None else ""
    authors = _author_part(doc.author)
    head = f"{authors}. " if authors else ""
    if doc.source:
        published = ", ".join(part for part in (doc.source, doc.date) if part)
        text = f"{head}{_title_part(doc)}[N/OL]. {published}{accessed_part}."
    else:
        dated = f"({doc.date})" if doc.date else ""
        text = f"{head}{_title_part(doc)}[EB/OL]."
        if dated or accessed_part:
            text += f" {dated}{accessed_part}."
    if doc.url:
        text += f" {doc.url}."
    return text


def short_citation(chunk: Chunk, doc: Document) -> str:
    """The parenthesised source after a quotation: author, title, source, date, section."""
    title = f"《{doc.title.strip() or doc.path}》"
    lead = f"{doc.author.strip()}：{title}" if doc.author.strip() else title
    parts = [lead] + [part for part in (doc.source, doc.date, chunk.section) if part]
    return "（" + "，".join(parts) + "）"


def quotable_passage(chunk: Chunk, doc: Document) -> str:
    """The passage in quotation marks followed by a short citation, ready to paste into a report."""
    return f"“{chunk.text.strip()}”{short_citation(chunk, doc)}"
