"""CSL-JSON records and RIS entries of reports, for Zotero, EndNote and NoteExpress to import.

Both are read off the same record and the same work_type() as the GB/T 7714 reference in cite.py, so
a reference manager files a report as the reference list cites it. The record is never script-converted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from index.answer.cite import (
    NO_YEAR,
    full_title,
    issued,
    missing_elements,
    missing_note,
    source_note,
    split_authors,
    work_type,
)
from index.text.doubtful import REWORDED, doubtful_wording
from index.records import Document

LANGUAGE = "zh-CN"  # every record is Simplified Chinese, the script of its source's own print form


def _date_parts(iso: str) -> list[int]:
    # "2022-01-25" -> [2022, 1, 25]; "2021-07" -> [2021, 7]; "--11-17" (no year) -> [].
    return [int(part) for part in iso.split("-")] if iso[:1].isdigit() else []


def provenance_note(doc: Document) -> str:
    """Where the copy was read and what was established about it, in words, for a reference manager's note."""
    notes = []
    if doc.site:
        shared = f"（文档编号 {doc.doc_number}）" if doc.doc_number else ""
        posted = f"，{doc.posted}{'上传' if doc.kind == 'shared' else '发布'}" if doc.posted else ""
        notes.append(f"所据网页：{doc.site}{shared}{posted}")
    notes.append(source_note(doc))
    if doc.year_estimated and not doc.date and not (doc.site and doc.posted):
        notes.append(f"出版年为估计（{doc.year_estimated}）")
    if doc.event_date:
        notes.append(f"所述活动或调研时间：{doc.event_date.lstrip('-')}")
    if doc.part:
        notes.append(f"本条为该文档中的{doc.part}")
    notes.append(missing_note(missing_elements(doc)))
    if doubtful_wording("", document_kind=doc.kind) == REWORDED:
        notes.append("此为文档分享网站的副本，措辞可能经过改写，引用前请核对原始出处")
    return "；".join(note for note in notes if note)


def csl_json(doc: Document) -> dict[str, Any]:
    """One CSL-JSON item (the format Zotero, Mendeley and citeproc read) describing a report."""
    kind = work_type(doc)
    item: dict[str, Any] = {"id": doc.doc_id, "type": kind.csl, "title": full_title(doc), "language": LANGUAGE}
    if kind.code.endswith("/OL"):
        item["medium"] = "OL"  # the copy read is online even where its address was not recorded
    authors = split_authors(doc.author)
    if authors:
        item["author"] = [{"literal": name} for name in authors]  # Chinese names are not family/given split
    if kind.ris in ("JOUR", "NEWS") and doc.source:
        item["container-title"] = doc.source
    if kind.ris == "ELEC" and doc.site:
        item["publisher"] = doc.site  # the style prints a web page's publisher, never its container
    when, estimated = issued(doc)
    parts = _date_parts(when)
    if parts:
        item["issued"] = {"date-parts": [parts], **({"circa": True} if estimated else {})}
    else:
        item["issued"] = {"literal": NO_YEAR}
    if doc.url:
        item["URL"] = doc.url
        if doc.accessed:
            item["accessed"] = {"date-parts": [_date_parts(doc.accessed)]}
    note = provenance_note(doc)
    if note:
        item["note"] = note
    return item


def ris_entry(doc: Document) -> str:
    """One RIS record (TY … ER) for a report; lines end in CRLF as the RIS specification writes them."""
    kind = work_type(doc)
    lines = [("TY", kind.ris)]
    lines += [("AU", name) for name in split_authors(doc.author)]
    lines.append(("TI", full_title(doc)))
    if kind.ris in ("JOUR", "NEWS") and doc.source:
        lines.append(("T2", doc.source))
    if kind.ris == "ELEC" and doc.site:
        lines.append(("PB", doc.site))
    when, _ = issued(doc)
    if when[:4].isdigit():
        lines.append(("PY", when[:4]))
    if len(_date_parts(when)) == 3:
        lines.append(("DA", when.replace("-", "/")))
    if doc.url:
        lines.append(("UR", doc.url))
    if doc.accessed:
        lines.append(("Y2", doc.accessed.replace("-", "/")))
    if doc.doc_number:
        lines.append(("AN", doc.doc_number))
    note = provenance_note(doc)
    if note:
        lines.append(("N1", note))
    lines += [("LA", LANGUAGE), ("ER", "")]
    return "".join(f"{tag}  - {value}".rstrip() + "\r\n" for tag, value in lines)


def ris_file(docs: Iterable[Document]) -> str:
    """A whole .ris file: one record per report, in order."""
    return "".join(ris_entry(doc) for doc in docs)
