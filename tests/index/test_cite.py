"""GB/T 7714—2015 references, in-text citations and quotable passages built from document metadata."""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path

import pytest

from index.build.builder import prepare_documents
from index.answer.cite import (
    gbt7714_reference,
    in_text_citation,
    missing_elements,
    missing_note,
    original_source,
    quotable_passage,
    split_authors,
    type_code,
    work_type,
)
from index.records import Chunk, Document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

# Written by hand from what each report's text (and its sidecar's reasoning) supports; see docs/citations.md.
# Each report is cited as the copy actually read: 000 and 001 as web pages (their print sources are named
# as the original, see test_web_copies_name_their_print_source); 004's periodical is not named.
EXPECTED_REFERENCES = {
    "000_6c6ef55fef508933": "刘艳梅. 发挥“两新”组织优势 提升基层治理效能: 第三届四川天府新区公园城市“两新”党建论坛在成都举行"
                            "[EB/OL]. 中国共产党新闻网, 2022.",
    "001_744f9100ef1c3714": "人民论坛调研组. 在党的全面领导下构建社会治理共同体: 深圳市南山区的创新实践与经验启示[EB/OL]. "
                            "大国新村, [2021].",
    "002_bcc05597e0a5e93c": "施安南, 罗瑞斌. “八八战略”点亮基层善治实践路|党建引领小区治理之道主题研讨会召开[EB/OL]. [出版年不详].",
    "003_14ef7fced5c9eca1": "2022年先进基层党组织治理现代化[EB/OL]. 淘文阁网, 2022.",
    "003_14ef7fced5c9eca1-2": "2022年先进基层党组织治理现代化[EB/OL]. 淘文阁网, 2022.",
    "003_14ef7fced5c9eca1-3": "2022年先进基层党组织治理现代化[EB/OL]. 淘文阁网, 2022.",
    "004_d360520e85666164": "中共南京市栖霞区委常委、组织部部长. [南京市栖霞区党建引领基层治理的实践][J]. [出版年不详].",
}
EXPECTED_IN_TEXT = {
    "000_6c6ef55fef508933": "（刘艳梅，2022）",
    "001_744f9100ef1c3714": "（人民论坛调研组，[2021]）",
    "002_bcc05597e0a5e93c": "（施安南等，[出版年不详]）",
    "003_14ef7fced5c9eca1": "（佚名，2022）",
    "003_14ef7fced5c9eca1-2": "（佚名，2022）",
    "003_14ef7fced5c9eca1-3": "（佚名，2022）",
    "004_d360520e85666164": "（中共南京市栖霞区委常委、组织部部长，[出版年不详]）",
}
EXPECTED_MISSING = {
    "000_6c6ef55fef508933": "补充：网址、引用日期",
    "001_744f9100ef1c3714": "补充：网址、引用日期",
    "002_bcc05597e0a5e93c": "补充：网站名、出版年、网址、引用日期",
    "003_14ef7fced5c9eca1": "补充：网址、引用日期",
    "003_14ef7fced5c9eca1-2": "补充：网址、引用日期",
    "003_14ef7fced5c9eca1-3": "补充：网址、引用日期",
    "004_d360520e85666164": "补充：刊名、出版年、期号、页码",
}


@pytest.fixture(scope="module")
def corpus_documents() -> dict[str, Document]:
    documents, skipped = prepare_documents(CORPUS)
    assert skipped == []
    return {d.doc_id: d for d in documents}


def test_references_of_the_five_reports_match_the_hand_written_ones(corpus_documents: dict[str, Document]) -> None:
    assert {doc_id: gbt7714_reference(d) for doc_id, d in corpus_documents.items()} == EXPECTED_REFERENCES


def test_in_text_citations_of_the_five_reports(corpus_documents: dict[str, Document]) -> None:
    assert {doc_id: in_text_citation(d) for doc_id, d in corpus_documents.items()} == EXPECTED_IN_TEXT


ARTICLE = Document(
    doc_id="a", path="a.txt", title="发挥“两新”组织优势 提升基层治理效能", text="……", source="四川党的建设",
    date="2022", author="刘艳梅", kind="journal",
)


def test_periodical_article_is_a_journal_reference_with_its_year() -> None:
    assert gbt7714_reference(ARTICLE) == "刘艳梅. 发挥“两新”组织优势 提升基层治理效能[J]. 四川党的建设, 2022."


def test_online_periodical_gets_access_date_and_url() -> None:
    doc = replace(ARTICLE, url="https://example.org/a.html")

    reference = gbt7714_reference(doc, accessed=datetime.date(2024, 5, 1))

    assert reference == (
        "刘艳梅. 发挥“两新”组织优势 提升基层治理效能[J/OL]. 四川党的建设, 2022[2024-05-01]. https://example.org/a.html."
    )


def test_a_recorded_access_date_beats_the_citing_date() -> None:
    doc = replace(ARTICLE, url="https://example.org/a.html", accessed="2023-03-02")

    assert "2022[2023-03-02]." in gbt7714_reference(doc, accessed=datetime.date(2024, 5, 1))


def test_no_access_date_without_a_url() -> None:
    assert "[2024" not in gbt7714_reference(ARTICLE, accessed=datetime.date(2024, 5, 1))


def test_newspaper_article_cites_the_day() -> None:
    doc = replace(ARTICLE, kind="newspaper", source="杭州日报", date="2022-11-18")

    assert gbt7714_reference(doc) == "刘艳梅. 发挥“两新”组织优势 提升基层治理效能[N]. 杭州日报, 2022-11-18."


def test_web_page_names_site_year_access_date_and_url() -> None:
    doc = Document(doc_id="d", path="d.txt", title="社区治理经验", text="", kind="webpage", site="人民网",
                   posted="2022-07-21", url="https://w.cn/1")

    reference = gbt7714_reference(doc, accessed=datetime.date(2024, 5, 1))

    assert reference == "社区治理经验[EB/OL]. 人民网, 2022[2024-05-01]. https://w.cn/1."
    assert missing_elements(doc, accessed=datetime.date(2024, 5, 1)) == ()


def test_web_page_without_a_site_gives_its_posting_day() -> None:
    doc = Document(doc_id="d", path="d.txt", title="社区治理经验", text="", kind="webpage", posted="2022-07-21",
                   url="https://w.cn/1")

    assert gbt7714_reference(doc, accessed=datetime.date(2024, 5, 1)) == (
        "社区治理经验[EB/OL]. (2022-07-21)[2024-05-01]. https://w.cn/1."
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        pytest.param({}, "J", id="periodical"),
        pytest.param({"source": ""}, "J", id="periodical-not-named-still-an-article"),
        pytest.param({"url": "https://x"}, "J/OL", id="online-periodical"),
        pytest.param({"site": "人民网"}, "EB/OL", id="read-as-a-web-repost"),
        pytest.param({"kind": "newspaper", "source": "杭州日报"}, "N", id="newspaper"),
        pytest.param({"kind": "newspaper", "source": "杭州日报", "url": "https://x"}, "N/OL", id="online-newspaper"),
        pytest.param({"kind": "webpage"}, "EB/OL", id="web-page"),
        pytest.param({"kind": "shared"}, "EB/OL", id="shared-document"),
        pytest.param({"kind": ""}, "Z", id="kind-unknown"),
    ],
)
def test_type_code_follows_the_copy_read(changes: dict[str, str], code: str) -> None:
    assert type_code(replace(ARTICLE, **changes)) == code  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "code", "ris", "csl"),
    [
        pytest.param({}, "J", "JOUR", "article-journal", id="journal"),
        pytest.param({"kind": "newspaper"}, "N", "NEWS", "article-newspaper", id="newspaper"),
        pytest.param({"site": "人民网"}, "EB/OL", "ELEC", "webpage", id="web"),
        pytest.param({"kind": ""}, "Z", "GEN", "document", id="other"),
    ],
)
def test_one_work_type_gives_the_reference_ris_and_csl_types(changes: dict[str, str], code: str, ris: str,
                                                            csl: str) -> None:
    kind = work_type(replace(ARTICLE, **changes))  # type: ignore[arg-type]

    assert (kind.code, kind.ris, kind.csl) == (code, ris, csl)


def test_missing_elements_of_the_five_reports(corpus_documents: dict[str, Document]) -> None:
    notes = {doc_id: missing_note(missing_elements(d, accessed=datetime.date(2024, 5, 1)))
             for doc_id, d in corpus_documents.items()}

    assert notes == EXPECTED_MISSING


def test_missing_elements_in_english() -> None:
    assert missing_note(missing_elements(ARTICLE), "en") == "add: issue, pages"


def test_web_copies_name_their_print_source(corpus_documents: dict[str, Document]) -> None:
    named = {doc_id: original_source(d) for doc_id, d in corpus_documents.items() if original_source(d)}

    assert named == {"000_6c6ef55fef508933": "四川党的建设[J]", "001_744f9100ef1c3714": "人民论坛[J]"}


def test_author_year_puts_the_year_after_the_author_and_names_anonymous_works() -> None:
    anonymous = replace(ARTICLE, author="", date="")

    assert gbt7714_reference(ARTICLE, system="author-year") == (
        "刘艳梅, 2022. 发挥“两新”组织优势 提升基层治理效能[J]. 四川党的建设."
    )
    assert gbt7714_reference(anonymous, system="author-year") == (
        "佚名, [出版年不详]. 发挥“两新”组织优势 提升基层治理效能[J]. 四川党的建设."
    )
    assert in_text_citation(anonymous) == "（佚名，[出版年不详]）"


def test_numeric_in_text_citation_is_the_reference_number() -> None:
    assert in_text_citation(ARTICLE, system="numeric", number=3) == "[3]"


def test_subtitle_dashes_become_a_colon() -> None:
    doc = replace(ARTICLE, subtitle="——深圳市南山区的创新实践")

    assert "提升基层治理效能: 深圳市南山区的创新实践[J]" in gbt7714_reference(doc)


def test_more_than_three_authors_end_with_deng() -> None:
    doc = replace(ARTICLE, author="张三、李四、王五、赵六")

    assert gbt7714_reference(doc).startswith("张三, 李四, 王五, 等. ")


@pytest.mark.parametrize(
    ("field", "names"),
    [
        pytest.param("张三、李四", ["张三", "李四"], id="dun-hao"),
        pytest.param("张三，李四", ["张三", "李四"], id="full-width-comma"),
        pytest.param(" 张三 ", ["张三"], id="padded"),
        pytest.param("", [], id="empty"),
        pytest.param("中共南京市栖霞区委常委、组织部部长", ["中共南京市栖霞区委常委、组织部部长"], id="office-stays-whole"),
        pytest.param("人民论坛调研组", ["人民论坛调研组"], id="organisation"),
        pytest.param("中共南京市棲霞區委常委、組織部部長", ["中共南京市棲霞區委常委、組織部部長"], id="office-in-traditional"),
    ],
)
def test_author_field_is_split_into_names_but_an_office_stays_whole(field: str, names: list[str]) -> None:
    assert split_authors(field) == names


def test_quotable_passage_puts_no_section_where_a_page_would_go() -> None:
    chunk = Chunk(chunk_id="a:3", doc_id="a", position=3, section="一、党建引领", text=" 党建引领治理。\n", start=0, end=8)

    assert quotable_passage(chunk, ARTICLE) == "“党建引领治理。”（刘艳梅，2022）"
    assert quotable_passage(chunk, ARTICLE, system="numeric", number=2, script="traditional") == "“黨建引領治理。”[2]"
