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

from bot.readers.export import NoteItem, export_files
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


def files(items: list[NoteItem], script: str = "simplified") -> dict[str, bytes]:
    return {f.name.rsplit(".", 1)[1]: f.data for f in export_files(items, script=script, today=TODAY)}


def test_word_file_has_each_quote_with_a_footnote_and_a_reference_list(five_passages: list[NoteItem]) -> None:
    data = files(five_passages)["docx"]

    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    footnotes = zipfile.ZipFile(io.BytesIO(data)).read("word/footnotes.xml").decode()
    references = document.part.element.body.findall(f".//{W}footnoteReference")
    assert texts[0] == "摘录笔记" and "参考文献" in texts
    assert len(references) == 5 and [r.get(f"{W}id") for r in references] == ["1", "2", "3", "4", "5"]
    assert "刘艳梅. 发挥“两新”组织优势 提升基层治理效能: 第三届四川天府新区公园城市“两新”党建论坛在成都举行[J]. 四川党的建设, [2022]." in footnotes
    reference_list = texts[texts.index("参考文献") + 1:]
    assert [t.split(" ", 1)[0] for t in reference_list] == ["[1]", "[2]", "[3]", "[4]", "[5]"]
    assert reference_list[4] == "[5] 中共南京市栖霞区委常委、组织部部长. [南京市栖霞区党建引领基层治理的实践][Z]. [出版年不详]."


def test_quotes_in_the_export_follow_the_readers_script(five_passages: list[NoteItem]) -> None:
    markdown = files(five_passages, "traditional")["md"].decode()

    assert markdown.startswith("# 摘錄筆記")
    assert "> “本屆論壇由中共四川省委‘兩新’工委、人民日報社四川分社" in markdown
    assert "[^1]: 劉豔梅. 發揮“兩新”組織優勢" in markdown


def test_ris_and_csl_json_hold_one_record_per_work(five_passages: list[NoteItem]) -> None:
    exported = files(five_passages + five_passages[3:4])  # the same work twice counts once

    entries = rispy.loads(exported["ris"].decode())
    csl = json.loads(exported["json"])
    assert [e["type_of_reference"] for e in entries] == ["JOUR", "JOUR", "ELEC", "GEN", "JOUR"]
    assert [item["type"] for item in csl] == ["article-journal", "article-journal", "webpage", "document", "article-journal"]
