"""A notebook as files a writer takes to a manuscript: .docx with footnotes, Markdown, RIS and CSL-JSON (pure).

python-docx has no footnote API, so the .docx gets its footnotes part written here from the
WordprocessingML schema (a separator, a continuation separator, then one footnote per quote).
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Sequence
from dataclasses import astuple, dataclass, replace
from xml.sax.saxutils import escape

import docx
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import Pt

from index.answer.bibliography import csl_json, ris_file
from index.answer.cite import display_title, gbt7714_reference
from index.records import Chunk, Document
from index.text.script import in_script, quoted

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True, slots=True)
class NoteItem:
    """One saved passage with its report, and the day it was saved (cited as the access date)."""

    chunk: Chunk
    document: Document
    saved_on: datetime.date


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A file to hand to the reader: its name, bytes and media type."""

    name: str
    data: bytes
    media_type: str


@dataclass(frozen=True, slots=True)
class Labels:
    """The words an export uses, in the reader's language."""

    title: str = "摘录笔记"
    references: str = "参考文献"
    source: str = "出处"
    exported: str = "导出日期"


def _documents(items: Sequence[NoteItem]) -> list[Document]:
    # Each work once, in the order it was first quoted: the reference list's numbering. The pieces of
    # one shared file are one work, so the reference, not the report id, decides.
    seen: dict[str, Document] = {}
    for item in items:
        seen.setdefault(gbt7714_reference(item.document), item.document)
    return list(seen.values())


def _reference(item: NoteItem, script: str) -> str:
    return in_script(gbt7714_reference(item.document, accessed=item.saved_on), script)


def _where(item: NoteItem, script: str, labels: Labels) -> str:
    place = f"《{display_title(item.document)}》" + (f" · {item.chunk.section}" if item.chunk.section else "")
    return in_script(f"{labels.source}：{place}", script)


def markdown_notebook(items: Sequence[NoteItem], *, script: str, today: datetime.date, labels: Labels) -> str:
    """The notebook in Markdown: each quote as a block quote with a footnote, then the reference list."""
    lines = [f"# {labels.title}", "", f"{labels.exported}：{today.isoformat()}", ""]
    for number, item in enumerate(items, 1):
        lines += [f"> {in_script(quoted(item.chunk.text), script)}[^{number}]", ">",
                  f"> — {_where(item, script, labels)}", ""]
    lines += [f"[^{n}]: {_reference(item, script)}" for n, item in enumerate(items, 1)]
    lines += ["", f"## {labels.references}", ""]
    lines += [f"[{n}] {in_script(gbt7714_reference(doc, accessed=today), script)}  "
              for n, doc in enumerate(_documents(items), 1)]
    return "\n".join(lines).rstrip() + "\n"


def docx_notebook(items: Sequence[NoteItem], *, script: str, today: datetime.date, labels: Labels) -> bytes:
    """The notebook as a Word file: each quote with a real footnote giving its reference, then a reference list."""
    document = docx.Document()
    document.add_heading(labels.title, level=1)
    document.add_paragraph(f"{labels.exported}：{today.isoformat()}")
    notes: list[str] = []
    for item in items:
        paragraph = document.add_paragraph()
        paragraph.add_run(in_script(quoted(item.chunk.text), script))
        notes.append(_reference(item, script))
        paragraph._p.append(_footnote_reference(len(notes)))
        where = document.add_paragraph().add_run(_where(item, script, labels))
        where.font.size = Pt(9)
    document.add_heading(labels.references, level=2)
    for number, doc in enumerate(_documents(items), 1):
        document.add_paragraph(f"[{number}] {in_script(gbt7714_reference(doc, accessed=today), script)}")
    _add_footnotes_part(document, notes)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _footnote_reference(number: int) -> object:
    return parse_xml(
        f'<w:r xmlns:w="{_W}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
        f'<w:footnoteReference w:id="{number}"/></w:r>'
    )


def _add_footnotes_part(document: object, notes: Sequence[str]) -> None:
    # Ids -1 and 0 are the separators Word expects before the real footnotes, which start at 1.
    body = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
        f'<w:r><w:t xml:space="preserve"> {escape(text)}</w:t></w:r></w:p></w:footnote>'
        for n, text in enumerate(notes, 1)
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{_W}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        f"</w:footnote>{body}</w:footnotes>"
    )
    main_part = document.part  # type: ignore[attr-defined]
    part = Part(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, xml.encode("utf-8"), main_part.package)
    main_part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)


def export_files(items: Sequence[NoteItem], *, script: str, today: datetime.date,
                 labels: Labels = Labels()) -> list[ExportFile]:
    """Everything /export sends: Word, Markdown, RIS and CSL-JSON, named after the day."""
    stem = f"notebook-{today.isoformat()}"
    labels = Labels(*(in_script(text, script) for text in astuple(labels)))
    documents = [_in_script(doc, script) for doc in _documents(items)]
    csl = json.dumps([csl_json(doc) for doc in documents], ensure_ascii=False, indent=2)
    return [
        ExportFile(f"{stem}.docx", docx_notebook(items, script=script, today=today, labels=labels),
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ExportFile(f"{stem}.md", markdown_notebook(items, script=script, today=today, labels=labels).encode("utf-8"),
                   "text/markdown"),
        ExportFile(f"{stem}.ris", ris_file(documents).encode("utf-8"), "application/x-research-info-systems"),
        ExportFile(f"{stem}.json", csl.encode("utf-8"), "application/vnd.citationstyles.csl+json"),
    ]


def _in_script(doc: Document, script: str) -> Document:
    return replace(doc, title=in_script(doc.title, script), subtitle=in_script(doc.subtitle, script),
                   source=in_script(doc.source, script), author=in_script(doc.author, script),
                   site=in_script(doc.site, script), part=in_script(doc.part, script))
