"""Ready-to-paste citations for writers: GB/T 7714—2015 references, in-text citations and quoted passages.

One bibliographic record (a Document) drives every form: the reference, the in-text citation, the
elements still to add, and the RIS and CSL-JSON in index/answer/bibliography.py. The record is never
script-converted: the standard cites a work in the language and script of the source.
The numeric reference reads exactly as the official GB/T 7714—2015 numeric CSL style renders the
record's CSL-JSON with citeproc-js (tests/index/test_csl_render.py holds the two together).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Literal

from index.records import Chunk, Document, ReportHeading
from index.text.script import in_script, quoted

# 顺序编码制 (numbers in text = reference list numbers) or 著者-出版年制 (author and year in text).
CitationSystem = Literal["numeric", "author-year"]
CITATION_SYSTEMS: tuple[CitationSystem, ...] = ("numeric", "author-year")

# GB/T 7714—2015 8.1.2: list at most three authors, then "等" (the CSL style's et-al-use-first="3").
MAX_AUTHORS = 3
_AUTHOR_SEPARATORS = re.compile(r"[、，,;；/\s]+")
_LEADING_DASHES = re.compile(r"^[—\-–\s]+")
# An author field that is an office or organisation, not names, in either script:
# "中共南京市栖霞区委常委、组织部部长" / "中共南京市棲霞區委常委、組織部部長".
_CORPORATE = re.compile(
    r"(?:委|部|组|組|社|会|會|院|校|局|厅|廳|办|辦|中心|政府|集团|集團|公司|部长|部長|书记|書記|主任|常委|编辑部|編輯部)$"
)
# The standard's forms for what the record does not know: one each, used everywhere.
ANONYMOUS = "佚名"  # 著者-出版年制: a work with no author is cited as 佚名
NO_YEAR = "[出版年不详]"  # bracketed like the standard's [出版地不详] and [出版者不详]


@dataclass(frozen=True, slots=True)
class WorkType:
    """How a record is cited: GB/T 7714 文献类型标识 with 载体标识, and the CSL and RIS types that say the same."""

    code: str  # "J", "N", "EB/OL", "Z"
    csl: str  # CSL type the GB/T 7714 CSL style maps to that code
    ris: str  # RIS TY the reference managers read as that kind


_JOURNAL = WorkType("J", "article-journal", "JOUR")
_NEWSPAPER = WorkType("N", "article-newspaper", "NEWS")
_WEB = WorkType("EB/OL", "webpage", "ELEC")
_OTHER = WorkType("Z", "document", "GEN")

# The elements GB/T 7714—2015 requires for each type that the record can lack, with the words a writer
# sees in each language ("补充：页码、期号" / "add: pages, issue").
ELEMENT_WORDS: dict[str, tuple[str, str]] = {
    "periodical": ("刊名", "journal title"),
    "newspaper": ("报纸名", "newspaper title"),
    "site": ("网站名", "website"),
    "year": ("出版年", "year"),
    "date": ("出版日期", "date"),
    "issue": ("期号", "issue"),
    "pages": ("页码", "pages"),
    "url": ("网址", "URL"),
    "accessed": ("引用日期", "access date"),
}


def work_type(doc: Document) -> WorkType:
    """The type a report is cited as: the copy actually read. A report read on a website is [EB/OL] even
    when its text names a print source (that source is then named as the original, see original_source)."""
    if doc.site or doc.kind in ("webpage", "shared"):
        return _WEB
    if doc.kind == "journal":
        return _JOURNAL
    if doc.kind == "newspaper":
        return _NEWSPAPER
    return _OTHER  # 其他未说明的文献类型: what kind of work it is cannot be told from the text


def type_code(doc: Document) -> str:
    """GB/T 7714 文献类型标识/载体标识 of a report: "J", "N", "EB/OL", "Z", and "J/OL" … for one with a URL."""
    code = work_type(doc).code
    return code if code.endswith("/OL") or not doc.url else f"{code}/OL"


def original_source(doc: Document) -> str:
    """The print source a web copy names ("四川党的建设[J]"), for the writer to check; "" when none."""
    if work_type(doc) is not _WEB or not doc.source:
        return ""
    return f"{doc.source}[{'N' if doc.kind == 'newspaper' else 'J'}]"


def split_authors(author: str) -> list[str]:
    """Names in an author field such as "张三、李四 王五", in order; an office or organisation stays whole."""
    author = author.strip()
    if is_corporate_author(author):
        return [author]
    return [name for name in _AUTHOR_SEPARATORS.split(author) if name]


def is_corporate_author(author: str) -> bool:
    """Whether an author field names an office or an organisation ("人民论坛调研组") rather than people."""
    return len(author) > 5 and bool(_CORPORATE.search(author.strip()))


def display_title(doc: Document | ReportHeading) -> str:
    """The title a reader sees: the report's title, plus which piece of a shared file it is."""
    title = doc.title.strip() or doc.path
    return f"{title}（{doc.part}）" if doc.part else title


def full_title(doc: Document) -> str:
    """The work's title with its 其他题名信息 after ": " (GB/T 7714 8.2), as the reference and CSL-JSON give it."""
    subtitle = _LEADING_DASHES.sub("", doc.subtitle).strip()
    title = doc.title.strip() or doc.path
    return f"{title}: {subtitle}" if subtitle else title


def issued(doc: Document) -> tuple[str, bool]:
    """The date to cite as published (ISO, possibly only a year) and whether it is an estimate.

    A web copy is dated by its posting; an estimate of the year (a maintainer's) is cited in brackets.
    """
    if work_type(doc) is _WEB and doc.posted:
        return doc.posted, False
    if doc.date:
        return doc.date, False
    if doc.year_estimated:
        return doc.year_estimated, True
    return doc.posted, False


def publication_year(doc: Document) -> str:
    """The year to cite: the known one, an estimate in brackets (GB/T 7714 8.4), else [出版年不详]."""
    when, estimated = issued(doc)
    if not when[:4].isdigit():
        return NO_YEAR
    return f"[{when[:4]}]" if estimated else when[:4]


def shown_date(doc: Document | ReportHeading) -> str:
    """The date shown under a passage: publication date, else estimated year, else the day it was posted."""
    if doc.date:
        return doc.date
    return f"[{doc.year_estimated}]" if doc.year_estimated else doc.posted


def _author_part(author: str) -> str:
    names = split_authors(author)
    if len(names) > MAX_AUTHORS:
        names = [*names[:MAX_AUTHORS], "等"]
    return ", ".join(names)


def _access_date(doc: Document, accessed: datetime.date | None) -> str:
    # The citing date belongs only to online references with an address to check.
    if not doc.url:
        return ""
    return doc.accessed or (accessed.isoformat() if accessed is not None else "")


def missing_elements(doc: Document, *, accessed: datetime.date | None = None) -> tuple[str, ...]:
    """The elements GB/T 7714—2015 requires for this report's type that its record lacks, as keys of ELEMENT_WORDS.

    The project records no issue or pages for any periodical article, so [J] always asks for them.
    """
    kind = work_type(doc)
    has_year = publication_year(doc) != NO_YEAR
    missing: list[str] = []
    if kind is _JOURNAL:
        missing += ["periodical"] * (not doc.source) + ["year"] * (not has_year) + ["issue", "pages"]
    elif kind is _NEWSPAPER:
        missing += ["newspaper"] * (not doc.source) + ["date"] * (len(doc.date) < 10) + ["pages"]
    elif kind is _WEB:
        missing += ["site"] * (not doc.site) + ["year"] * (not has_year) + ["url"] * (not doc.url)
        missing += ["accessed"] * (not _access_date(doc, accessed) or not doc.url)
    else:
        missing += ["year"] * (not has_year)
    return tuple(missing)


def missing_note(missing: tuple[str, ...], language: str = "zh") -> str:
    """What a writer must still add, in their language: "补充：期号、页码" / "add: issue, pages"; "" when nothing."""
    if not missing:
        return ""
    english = language == "en"
    words = [ELEMENT_WORDS[key][english] for key in missing]
    return f"add: {', '.join(words)}" if english else f"补充：{'、'.join(words)}"


def source_note(doc: Document, language: str = "zh") -> str:
    """The original print source named by a web copy: "原始出处：四川党的建设[J]"; "" when there is none."""
    original = original_source(doc)
    if not original:
        return ""
    return f"original source: {original}" if language == "en" else f"原始出处：{original}"


def _tail(doc: Document, kind: WorkType, year: str, cited: str) -> str:
    # What follows "[type]. ", built as the CSL style's macros build it (container-periodical, publisher).
    when = f"[{cited}]" if cited else ""
    if kind is _JOURNAL:
        return ", ".join(part for part in (doc.source, year) if part) + when
    if kind is _NEWSPAPER:
        return ", ".join(part for part in (doc.source, doc.date or year) if part) + when
    if kind is _WEB and doc.site:
        return ", ".join(part for part in (doc.site, year) if part) + when
    if doc.url:  # the style's publisher macro: no publisher, an address: (date)[citing date]
        day, _ = issued(doc)
        return (f"({day})" if day else "") + when
    return year


def gbt7714_reference(doc: Document, *, accessed: datetime.date | None = None,
                      system: CitationSystem = "numeric") -> str:
    """A GB/T 7714—2015 reference list entry for one report, for a writer's bibliography.

    Numeric (顺序编码制): ``刘艳梅. 题名: 副题名[EB/OL]. 中国共产党新闻网, 2022.``, exactly as the official
    numeric CSL style renders the report's CSL-JSON. Author-year (著者-出版年制) puts the year after the
    author, with 佚名 for a work without one. `accessed` is the citing date used for a report with a URL and
    no recorded access date.
    """
    kind = work_type(doc)
    authors = _author_part(doc.author)
    year = publication_year(doc)
    cited = _access_date(doc, accessed)
    title = f"{full_title(doc)}[{type_code(doc)}]"
    if system == "author-year":
        parts = [f"{authors or ANONYMOUS}, {year}", title, _tail(doc, kind, "", cited)]
    else:
        parts = [authors, title, _tail(doc, kind, year, cited)]  # 顺序编码制 leaves out an unknown author
    parts.append(doc.url)
    return ". ".join(part for part in parts if part) + "."


def in_text_citation(doc: Document, *, system: CitationSystem = "author-year", number: int = 0) -> str:
    """The citation to put after a quotation: numeric "[1]" (the reference list's number), or author-year
    （刘艳梅，2022）, （施安南等，[出版年不详]）, （佚名，2022） for a work without an author."""
    if system == "numeric":
        return f"[{number}]"
    names = split_authors(doc.author)
    who = ANONYMOUS if not names else f"{names[0]}等" if len(names) > 1 else names[0]
    return f"（{who}，{publication_year(doc)}）"


def quotable_passage(chunk: Chunk, doc: Document, *, system: CitationSystem = "author-year", number: int = 1,
                     script: str = "original") -> str:
    """The passage in Chinese quotation marks (its own quotes nested as ‘’), in the reader's script, followed
    by its in-text citation (never converted), to paste."""
    return f"{in_script(quoted(chunk.text), script)}{in_text_citation(doc, system=system, number=number)}"
