"""Notebook exports read back the way a writer's tools read them: Word (footnotes), Markdown, RIS, CSL-JSON."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
import rispy

from docx.oxml.ns import qn

from bot.readers.export import NoteItem, export_files
from index.answer.cite import CitationSystem
from index.build.builder import prepare_documents
from index.chunk.cut import chunk_document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
TODAY = datetime.date(2026, 11, 26)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def five_passages() -> list[NoteItem]:
    """One passage from each of the five reports (003's first piece)."""
    documents, _ = prepare_documents(CORPUS)
    chosen = [d for d in documents if "-" not in d.doc_id]
    return [NoteItem(chunk_document(d)[1], d, TODAY) for d in chosen]


def files(items: list[NoteItem], script: str = "simplified", system: CitationSystem = "numeric") -> dict[str, bytes]:
    return {f.name.rsplit(".", 1)[1]: f.data for f in export_files(items, script=script, today=TODAY, system=system)}


REFERENCE_000 = ("刘艳梅. 发挥“两新”组织优势 提升基层治理效能: 第三届四川天府新区公园城市“两新”党建论坛在成都举行[EB/OL]. "
                 "中国共产党新闻网, 2022.")


def test_word_file_has_each_quote_with_a_footnote_and_a_reference_list(five_passages: list[NoteItem]) -> None:
    data = files(five_passages)["docx"]

    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    footnotes = zipfile.ZipFile(io.BytesIO(data)).read("word/footnotes.xml").decode()
    references = document.part.element.body.findall(f".//{W}footnoteReference")
    assert texts[0] == "摘录笔记" and "参考文献" in texts
    assert len(references) == 5 and [r.get(f"{W}id") for r in references] == ["1", "2", "3", "4", "5"]
    assert REFERENCE_000 in footnotes
    reference_list = [t for t in texts[texts.index("参考文献") + 1:] if t.startswith("[")]
    assert [t.split(" ", 1)[0] for t in reference_list] == ["[1]", "[2]", "[3]", "[4]", "[5]"]
    assert reference_list[4] == "[5] 中共南京市栖霞区委常委、组织部部长. [南京市栖霞区党建引领基层治理的实践][J]. [出版年不详]."
    assert "（补充：刊名、出版年、期号、页码）" in texts


def test_word_file_is_a4_with_simsun_styled_footnotes_and_its_own_properties(five_passages: list[NoteItem]) -> None:
    document = docx.Document(io.BytesIO(files(five_passages)["docx"]))

    section = document.sections[0]
    normal = document.styles["Normal"].element.rPr.rFonts
    properties = document.core_properties
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert normal.get(qn("w:eastAsia")) == "SimSun"
    assert document.styles["Footnote Text"].font.size.pt == 9
    assert document.styles["Footnote Reference"].font.superscript is True
    assert (properties.title, properties.author, properties.created.date(), properties.language) == (
        "摘录笔记", "reports-qa", TODAY, "zh-CN")


def test_a_work_quoted_twice_keeps_its_number_in_every_output(five_passages: list[NoteItem]) -> None:
    items = five_passages + five_passages[:1]

    exported = files(items)
    markdown = exported["md"].decode()
    document = docx.Document(io.BytesIO(exported["docx"]))
    assert markdown.count("[^1]\n") == 2 and markdown.count("[^1]: ") == 1
    assert [line.split(" ", 1)[0] for line in markdown.splitlines() if line[:2] == "[" + line[1:2] and
            line[1:2].isdigit()] == ["[1]", "[2]", "[3]", "[4]", "[5]"]
    assert len(document.part.element.body.findall(f".//{W}footnoteReference")) == 5
    assert [r.text for p in document.paragraphs for r in p.runs if r.font.superscript] == ["1"]


def test_author_year_export_cites_in_the_text_and_has_no_footnotes(five_passages: list[NoteItem]) -> None:
    exported = files(five_passages, system="author-year")

    markdown = exported["md"].decode()
    assert "”（刘艳梅，2022）\n" in markdown and "”（佚名，2022）\n" in markdown
    assert "[^" not in markdown
    assert "word/footnotes.xml" not in zipfile.ZipFile(io.BytesIO(exported["docx"])).namelist()


def test_traditional_export_converts_quotes_and_labels_but_never_the_record(five_passages: list[NoteItem]) -> None:
    exported = files(five_passages, "traditional")

    markdown = exported["md"].decode()
    entries = rispy.loads(exported["ris"].decode())
    csl = json.loads(exported["json"])
    assert markdown.startswith("# 摘錄筆記")
    assert "引文字體：繁體；參考文獻按原始記錄著錄，不轉換字體" in markdown
    assert "> “本屆論壇由中共四川省委‘兩新’工委、人民日報社四川分社" in markdown
    assert f"[^1]: {REFERENCE_000}" in markdown
    assert "出處：《发挥“两新”组织优势 提升基层治理效能》" in markdown
    assert exported["ris"] == files(five_passages, "simplified")["ris"]
    assert exported["json"] == files(five_passages, "simplified")["json"]
    assert [e.get("authors") for e in entries][4] == ["中共南京市栖霞区委常委、组织部部长"]
    assert csl[0]["author"] == [{"literal": "刘艳梅"}] and csl[0]["language"] == "zh-CN"


def test_ris_and_csl_json_hold_one_record_per_work(five_passages: list[NoteItem]) -> None:
    exported = files(five_passages + five_passages[3:4])  # the same work twice counts once

    entries = rispy.loads(exported["ris"].decode())
    csl = json.loads(exported["json"])
    assert [e["type_of_reference"] for e in entries] == ["ELEC", "ELEC", "ELEC", "ELEC", "JOUR"]
    assert [item["type"] for item in csl] == ["webpage", "webpage", "webpage", "webpage", "article-journal"]


def test_a_quote_of_doubtful_wording_carries_the_caution_in_every_export(five_passages: list[NoteItem]) -> None:
    # 003 is a sharing site's machine-reworded copy (index/text/doubtful.py); 000-002 and 004's first passages are not.
    out = files(five_passages)
    markdown = out["md"].decode("utf-8")
    body = "".join(p.text for p in docx.Document(io.BytesIO(out["docx"])).paragraphs)
    reworded = [item for item in five_passages if item.document.doc_id.startswith("003")]

    assert markdown.count("措辞可能与原文不同") == body.count("措辞可能与原文不同") == len(reworded) == 1
    assert [entry.get("notes", [""])[0].count("措辞可能经过改写") for entry in rispy.loads(out["ris"].decode("utf-8"))
            ] == [1 if d.document.doc_id.startswith("003") else 0 for d in five_passages]
    assert ["措辞可能经过改写" in item.get("note", "") for item in json.loads(out["json"])] == [
        d.document.doc_id.startswith("003") for d in five_passages]
