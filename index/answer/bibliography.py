"""CSL-JSON records and RIS entries of reports, for Zotero, EndNote and NoteExpress to import."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from index.answer.cite import split_authors
from index.records import Document

# Document.kind -> (CSL type, RIS type). Zotero reads ELEC as a web page and GEN as a document.
_TYPES = {
    "journal": ("article-journal", "JOUR"),
    "newspaper": ("article-newspaper", "NEWS"),
    "webpage": ("webpage", "ELEC"),
    "shared": ("document", "GEN"),
}
_UNKNOWN_TYPE = ("document", "GEN")


def _date_parts(iso: str) -> list[int]:
    # "2022-01-25" -> [2022, 1, 25]; "2021-07" -> [2021, 7]; "--11-17" (no year) -> [].
    return [int(part) for part in iso.split("-")] if iso[:1].isdigit() else []


def _csl_date(iso: str, *, circa: bool = False) -> dict[str, Any] | None:
    parts = _date_parts(iso)
    if not parts:
        return None
    date: dict[str, Any] = {"date-parts": [parts]}
    if circa:
        date["circa"] = True
    return date


def _full_title(doc: Document) -> str:
    # The work's own title: a piece of a shared file is cited as the file (the note names the piece).
    title = doc.title.strip() or doc.path
    subtitle = doc.subtitle.lstrip("—-– ").strip()
    return f"{title}：{subtitle}" if subtitle else title


def provenance_note(doc: Document) -> str:
    """Where the copy was read and what was established about it, in words, for a reference manager's note."""
    notes = []
    if doc.site:
        shared = f"（文档编号 {doc.doc_number}）" if doc.doc_number else ""
        posted = f"，{doc.posted}{'上传' if doc.kind == 'shared' else '发布'}" if doc.posted else ""
        notes.append(f"所据网页：{doc.site}{shared}{posted}")
    if doc.year_estimated and not doc.date:
        notes.append(f"出版年为估计（{doc.year_estimated}）")
    if doc.event_date:
        notes.append(f"所述活动或调研时间：{doc.event_date.lstrip('-')}")
    if doc.part:
        notes.append(f"本条为该文档中的{doc.part}")
    return "；".join(notes)


def csl_json(doc: Document) -> dict[str, Any]:
    """One CSL-JSON item (the format Zotero, Mendeley and citeproc read) describing a report."""
    csl_type = _TYPES.get(doc.kind, _UNKNOWN_TYPE)[0]
    item: dict[str, Any] = {"id": doc.doc_id, "type": csl_type, "title": _full_title(doc), "language": "zh-CN"}
    authors = split_authors(doc.author)
    if authors:
        item["author"] = [{"literal": name} for name in authors]  # Chinese names are not family/given split
    container = doc.source or (doc.site if doc.kind == "webpage" else "")
    if container:
        item["container-title"] = container
    if doc.site and doc.kind == "shared":
        item["publisher"] = doc.site
    issued = _csl_date(doc.date) or _csl_date(doc.year_estimated, circa=True) or _csl_date(doc.posted)
    if issued:
        item["issued"] = issued
    event = _csl_date(doc.event_date)
    if event:
        item["event-date"] = event
    if doc.url:
        item["URL"] = doc.url
    accessed = _csl_date(doc.accessed)
    if accessed:
        item["accessed"] = accessed
    if doc.doc_number:
        item["number"] = doc.doc_number
    note = provenance_note(doc)
    if note:
        item["note"] = note
    return item


def ris_entry(doc: Document) -> str:
    """One RIS record (TY … ER) for a report; lines end in CRLF as the RIS specification writes them."""
    lines = [("TY", _TYPES.get(doc.kind, _UNKNOWN_TYPE)[1])]
    lines += [("AU", name) for name in split_authors(doc.author)]
    lines.append(("TI", _full_title(doc)))
    container = doc.source or (doc.site if doc.kind == "webpage" else "")
    if container:
        lines.append(("T2", container))
    if doc.kind == "shared" and doc.site:
        lines.append(("PB", doc.site))
    year = (doc.date or doc.year_estimated or doc.posted)[:4]
    if year.isdigit():
        lines.append(("PY", year))
    # A web copy's posting day is the web page's date, never a periodical issue's.
    dated = doc.date or (doc.posted if doc.kind in ("webpage", "shared") else "")
    if len(_date_parts(dated)) == 3:
        lines.append(("DA", dated.replace("-", "/")))
    if doc.url:
        lines.append(("UR", doc.url))
    if doc.accessed:
        lines.append(("Y2", doc.accessed.replace("-", "/")))
    if doc.doc_number:
        lines.append(("AN", doc.doc_number))
    note = provenance_note(doc)
    if note:
        lines.append(("N1", note))
    lines += [("LA", "zh-CN"), ("ER", "")]
    return "".join(f"{tag}  - {value}".rstrip() + "\r\n" for tag, value in lines)


def ris_file(docs: Iterable[Document]) -> str:
    """A whole .ris file: one record per report, in order."""
    return "".join(ris_entry(doc) for doc in docs)
