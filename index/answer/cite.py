"""Ready-to-paste citations for writers: GB/T 7714—2015 references, in-text citations and quoted passages."""

from __future__ import annotations

import datetime
import re

from index.records import Chunk, Document
from index.text.script import quoted

# GB/T 7714—2015 8.1.2: list at most three authors, then "等".
MAX_AUTHORS = 3
_AUTHOR_SEPARATORS = re.compile(r"[、，,;；/\s]+")
_LEADING_DASHES = re.compile(r"^[—\-–\s]+")
# An author field that is an office or organisation, not names: "中共南京市栖霞区委常委、组织部部长".
_CORPORATE = re.compile(r"(?:委|部|组|社|会|院|校|局|厅|办|中心|政府|集团|公司|部长|书记|主任|常委|编辑部)$")
_NO_YEAR = "出版年不详"


def split_authors(author: str) -> list[str]:
    """Names in an author field such as "张三、李四 王五", in order; an office or organisation stays whole."""
    author = author.strip()
    if is_corporate_author(author):
        return [author]
    return [name for name in _AUTHOR_SEPARATORS.split(author) if name]


def is_corporate_author(author: str) -> bool:
    """Whether an author field names an office or an organisation ("人民论坛调研组") rather than people."""
    return len(author) > 5 and bool(_CORPORATE.search(author.strip()))


def type_code(doc: Document) -> str:
    """GB/T 7714 文献类型标识 with 载体标识: [J] needs a known periodical, [N] a known newspaper; /OL with a URL."""
    online = "/OL" if doc.url else ""
    if doc.kind == "journal" and doc.source:
        return "J" + online
    if doc.kind == "newspaper" and doc.source:
        return "N" + online
    if doc.kind in ("webpage", "shared"):
        return "EB/OL"
    return "Z" + online  # 其他未说明的文献类型: what kind of work it is cannot be told from the text


def display_title(doc: Document) -> str:
    """The title a reader sees: the report's title, plus which piece of a shared file it is."""
    title = doc.title.strip() or doc.path
    return f"{title}（{doc.part}）" if doc.part else title


def publication_year(doc: Document) -> str:
    """The year to cite: the known one, else an estimate in brackets (GB/T 7714 8.4), else ""."""
    if doc.date:
        return doc.date[:4]
    return f"[{doc.year_estimated}]" if doc.year_estimated else ""


def shown_date(doc: Document) -> str:
    """The date shown under a passage: publication date, else estimated year, else the day it was posted."""
    return doc.date or publication_year(doc) or doc.posted


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


def _accessed(doc: Document, accessed: datetime.date | None) -> str:
    # The citing date belongs only to online references with an address to check.
    if not doc.url:
        return ""
    when = doc.accessed or (accessed.isoformat() if accessed is not None else "")
    return f"[{when}]" if when else ""


def gbt7714_reference(doc: Document, *, accessed: datetime.date | None = None) -> str:
    """A GB/T 7714—2015 reference (顺序编码制 list entry) for one report, for a writer's bibliography.

    ``刘艳梅. 题名: 副题名[J]. 四川党的建设, [2022].`` for a periodical article;
    ``题名[EB/OL]. 淘文阁网, 2022(2022-07-21)[2024-05-01]. https://….`` for a web page or shared file.
    `accessed` is the citing date used when the report has a URL and no recorded access date.
    """
    code = type_code(doc)
    authors = _author_part(doc.author)
    head = f"{authors}. " if authors else ""  # 顺序编码制 may leave out an unknown author
    year = publication_year(doc)
    cited = _accessed(doc, accessed)
    if code.startswith("J"):
        tail = f"{doc.source}, {year or f'[{_NO_YEAR}]'}{cited}."
    elif code.startswith("N"):
        tail = f"{doc.source}, {doc.date or year or f'[{_NO_YEAR}]'}{cited}."
    elif code == "EB/OL":
        # 出版者, 出版年(更新或修改日期)[引用日期]: the site, the year, the day it was posted.
        day = doc.posted or (doc.date if len(doc.date) == 10 else "")
        posted = f"({day})" if day else ""
        publisher = ", ".join(part for part in (doc.site, (year or doc.posted[:4]) + posted) if part)
        tail = f"{publisher}{cited}." if publisher or cited else ""
    else:
        tail = f"{year or f'[{_NO_YEAR}]'}{cited}."
    text = f"{head}{_title_part(doc)}[{code}]." + (f" {tail}" if tail else "")
    if doc.url:
        text += f" {doc.url}."
    return text


def in_text_citation(doc: Document) -> str:
    """The 著者-出版年制 citation to put after a quotation: （刘艳梅，[2022]）; title when no author is known."""
    names = split_authors(doc.author)
    if not names:
        who = f"《{doc.title.strip() or doc.path}》"
    elif len(names) > 1:  # more than one: the first, then 等
        who = f"{names[0]}等"
    else:
        who = "、".join(names)
    return f"（{who}，{publication_year(doc) or doc.posted[:4] or _NO_YEAR}）"


def quotable_passage(chunk: Chunk, doc: Document) -> str:
    """The passage in Chinese quotation marks (its own quotes nested as ‘’) with its in-text citation, to paste."""
    return f"{quoted(chunk.text)}{in_text_citation(doc)}"
