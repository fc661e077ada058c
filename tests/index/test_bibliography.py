"""CSL-JSON and RIS records of the five reports, checked against hand-written ones and a real RIS reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import rispy

from index.answer.bibliography import csl_json, ris_entry, ris_file
from index.answer.cite import gbt7714_reference, work_type
from index.build.builder import prepare_documents
from index.records import Document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def corpus_documents() -> dict[str, Document]:
    documents, _ = prepare_documents(CORPUS)
    return {d.doc_id: d for d in documents}


def test_csl_json_of_a_reposted_periodical_article_cites_the_web_copy(corpus_documents: dict[str, Document]) -> None:
    expected: dict[str, Any] = {
        "id": "000_6c6ef55fef508933",
        "type": "webpage",
        "title": "发挥“两新”组织优势 提升基层治理效能: 第三届四川天府新区公园城市“两新”党建论坛在成都举行",
        "language": "zh-CN",
        "medium": "OL",
        "author": [{"literal": "刘艳梅"}],
        "publisher": "中国共产党新闻网",
        "issued": {"date-parts": [[2022, 1, 25]]},
        "note": "所据网页：中国共产党新闻网，2022-01-25发布；原始出处：四川党的建设[J]；所述活动或调研时间：2021-12-29；"
                "补充：网址、引用日期",
    }

    assert csl_json(corpus_documents["000_6c6ef55fef508933"]) == expected


def test_csl_json_of_a_shared_file_keeps_its_number_out_of_the_title(corpus_documents: dict[str, Document]) -> None:
    expected: dict[str, Any] = {
        "id": "003_14ef7fced5c9eca1-2",
        "type": "webpage",
        "title": "2022年先进基层党组织治理现代化",
        "language": "zh-CN",
        "medium": "OL",
        "publisher": "淘文阁网",
        "issued": {"date-parts": [[2022, 7, 21]]},
        "note": "所据网页：淘文阁网（文档编号 27045061），2022-07-21上传；本条为该文档中的第2篇：衢州市；补充：网址、引用日期；"
                "此为文档分享网站的副本，措辞可能经过改写，引用前请核对原始出处",
    }

    assert csl_json(corpus_documents["003_14ef7fced5c9eca1-2"]) == expected


def test_an_unknown_year_has_one_form(corpus_documents: dict[str, Document]) -> None:
    assert csl_json(corpus_documents["002_bcc05597e0a5e93c"])["issued"] == {"literal": "[出版年不详]"}


def test_ris_entry_of_an_office_authored_article(corpus_documents: dict[str, Document]) -> None:
    assert ris_entry(corpus_documents["004_d360520e85666164"]) == (
        "TY  - JOUR\r\n"
        "AU  - 中共南京市栖霞区委常委、组织部部长\r\n"
        "TI  - [南京市栖霞区党建引领基层治理的实践]\r\n"
        "N1  - 补充：刊名、出版年、期号、页码\r\n"
        "LA  - zh-CN\r\n"
        "ER  -\r\n"
    )


def test_ris_file_reads_back_in_a_reference_manager_parser(corpus_documents: dict[str, Document]) -> None:
    entries = rispy.loads(ris_file(corpus_documents.values()))

    assert [(e["type_of_reference"], e.get("authors", []), e["title"], e.get("publisher", ""),
             e.get("secondary_title", ""), e.get("year", "")) for e in entries] == [
        ("ELEC", ["刘艳梅"], "发挥“两新”组织优势 提升基层治理效能: 第三届四川天府新区公园城市“两新”党建论坛在成都举行",
         "中国共产党新闻网", "", "2022"),
        ("ELEC", ["人民论坛调研组"], "在党的全面领导下构建社会治理共同体: 深圳市南山区的创新实践与经验启示", "大国新村", "", "2021"),
        ("ELEC", ["施安南", "罗瑞斌"], "“八八战略”点亮基层善治实践路|党建引领小区治理之道主题研讨会召开", "", "", ""),
        ("ELEC", [], "2022年先进基层党组织治理现代化", "淘文阁网", "", "2022"),
        ("ELEC", [], "2022年先进基层党组织治理现代化", "淘文阁网", "", "2022"),
        ("ELEC", [], "2022年先进基层党组织治理现代化", "淘文阁网", "", "2022"),
        ("JOUR", ["中共南京市栖霞区委常委、组织部部长"], "[南京市栖霞区党建引领基层治理的实践]", "", "", ""),
    ]


def test_ris_and_csl_types_follow_the_reference(corpus_documents: dict[str, Document]) -> None:
    def types(doc: Document) -> tuple[bool, str, str]:
        kind = work_type(doc)
        return f"[{kind.code}]. " in gbt7714_reference(doc), ris_entry(doc).split("\r\n")[0], csl_json(doc)["type"]

    assert {doc_id: types(d) for doc_id, d in corpus_documents.items()} == {
        "000_6c6ef55fef508933": (True, "TY  - ELEC", "webpage"),
        "001_744f9100ef1c3714": (True, "TY  - ELEC", "webpage"),
        "002_bcc05597e0a5e93c": (True, "TY  - ELEC", "webpage"),
        "003_14ef7fced5c9eca1": (True, "TY  - ELEC", "webpage"),
        "003_14ef7fced5c9eca1-2": (True, "TY  - ELEC", "webpage"),
        "003_14ef7fced5c9eca1-3": (True, "TY  - ELEC", "webpage"),
        "004_d360520e85666164": (True, "TY  - JOUR", "article-journal"),
    }


def test_web_page_with_url_carries_it_and_its_access_date() -> None:
    doc = Document(doc_id="w", path="w.html", title="社区治理经验", text="", kind="webpage", site="人民网",
                   posted="2022-07-21", url="https://w.cn/1", accessed="2024-05-01")

    [entry] = rispy.loads(ris_entry(doc))

    assert (entry["urls"], entry["access_date"], entry["date"], entry["publisher"]) == (
        ["https://w.cn/1"], "2024/05/01", "2022/07/21", "人民网")
    assert csl_json(doc)["URL"] == "https://w.cn/1"
    assert csl_json(doc)["accessed"] == {"date-parts": [[2024, 5, 1]]}
