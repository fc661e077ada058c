"""Cleaning rules, each pinned by a real line from the reports in corpus/."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.text.clean import (
    clean_text,
    fold,
    is_furniture,
    rejoin_page_breaks,
    repair_mojibake,
    strip_pinyin,
    strip_trailing_credit,
)

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def read(name: str) -> str:
    return next(CORPUS.glob(f"{name}_*.txt")).read_text("utf-8")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("南山區(qū)先後制定", "南山區先後制定", id="one-syllable"),
        pytest.param("推動產(chǎn)業(yè)持續發展", "推動產業持續發展", id="two-glosses"),
        pytest.param("這(zhè)些重點", "這些重點", id="grave-tone"),
        pytest.param("中共中央黨校(國家行政學院)", "中共中央黨校(國家行政學院)", id="real-parentheses"),
        pytest.param("行動方案(2019-2025年)》", "行動方案(2019-2025年)》", id="years-in-parentheses"),
        pytest.param("聘書。(本刊記者 劉艷梅)", "聘書。(本刊記者 劉艷梅)", id="byline-kept"),
        pytest.param("公司(ltd)", "公司(ltd)", id="latin-that-is-not-pinyin"),
    ],
)
def test_strip_pinyin_removes_only_glosses(raw: str, expected: str) -> None:
    assert strip_pinyin(raw) == expected


def test_repair_mojibake_restores_misaligned_gbk_fragment() -> None:
    line = "南山區提出更高要求?!渡钲谑薪ㄔO中國特色社會主義先行示范區"

    repaired = repair_mojibake(line)

    assert repaired == "南山區提出更高要求。《深圳市建設中國特色社會主義先行示范區"


def test_repair_mojibake_leaves_ordinary_questions_alone() -> None:
    assert repair_mojibake("如何破解小區治理難題?如何加強") == "如何破解小區治理難題?如何加強"


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("中國共產黨新聞網>>黨建", id="site-breadcrumb"),
        pytest.param("首頁 > 調查研究 > 調研成果 > 正文", id="breadcrumb"),
        pytest.param("網站首頁 | 網站地圖", id="nav-bar"),
        pytest.param("分享", id="share"),
        pytest.param("微信“掃一掃”添加“學習大國”", id="qr-code"),
        pytest.param("(責編:王子鋒、王珂園)", id="editor-in-parentheses"),
        pytest.param("責編/魏飛 美編/薛佳瑩", id="editor-slash"),
        pytest.param("[責任編輯:王克]", id="editor-in-brackets"),
        pytest.param("责任编辑:霍宏光", id="editor-simplified"),
        pytest.param("通訊員:張筱燕 王海洋 谷慶成", id="correspondent"),
        pytest.param("攝影:陸偉", id="photographer"),
        pytest.param("聲明:本文為人民論壇雜志社原創內容,任何單位或個人轉載請回復本微信號獲得授權", id="reprint"),
        pytest.param("工信部备案号:黑ICP备15003705号© 2020-2023 www.taowenge.com 淘文阁", id="icp"),
        pytest.param("上传人:ylj18****70940 文档编号:27045061 上传时间:2022-07-21 格式:DOCX", id="uploader"),
        pytest.param("返回 下载 相关 举报", id="download-buttons"),
        pytest.param("2022年先进基层党组织治理现代化.docx_第1页", id="page-image"),
        pytest.param("点击查看更多>>", id="see-more"),
        pytest.param("资源描述", id="resource-description"),
        pytest.param("展开阅读全文", id="expand"),
        pytest.param("当前位置:首页 > 应用文书 > 工作报告", id="current-position"),
        pytest.param("本站为文档C TO C交易模式,本站只提供存储空间、用户上传的文档直接被用户下载", id="site-terms"),
        pytest.param("论文部分内容阅读", id="partial-reading"),
        pytest.param("相關專題", id="related-topics"),
        pytest.param("· 期刊選粹", id="journal-picks"),
        pytest.param("左右滑動 查看更多", id="swipe"),
        pytest.param("精品911国产高清在线观看,久操国产在线,日日夜夜欧美,www.五月激情", id="spam"),
        pytest.param("第1页 / 共11页", id="page-counter"),
        pytest.param("2022年01月25日14:57    來源:四川黨的建設", id="dateline"),
    ],
)
def test_site_chrome_is_furniture(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("由党组织牵头,在社区(村)组建微信群,书记和党员骨干带头进群。", id="mentions-wechat"),
        pytest.param("論壇上,《組織人事報》總編輯俞嘉駿發表了主旨演講。", id="mentions-editor"),
        pytest.param("推出典型案例 激發發展活力", id="section-heading"),
        pytest.param("分享實踐經驗 凝聚思想共識", id="heading-starting-with-share"),
        pytest.param("杭州市拱墅區委常委、組織部部長 施甜甜", id="speaker-caption"),
        pytest.param("“八八戰略”點亮基層善治實踐路|黨建引領小區治理之道主題研討會召開", id="title-with-bar"),
    ],
)
def test_report_text_is_not_furniture(line: str) -> None:
    assert not is_furniture(line)


def test_page_counters_glued_to_a_paragraph_are_removed() -> None:
    raw = "形成了社區黨建工作互促雙贏的新格局。第11页 共11页第 11 页 共 11 页第 11 页 共 11 页"

    assert clean_text(raw) == "形成了社區黨建工作互促雙贏的新格局。"


def test_page_pieces_cut_mid_sentence_are_rejoined() -> None:
    pieces = ["1、会议由陶建群主持。中共中心党校(国家行政学院)", "2、教授竹立家认为很好。", "3、会上发布了指标体系", "4、韩勇指出。"]

    assert rejoin_page_breaks(pieces) == ["会议由陶建群主持。中共中心党校(国家行政学院)教授竹立家认为很好。", "会上发布了指标体系韩勇指出。"]


def test_genuine_enumeration_keeps_its_numbers() -> None:
    items = ["主要做法如下：", "1、建强组织体系。", "2、规范治理体系。", "3、完善服务体系。"]

    assert rejoin_page_breaks(items) == items


def test_body_printed_twice_is_kept_once() -> None:
    text = clean_text(read("004"))

    assert text.count("掌上云社区立体赋能") == 1
    assert text.count("双网融合、强基固本,有效提升组织力") == 1


def test_real_sentence_mentioning_wechat_survives() -> None:
    assert "在社区(村)组建微信群" in clean_text(read("004"))


def test_cleaned_003_has_no_sentence_cut_at_a_page_break() -> None:
    paragraphs = clean_text(read("003")).split("\n")

    assert all(p.rstrip("”)").endswith(("。", "!", "！", "?", "？")) for p in paragraphs)
    assert "中共中心党校(国家行政学院)教授竹立家" in "".join(paragraphs)


@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_no_furniture_or_pinyin_survives_cleaning(name: str) -> None:
    paragraphs = clean_text(read(name)).split("\n")

    assert [p for p in paragraphs if is_furniture(p)] == []
    assert "(qū)" not in "".join(paragraphs) and "(chǎn)" not in "".join(paragraphs)
    assert not any(ch == "\ufffd" for p in paragraphs for ch in p)


def test_traditional_text_stays_traditional() -> None:
    text = clean_text(read("001"))

    assert "在黨的全面領導下構建社會治理共同體" in text


def test_fold_gives_simplified_lowercase_halfwidth() -> None:
    assert fold("南山區ＧＤＰ（先鋒學院）") == "南山区gdp(先锋学院)"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("並為其頒發聘書。(本刊記者 劉艷梅)", "並為其頒發聘書。", id="reporter-credit"),
        pytest.param("活动圆满结束。（通讯员 张三）", "活动圆满结束。", id="correspondent-full-width"),
        pytest.param("中共中央黨校(國家行政學院)教授", "中共中央黨校(國家行政學院)教授", id="real-parentheses"),
    ],
)
def test_trailing_credit_is_dropped_from_a_paragraph(line: str, expected: str) -> None:
    assert strip_trailing_credit(line) == expected
