"""A notebook as files a writer takes to a manuscript: .docx with footnotes, Markdown, RIS and CSL-JSON (pure).

One citation system per export (numeric: footnote and citation numbers are the reference list's; or
author-year); quotes are in the reader's script and say so, references keep the record's own form.

python-docx has no footnote API, so the .docx gets its footnotes part written here from the
WordprocessingML schema (a separator, a continuation separator, then one footnote per quote).
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from xml.sax.saxutils import escape

import docx
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from index.answer.bibliography import csl_json, ris_file
from index.text.doubtful import doubtful_wording
from index.answer.cite import (
    CitationSystem,
    display_title,
    gbt7714_reference,
    in_text_citation,
    missing_elements,
    missing_note,
    original_source,
)
from index.records import Chunk, Document
from index.text.script import display_punctuation, in_script, quoted

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# What a Chinese journal expects of a manuscript: A4, 宋体 body (East-Asian font set, so Word and LibreOffice
# use it for Chinese), Times New Roman for Latin letters, 小四 (12 pt) body and 小五 (9 pt) footnotes.
BODY_FONT_CJK = "SimSun"
BODY_FONT_LATIN = "Times New Roman"
BODY_PT = 12
NOTE_PT = 9
PAGE_MM = (210, 297)
MARGIN_MM = 25
LANGUAGE = "zh-CN"


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
    quotes: str = ""  # which script the quotes are in; "" writes the Chinese sentence for the script used
    original: str = "原始出处："
    doubtful: str = "⚠ 措辞可能与原文不同，引用前请核对原始出处。"  # under a quote whose wording may not be the author's
    language: str = "zh"


_SCRIPT_NAMES = {"simplified": "简体", "traditional": "繁体"}


def _quotes_line(script: str) -> str:
    return f"引文字体：{_SCRIPT_NAMES.get(script, '各报告原文的字体')}；参考文献按原始记录著录，不转换字体"


def _works(items: Sequence[NoteItem]) -> list[Document]:
    # Each work once, in the order it was first quoted: the reference list's numbering (顺序编码制). The
    # pieces of one shared file are one work, so the reference, not the report id, decides.
    seen: dict[str, Document] = {}
    for item in items:
        seen.setdefault(gbt7714_reference(item.document), item.document)
    return list(seen.values())


def _number_of(item: NoteItem, works: Sequence[Document]) -> int:
    key = gbt7714_reference(item.document)
    return next(n for n, doc in enumerate(works, 1) if gbt7714_reference(doc) == key)


def _reference_list(items: Sequence[NoteItem], today: datetime.date, system: CitationSystem,
                    labels: Labels, script: str) -> list[tuple[str, str]]:
    """(entry, what to add or check) per work: numbered in citing order, or author-year sorted by author."""
    works = _works(items)
    entries = []
    for number, doc in enumerate(works, 1):
        reference = gbt7714_reference(doc, accessed=today, system=system)
        notes = [in_script(missing_note(missing_elements(doc, accessed=today), labels.language), script)]
        if original_source(doc):
            notes.append(f"{labels.original}{original_source(doc)}")
        entries.append((f"[{number}] {reference}" if system == "numeric" else reference,
                        "；".join(n for n in notes if n)))
    return entries if system == "numeric" else sorted(entries)


def _doubtful(item: NoteItem) -> bool:
    return bool(doubtful_wording(item.chunk.text, document_kind=item.document.kind))


def _where(item: NoteItem, script: str, labels: Labels) -> str:
    section = f" · {display_punctuation(in_script(item.chunk.section, script))}" if item.chunk.section else ""
    return f"{labels.source}：《{display_title(item.document)}》{section}"


def markdown_notebook(items: Sequence[NoteItem], *, script: str, today: datetime.date, labels: Labels,
                      system: CitationSystem = "numeric") -> str:
    """The notebook in Markdown: each quote as a block quote with its citation, then the reference list.

    Numeric: footnote [^n] is reference [n] (a work quoted twice has one footnote, cited twice).
    """
    works = _works(items)
    lines = [f"# {labels.title}", "", f"{labels.exported}：{today.isoformat()}  ", labels.quotes, ""]
    for item in items:
        number = _number_of(item, works)
        cite = f"[^{number}]" if system == "numeric" else in_text_citation(item.document, system=system)
        lines += [f"> {in_script(quoted(item.chunk.text), script)}{cite}", ">", f"> — {_where(item, script, labels)}"]
        lines += [">", f"> {labels.doubtful}", ""] if _doubtful(item) else [""]
    references = _reference_list(items, today, system, labels, script)
    if system == "numeric":
        lines += [f"[^{n}]: {entry.split(' ', 1)[1]}" for n, (entry, _) in enumerate(references, 1)]
        lines.append("")
    lines += [f"## {labels.references}", ""]
    for entry, note in references:
        lines += [f"{entry}  "] + ([f"（{note}）  "] if note else [])
    return "\n".join(lines).rstrip() + "\n"


def docx_notebook(items: Sequence[NoteItem], *, script: str, today: datetime.date, labels: Labels,
                  system: CitationSystem = "numeric") -> bytes:
    """The notebook as a Word file a Chinese journal accepts: A4, 宋体, each quote cited (numeric: a real
    footnote whose number is the reference list's; author-year: in the text), then the reference list."""
    document = docx.Document()
    _set_up(document, labels, today)
    document.add_heading(labels.title, level=1)
    document.add_paragraph(f"{labels.exported}：{today.isoformat()}")
    document.add_paragraph(labels.quotes)
    works = _works(items)
    notes: list[str] = []
    for item in items:
        paragraph = document.add_paragraph()
        paragraph.add_run(in_script(quoted(item.chunk.text), script))
        number = _number_of(item, works)
        if system == "author-year":
            paragraph.add_run(in_text_citation(item.document, system=system))
        elif number > len(notes):  # a work's first quote: its footnote, numbered as its reference
            notes.append(gbt7714_reference(item.document, accessed=today))
            paragraph._p.append(_footnote_reference(number))
        else:  # quoted again: the same number, as Word shows a footnote mark
            paragraph.add_run(str(number)).font.superscript = True
        where = document.add_paragraph().add_run(_where(item, script, labels))
        where.font.size = Pt(NOTE_PT)
        if _doubtful(item):
            caution = document.add_paragraph().add_run(labels.doubtful)
            caution.font.size, caution.font.bold = Pt(NOTE_PT), True
    document.add_heading(labels.references, level=2)
    for entry, note in _reference_list(items, today, system, labels, script):
        document.add_paragraph(entry)
        if note:
            document.add_paragraph().add_run(f"（{note}）").font.size = Pt(NOTE_PT)
    if notes:
        _add_footnotes_part(document, notes)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _east_asian(style: Any, size_pt: int) -> None:
    style.font.name = BODY_FONT_LATIN
    style.font.size = Pt(size_pt)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), BODY_FONT_CJK)


def _set_up(document: Any, labels: Labels, today: datetime.date) -> None:
    # Page, fonts, footnote styles and document properties; the default template is US Letter and says
    # "python-docx" in its properties.
    for section in document.sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
    styles = document.styles
    _east_asian(styles["Normal"], BODY_PT)
    for name in ("Heading 1", "Heading 2", "Title"):
        if name in [s.name for s in styles]:
            fonts = styles[name].element.get_or_add_rPr().get_or_add_rFonts()
            fonts.set(qn("w:eastAsia"), BODY_FONT_CJK)
    note_text = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
    note_text.element.set(qn("w:styleId"), "FootnoteText")
    note_text.base_style = styles["Normal"]
    _east_asian(note_text, NOTE_PT)
    note_text.paragraph_format.space_after = Pt(0)
    mark = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    mark.element.set(qn("w:styleId"), "FootnoteReference")
    mark.font.superscript = True
    properties = document.core_properties
    moment = datetime.datetime.combine(today, datetime.time())
    properties.title = labels.title
    properties.subject = labels.references
    properties.author = properties.last_modified_by = "reports-qa"
    properties.created = properties.modified = moment
    properties.revision = 1
    properties.language = LANGUAGE
    properties.comments = labels.quotes


def _footnote_reference(number: int) -> object:
    return parse_xml(
        f'<w:r xmlns:w="{_W}"><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
        f'<w:footnoteReference w:id="{number}"/></w:r>'
    )


def _add_footnotes_part(document: object, notes: Sequence[str]) -> None:
    # Ids -1 and 0 are the separators Word expects before the real footnotes, which start at 1.
    body = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
        f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
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


def export_files(items: Sequence[NoteItem], *, script: str, today: datetime.date, labels: Labels = Labels(),
                 system: CitationSystem = "numeric", language: str = "zh") -> list[ExportFile]:
    """Everything /export sends: Word, Markdown, RIS and CSL-JSON, named after the day.

    Only quotes and labels follow the reader's script; every citation keeps its record's own form.
    """
    stem = f"notebook-{today.isoformat()}"
    labels = replace(labels, quotes=labels.quotes or _quotes_line(script), language=language)
    labels = replace(labels, **{name: in_script(getattr(labels, name), script)
                                for name in ("title", "references", "source", "exported", "quotes", "original",
                                             "doubtful")})
    works = _works(items)
    csl = json.dumps([csl_json(doc) for doc in works], ensure_ascii=False, indent=2)
    markdown = markdown_notebook(items, script=script, today=today, labels=labels, system=system)
    return [
        ExportFile(f"{stem}.docx", docx_notebook(items, script=script, today=today, labels=labels, system=system),
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ExportFile(f"{stem}.md", markdown.encode("utf-8"), "text/markdown"),
        ExportFile(f"{stem}.ris", ris_file(works).encode("utf-8"), "application/x-research-info-systems"),
        ExportFile(f"{stem}.json", csl.encode("utf-8"), "application/vnd.citationstyles.csl+json"),
    ]
