"""Specs for ingest: which corpus files become SourceFiles, with what text, and why others are skipped."""

from __future__ import annotations

import logging
import shutil
import struct
import zlib
from pathlib import Path

import docx
import pytest

from index.ingest.encoding import decode_text
from index.errors import UnreadableFileError
from index.ingest.corpus import SUPPORTED_SUFFIXES, read_corpus, read_source
from index.records import Skipped, SourceFile
from index.settings import PROJECT_ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "formats"
TRADITIONAL = "南山區成立先鋒學院，推動黨員骨幹參與社區治理。"
SIMPLIFIED = "南山区成立先锋学院，推动党员骨干参与社区治理。"
PNG_HEADER = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + bytes(13) + struct.pack(
    ">I", zlib.crc32(b"IHDR" + bytes(13))
)

PAGE = """<!DOCTYPE html>
<html><head><meta charset="gb2312"><title>南山区成立先锋学院</title>
<meta name="author" content="李明"><meta property="article:published_time" content="2022-01-25">
<style>p { color: red }</style><script>var 广告 = "点击下载";</script></head>
<body>
<header><a href="/">首页</a> | <a href="/dj">党建</a></header>
<nav><ul><li>网站首页</li><li>网站地图</li></ul></nav>
<div class="breadcrumb">首页 &gt; 调查研究 &gt; 调研成果</div>
<div id="content">
  <h1>先锋学院开班</h1>
  <p>南山区成立先锋学院，
     推动党员骨干参与社区治理。</p>
  <div class="share-bar">分享到：微信 微博</div>
  <p>学院每月开设一期<b>专题</b>课程。<br>首批学员五十人。</p>
  <!-- 编辑：王五 -->
</div>
<aside class="sidebar">热门文章</aside>
<div class="footer">版权所有 © 南山区委组织部</div>
</body></html>
"""


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def read(folder: Path, name: str, data: bytes | str) -> SourceFile:
    return read_source(write(folder, name, data), folder)


def test_supported_suffixes_are_the_documented_formats() -> None:
    assert SUPPORTED_SUFFIXES == {".txt", ".md", ".html", ".htm", ".docx", ".pdf"}


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        pytest.param(SIMPLIFIED, "gb18030", id="gb18030"),
        pytest.param(SIMPLIFIED, "gb2312", id="gb2312"),
        pytest.param(TRADITIONAL, "gbk", id="traditional-in-gbk"),
        pytest.param(TRADITIONAL, "big5", id="big5"),
        pytest.param(TRADITIONAL, "cp950", id="cp950"),
        pytest.param(SIMPLIFIED, "utf-8", id="utf-8"),
        pytest.param(SIMPLIFIED, "utf-8-sig", id="utf-8-bom"),
        pytest.param(SIMPLIFIED, "utf-16", id="utf-16-bom"),
        pytest.param(SIMPLIFIED, "utf-32", id="utf-32-bom"),
        pytest.param("Party building 2022", "utf-16-le", id="utf-16-le-no-bom-ascii"),
    ],
)
def test_text_in_common_chinese_encodings_decodes_to_the_original(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == text


def test_gb18030_file_is_read_as_simplified_chinese(tmp_path: Path) -> None:
    source = read(tmp_path, "gb.txt", (SIMPLIFIED + "\r\n第二行").encode("gb18030"))

    assert source == SourceFile("gb.txt", SIMPLIFIED + "\n第二行", "txt")


def test_big5_file_is_read_as_traditional_chinese_not_gb18030_mojibake(tmp_path: Path) -> None:
    source = read(tmp_path, "big5.txt", TRADITIONAL.encode("big5"))

    assert source.text == TRADITIONAL


def test_utf8_file_with_bom_loses_only_the_bom(tmp_path: Path) -> None:
    assert read(tmp_path, "bom.txt", "\ufeff" + SIMPLIFIED).text == SIMPLIFIED


def test_utf16_file_with_bom_is_read(tmp_path: Path) -> None:
    assert read(tmp_path, "wide.txt", SIMPLIFIED.encode("utf-16")).text == SIMPLIFIED


def test_truncated_multibyte_tail_is_replaced_not_rejected() -> None:
    data = (SIMPLIFIED * 4).encode("gb18030")[:-1]

    assert decode_text(data) == (SIMPLIFIED * 4)[:-1] + "\ufffd"


def test_a_few_invalid_bytes_inside_utf8_are_replaced() -> None:
    data = (SIMPLIFIED * 5).encode() + b"\xff\xfe" + (SIMPLIFIED * 5).encode()

    assert decode_text(data) == SIMPLIFIED * 5 + "\ufffd\ufffd" + SIMPLIFIED * 5


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(PNG_HEADER + bytes(range(256)) * 2, id="png"),
        pytest.param(bytes((i * 7919) % 251 for i in range(2000)), id="pseudo-random"),
        pytest.param(bytes(range(1, 9)) + b" text " + bytes(range(14, 21)), id="control-chars"),
    ],
)
def test_binary_content_is_rejected_as_binary(data: bytes) -> None:
    with pytest.raises(UnreadableFileError, match="binary file, not text"):
        decode_text(data)


@pytest.mark.parametrize(
    "data", [b"", b"  \r\n\t ", "\ufeff\u3000\n".encode()], ids=["zero-bytes", "spaces", "bom-and-ideographic-space"]
)
def test_blank_text_file_is_an_empty_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(UnreadableFileError, match="^empty file$"):
        read(tmp_path, "blank.txt", data)


def test_markdown_keeps_heading_text_on_its_own_line_without_markup(tmp_path: Path) -> None:
    markdown = "# 南山区经验\n\n## 一、先锋学院 ##\n- 推动**党员骨干**参与[社区治理](http://x.cn)\n> 引文"

    source = read(tmp_path, "report.md", markdown)

    assert source == SourceFile("report.md", "南山区经验\n\n一、先锋学院\n推动党员骨干参与社区治理\n引文", "md")


def test_html_page_yields_only_article_text_and_title_author_date_hints(tmp_path: Path) -> None:
    source = read(tmp_path, "page.html", PAGE.encode("gb18030"))

    assert source == SourceFile(
        "page.html",
        "先锋学院开班\n南山区成立先锋学院， 推动党员骨干参与社区治理。\n学院每月开设一期专题课程。\n首批学员五十人。",
        "html",
        {"title": "南山区成立先锋学院", "author": "李明", "date": "2022-01-25"},
    )


def test_html_prefers_the_single_article_element_over_the_rest_of_the_body(tmp_path: Path) -> None:
    page = "<html><body><div>推荐阅读</div><article><p>正文第一段</p><p>正文第二段</p></article></body></html>"

    assert read(tmp_path, "a.htm", page).text == "正文第一段\n正文第二段"


def test_html_big5_page_without_charset_is_detected(tmp_path: Path) -> None:
    page = f"<html><body><p>{TRADITIONAL}</p></body></html>"

    assert read(tmp_path, "tw.html", page.encode("big5")).text == TRADITIONAL


def test_utf8_page_still_labelled_gb2312_is_read_as_utf8(tmp_path: Path) -> None:
    label = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    page = f"<html><head>{label}</head><p>{SIMPLIFIED}</p>"

    assert read(tmp_path, "resaved.html", page.encode("utf-8")).text == SIMPLIFIED


def test_html_with_only_a_comment_is_an_empty_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="^empty file$"):
        read(tmp_path, "blank.html", "<!-- nothing here -->")


def test_docx_yields_paragraphs_then_table_cells_as_lines_in_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("南山区先锋学院")
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "社区", (0, 1): "党员数", (1, 0): "桃源", (1, 1): "120"}.items():
        table.cell(row, col).text = text
    document.add_paragraph("结语")
    document.save(str(tmp_path / "report.docx"))

    source = read_source(tmp_path / "report.docx", tmp_path)

    assert source == SourceFile("report.docx", "南山区先锋学院\n社区\n党员数\n桃源\n120\n结语", "docx")


def test_merged_docx_cell_is_read_once(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "合并"
    table.cell(0, 2).text = "单独"
    document.save(str(tmp_path / "merged.docx"))

    assert read_source(tmp_path / "merged.docx", tmp_path).text == "合并\n单独"


def test_corrupt_docx_is_unreadable_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match=r"^corrupt \.docx: not a zip archive$"):
        read(tmp_path, "broken.docx", b"PK\x03\x04 this is not really a zip" * 10)


def test_pdf_text_layer_is_extracted_page_by_page(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "chinese_text_layer.pdf", tmp_path / "report.pdf")

    source = read_source(tmp_path / "report.pdf", tmp_path)

    assert source == SourceFile("report.pdf", "南山区成立先锋学院\n推动党员骨干参与社区治理。", "pdf")


def test_pdf_without_text_is_reported_as_scanned(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "no_text_layer.pdf", tmp_path / "scan.pdf")

    with pytest.raises(UnreadableFileError, match=r"^PDF has no text layer \(scanned images\?\)$"):
        read_source(tmp_path / "scan.pdf", tmp_path)


def test_sidecar_metadata_is_attached_and_sidecar_is_not_a_report(tmp_path: Path) -> None:
    write(tmp_path, "004_x.txt", SIMPLIFIED)
    write(tmp_path, "004_x.txt.meta.toml", 'title = "先锋学院"\ndate = 2022-01-25\nplaces = ["深圳市", "南山区"]\n')
    write(tmp_path, "005_y.md", "# 标题")
    write(tmp_path, "005_y.meta.toml", 'source = "人民论坛"\n')

    assert list(read_corpus(tmp_path)) == [
        SourceFile(
            "004_x.txt", SIMPLIFIED, "txt", {"title": "先锋学院", "date": "2022-01-25", "places": ["深圳市", "南山区"]}
        ),
        SourceFile("005_y.md", "标题", "md", {"source": "人民论坛"}),
    ]


def test_sidecar_overrides_html_hints(tmp_path: Path) -> None:
    write(tmp_path, "p.html", PAGE.encode("gb18030"))
    write(tmp_path, "p.meta.toml", 'title = "正式标题"\n')

    assert read_source(tmp_path / "p.html", tmp_path).meta["title"] == "正式标题"


def test_malformed_sidecar_is_logged_and_the_report_still_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "r.txt", SIMPLIFIED)
    write(tmp_path, "r.txt.meta.toml", "title = 先锋学院 without quotes\n")

    with caplog.at_level(logging.WARNING, logger="index.ingest.corpus"):
        results = list(read_corpus(tmp_path))

    assert results == [SourceFile("r.txt", SIMPLIFIED, "txt")]
    assert "r.txt.meta.toml" in caplog.text


def test_corpus_listing_skips_with_reasons_and_keeps_going(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "来源说明")
    write(tmp_path, ".hidden.txt", SIMPLIFIED)
    write(tmp_path, ".git/config.txt", SIMPLIFIED)
    write(tmp_path, "a/photo.JPG", PNG_HEADER)
    write(tmp_path, "a/nested.txt", SIMPLIFIED)
    write(tmp_path, "b/bad.docx", b"garbage")
    write(tmp_path, "b/blank.txt", b"\n\n")
    write(tmp_path, "b/image.txt", PNG_HEADER + bytes(64))
    write(tmp_path, "c.zip", b"PK")
    write(tmp_path, "LICENSE", b"MIT")
    write(tmp_path, "z.txt", TRADITIONAL.encode("big5"))

    results = list(read_corpus(tmp_path))

    assert results == [
        Skipped("LICENSE", "unsupported file type (no extension)"),
        SourceFile("a/nested.txt", SIMPLIFIED, "txt"),
        Skipped("a/photo.JPG", "unsupported file type .jpg"),
        Skipped("b/bad.docx", "corrupt .docx: not a zip archive"),
        Skipped("b/blank.txt", "empty file"),
        Skipped("b/image.txt", "binary file, not text"),
        Skipped("c.zip", "unsupported file type .zip"),
        SourceFile("z.txt", TRADITIONAL, "txt"),
    ]


def test_unexpected_library_error_becomes_unreadable_file_error(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match=r"^corrupt \.pdf|^cannot read \.pdf"):
        read(tmp_path, "bad.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF")


def test_real_corpus_reads_all_five_reports_and_skips_none() -> None:
    results = list(read_corpus(PROJECT_ROOT / "corpus"))

    assert [type(r) for r in results] == [SourceFile] * 5
    assert [r.path for r in results] == sorted(r.path for r in results)
    assert all(isinstance(r, SourceFile) and len(r.text) > 1000 and r.format == "txt" for r in results)
