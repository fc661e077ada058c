"""GB/T 7714 references and quotable passages built from document metadata."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from index.cite import gbt7714_reference, quotable_passage, split_authors
from index.records import Chunk, Document

PERIODICAL = Document(
    doc_id="002_x",
    path="002_x.txt",
    title="發揮“兩新”組織優勢 提升基層治理效能",
    text="……",
    source="四川黨的建設",
    date="2022-01-25",
    author="劉艷梅",
)


def test_periodical_article_is_cited_as_online_newspaper() -> None:
    assert gbt7714_reference(PERIODICAL) == "劉艷梅. 發揮“兩新”組織優勢 提升基層治理效能[N/OL]. 四川黨的建設, 2022-01-25."


def test_reference_adds_access_date_and_url_when_known() -> None:
    doc = replace(PERIODICAL, url="https://example.org/a.html")

    reference = gbt7714_reference(doc, accessed=datetime.date(2024, 5, 1))

    assert reference == (
        "劉艷梅. 發揮“兩新”組織優勢 提升基層治理效能[N/OL]. 四川黨的建設, 2022-01-25[2024-05-01]. "
        "https://example.org/a.html."
    )


def test_reference_without_author_starts_with_title() -> None:
    doc = replace(PERIODICAL, author="")

    assert gbt7714_reference(doc).startswith("發揮“兩新”組織優勢")


def test_web_page_without_source_is_cited_as_electronic_resource() -> None:
    doc = Document(doc_id="d", path="d.txt", title="社区治理经验", text="", date="2022-07-21", url="https://w.cn/1")

    reference = gbt7714_reference(doc, accessed=datetime.date(2024, 5, 1))

    assert reference == "社区治理经验[EB/OL]. (2022-07-21)[2024-05-01]. https://w.cn/1."


def test_web_page_without_any_date_has_no_empty_brackets() -> None:
    doc = Document(doc_id="d", path="d.txt", title="社区治理经验", text="")

    assert gbt7714_reference(doc) == "社区治理经验[EB/OL]."


def test_subtitle_dashes_become_a_colon() -> None:
    doc = replace(PERIODICAL, subtitle="——深圳市南山區的創新實踐")

    assert "提升基層治理效能: 深圳市南山區的創新實踐[N/OL]" in gbt7714_reference(doc)


def test_more_than_three_authors_end_with_deng() -> None:
    doc = replace(PERIODICAL, author="张三、李四、王五、赵六")

    assert gbt7714_reference(doc).startswith("张三, 李四, 王五, 等. ")


@pytest.mark.parametrize(
    ("field", "names"),
    [
        pytest.param("张三、李四", ["张三", "李四"], id="dun-hao"),
        pytest.param("张三，李四", ["张三", "李四"], id="full-width-comma"),
        pytest.param(" 张三 ", ["张三"], id="padded"),
        pytest.param("", [], id="empty"),
    ],
)
def test_author_field_is_split_on_chinese_and_latin_separators(field: str, names: list[str]) -> None:
    assert split_authors(field) == names


def test_quotable_passage_quotes_text_and_names_its_report() -> None:
    chunk = Chunk(chunk_id="002_x:3", doc_id="002_x", position=3, section="一、黨建引領", text=" 黨建引領治理。\n", start=0, end=8)

    assert quotable_passage(chunk, PERIODICAL) == (
        "“黨建引領治理。”（劉艷梅：《發揮“兩新”組織優勢 提升基層治理效能》，四川黨的建設，2022-01-25，一、黨建引領）"
    )

