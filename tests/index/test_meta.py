"""documents_from_source on the real reports: titles, sources, dates, authors, places and splitting."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest.meta import (
    documents_from_source,
    extract_author,
    extract_date,
    extract_event_date,
    extract_kind,
    extract_site,
    extract_source,
)
from index.records import Document, SourceFile

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def documents(name: str, meta: dict[str, object] | None = None) -> list[Document]:
    path = next(CORPUS.glob(f"{name}_*.txt"))
    return documents_from_source(SourceFile(path=path.name, text=path.read_text("utf-8"), format="txt", meta=meta or {}))


def summary(document: Document) -> tuple[str, ...]:
    return (document.doc_id, document.title, document.subtitle, document.kind, document.source, document.date,
            document.author)


def provenance(document: Document) -> tuple[str, ...]:
    return (document.site, document.posted, document.event_date, document.year_estimated, document.doc_number)


@pytest.mark.parametrize(
    ("name", "expected", "expected_provenance"),
    [
        pytest.param("000", ("000_6c6ef55fef508933", "發揮“兩新”組織優勢 提升基層治理效能",
                             "第三屆四川天府新區公園城市“兩新”黨建論壇在成都舉行", "journal", "四川黨的建設", "", "劉艷梅"),
                     ("中國共產黨新聞網", "2022-01-25", "2021-12-29", "2022", ""),
                     id="periodical-reposted-on-a-news-site"),
        pytest.param("001", ("001_744f9100ef1c3714", "在黨的全面領導下構建社會治理共同體",
                             "深圳市南山區的創新實踐與經驗啟示", "journal", "人民論壇", "", "聶志剛、韓冰曦、魏飛"),
                     ("大國新村", "", "2021-07", "", ""), id="research-month-is-not-publication"),
        pytest.param("002", ("002_bcc05597e0a5e93c", "“八八戰略”點亮基層善治實踐路|黨建引領小區治理之道主題研討會召開",
                             "", "", "", "", "施安南、羅瑞斌"), ("", "", "", "", ""), id="event-date-without-year"),
        pytest.param("004", ("004_d360520e85666164", "[无题名]", "", "journal", "", "", "中共南京市栖霞区委常委、组织部部长"),
                     ("", "", "", "", ""), id="no-headline-author-named-by-office"),
    ],
)
def test_single_report_metadata(name: str, expected: tuple[str, ...], expected_provenance: tuple[str, ...]) -> None:
    [document] = documents(name)

    assert (summary(document), provenance(document)) == (expected, expected_provenance)


@pytest.mark.parametrize(
    ("name", "leading_places"),
    [
        pytest.param("000", ("四川省", "天府新区"), id="sichuan"),
        pytest.param("001", ("深圳市", "南山区"), id="nanshan"),
        pytest.param("002", ("浙江省", "杭州市", "拱墅区"), id="gongshu"),
        pytest.param("004", ("南京市", "栖霞区"), id="qixia"),
    ],
)
def test_places_lead_with_the_reports_own_place(name: str, leading_places: tuple[str, ...]) -> None:
    [document] = documents(name)

    assert document.places[: len(leading_places)] == leading_places


def test_000_places_include_chengdu() -> None:
    assert "成都市" in documents("000")[0].places


def test_download_dump_is_split_into_its_three_reports() -> None:
    parts = documents("003")

    assert [(d.doc_id, d.title, d.part, d.kind, d.source, d.date) for d in parts] == [
        ("003_14ef7fced5c9eca1", "2022年先进基层党组织治理现代化", "第1篇：武汉市汉阳区", "shared", "", ""),
        ("003_14ef7fced5c9eca1-2", "2022年先进基层党组织治理现代化", "第2篇：衢州市", "shared", "", ""),
        ("003_14ef7fced5c9eca1-3", "2022年先进基层党组织治理现代化", "第3篇：淄博市张店区", "shared", "", ""),
    ]
    assert {provenance(d) for d in parts} == {("淘文阁网", "2022-07-21", "", "", "27045061")}
    # The places each report is about (main_places), not every one it names in passing ("湖北省", "张店区").
    assert [d.places[:3] for d in parts] == [("武汉市", "汉阳区"), ("衢州市",), ("淄博市", "世纪花园社区")]
    assert parts[0].text.startswith("基层社会治理是国家治理的重要基石")
    assert parts[1].text.startswith("4月2日上午,中共衢州市委组织部")
    assert parts[2].text.startswith("在淄博市张店区马尚镇世纪花园社区")
    assert "世纪花园社区" in parts[2].places
    assert "希望能帮助到大家" not in parts[0].text


def test_title_and_subtitle_are_not_repeated_in_the_text() -> None:
    [document] = documents("001")

    assert document.text.startswith("【調研背景】")
    assert "大國新村" not in document.text


def test_sidecar_values_override_extracted_ones() -> None:
    meta: dict[str, object] = {"title": "南山区报告", "date": "2021-08-01", "places": ["深圳市", "南山區"], "url": "https://x"}

    [document] = documents("001", meta)

    assert (document.title, document.date, document.places, document.url, document.source) == (
        "南山区报告", "2021-08-01", ("深圳市", "南山区"), "https://x", "人民論壇")


def test_a_title_hint_keeps_a_dump_as_one_document() -> None:
    assert [d.title for d in documents("003", {"title": "先进基层党组织治理现代化汇编"})] == ["先进基层党组织治理现代化汇编"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(["2022年01月25日14:57 來源:四川黨的建設", "2021年12月29日,論壇舉行。"], "2022-01-25", id="dateline"),
        pytest.param(["2021年7月,人民論壇雜志社組織調研。"], "", id="research-month-is-no-publication-date"),
        pytest.param(["上传人:x 文档编号:27045061 上传时间:2022-07-21 格式:DOCX"], "", id="upload-is-no-publication-date"),
        pytest.param(["11月17日,研討會召開。"], "", id="no-year"),
    ],
)
def test_extract_date(lines: list[str], expected: str) -> None:
    assert extract_date(lines) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(["2022年01月25日14:57 來源:四川黨的建設", "2021年12月29日,論壇舉行。"], "2021-12-29", id="forum-day"),
        pytest.param(["2021年7月,人民論壇雜志社組織調研。"], "2021-07", id="research-month"),
        pytest.param(["11月17日,研討會召開。"], "", id="no-year"),
        pytest.param(["自2017年以來,連續6年深化。"], "", id="year-alone"),
    ],
)
def test_extract_event_date(lines: list[str], expected: str) -> None:
    assert extract_event_date(lines) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(["聲明:本文為人民論壇雜志社原創內容,轉載請獲得授權。"], "人民論壇", id="original-statement"),
        pytest.param(["2022年01月25日14:57 來源:四川黨的建設"], "四川黨的建設", id="source-line"),
        pytest.param(["中國共產黨新聞網>>黨建"], "", id="a-website-is-not-a-source"),
        pytest.param(["工信部备案号:黑ICP备15003705号 淘文阁", "来源:淘文阁"], "", id="download-site-is-not-a-source"),
    ],
)
def test_extract_source(lines: list[str], expected: str) -> None:
    assert extract_source(lines) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(["中國共產黨新聞網>>黨建"], "中國共產黨新聞網", id="breadcrumb"),
        pytest.param(["大國新村", "首頁 > 調查研究 > 正文"], "大國新村", id="masthead-above-breadcrumb"),
        pytest.param(["请在taowenge.com淘文阁网|工程机械CAD图纸上搜索。"], "淘文阁网", id="sharing-site"),
        pytest.param(["大國新村", "南山區推進小區黨支部全覆蓋。"], "", id="short-line-alone"),
    ],
)
def test_extract_site(lines: list[str], expected: str) -> None:
    assert extract_site(lines) == expected


@pytest.mark.parametrize(
    ("lines", "source", "site", "expected"),
    [
        pytest.param(["頒發聘書。(本刊記者 劉艷梅)"], "四川黨的建設", "", "journal", id="own-reporter-of-a-periodical"),
        pytest.param(["本屆論壇由《四川黨的建設》雜志社聯合主辦。"], "四川黨的建設", "", "journal", id="named-as-magazine"),
        pytest.param(["論文部分內容閱讀", "正文。"], "", "", "journal", id="paper-database-page"),
        pytest.param(["(本报记者 张三)"], "", "", "newspaper", id="own-reporter-of-a-newspaper"),
        pytest.param(["正文。"], "杭州日报", "", "newspaper", id="source-is-a-newspaper"),
        pytest.param(["正文。"], "学报", "", "", id="a-university-journal-is-no-newspaper"),
        pytest.param(["上传人:x 文档编号:27045061"], "", "淘文阁网", "shared", id="sharing-site"),
        pytest.param(["正文。"], "", "人民网", "webpage", id="only-a-site"),
        pytest.param(["正文。"], "", "", "", id="nothing-known"),
    ],
)
def test_extract_kind(lines: list[str], source: str, site: str, expected: str) -> None:
    assert extract_kind(lines, source=source, site=site) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(["頒發聘書。(本刊記者 劉艷梅)"], "劉艷梅", id="reporter-byline"),
        pytest.param(["(調研組成員:聶志剛、韓冰曦、魏飛)"], "聶志剛、韓冰曦、魏飛", id="research-team"),
        pytest.param(["(作者系中共南京市栖霞区委常委、组织部部长)"], "中共南京市栖霞区委常委、组织部部长", id="author-named-by-office"),
    ],
)
def test_extract_author(lines: list[str], expected: str) -> None:
    assert extract_author(lines) == expected


def test_short_masthead_above_the_headline_is_dropped() -> None:
    source = SourceFile(path="x/site.txt", text="大國新村\n社區治理的南山經驗與啟示\n南山區推進小區黨支部全覆蓋。\n", format="txt")

    [document] = documents_from_source(source)

    assert (document.doc_id, document.title, document.text) == ("site", "社區治理的南山經驗與啟示", "南山區推進小區黨支部全覆蓋。")
