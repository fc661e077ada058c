"""Specs for a bounded, total ingest: no corpus entry can hang, exhaust or sink a build, and nothing is lost silently."""

from __future__ import annotations

import base64
import io
import os
import socket
import zipfile
from pathlib import Path

import docx
import pytest

from index.build.builder import FURNITURE_ONLY, prepare_documents
from index.ingest.corpus import ReadLimits, display_path, read_corpus
from index.records import Skipped, SourceFile
from index.settings import PROJECT_ROOT

REPORT = "南山区成立先锋学院，推动党员骨干参与社区治理。学院每月开设一期专题课程，首批学员五十人。\n"
NO_LINKS = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")


def outcome(folder: Path, limits: ReadLimits | None = None) -> dict[str, str]:
    """Each corpus entry's path mapped to "ok" or its skip reason."""
    return {item.path: "ok" if isinstance(item, SourceFile) else item.reason for item in read_corpus(folder, limits)}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_skipped_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")

    assert outcome(tmp_path) == {"pipe.txt": "not a regular file (named pipe)", "report.txt": "ok"}


@NO_LINKS
def test_link_to_a_device_is_skipped_even_when_links_may_leave_the_corpus(tmp_path: Path) -> None:
    os.symlink("/dev/zero", tmp_path / "zero.txt")

    assert outcome(tmp_path, ReadLimits(follow_outside_links=True)) == {
        "zero.txt": "not a regular file (character device)"
    }


def test_socket_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    if len(os.fsencode(path)) > 100:
        pytest.skip("socket paths are limited to about 100 bytes")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        assert outcome(tmp_path) == {"s.txt": "not a regular file (socket)"}
    finally:
        server.close()


@NO_LINKS
def test_link_leaving_the_corpus_is_not_followed_unless_allowed(tmp_path: Path) -> None:
    corpus, outside = tmp_path / "corpus", tmp_path / "private"
    corpus.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(REPORT, encoding="utf-8")
    (corpus / "inside.txt").write_text(REPORT, encoding="utf-8")
    os.symlink(outside / "secret.txt", corpus / "secret.txt")
    os.symlink(corpus / "inside.txt", corpus / "alias.txt")
    os.symlink(outside, corpus / "linked-folder")

    default = outcome(corpus)
    allowed = outcome(corpus, ReadLimits(follow_outside_links=True))

    assert default["secret.txt"].startswith("symbolic link to a file outside the corpus folder")
    assert default["alias.txt"] == default["inside.txt"] == "ok"
    assert "linked-folder/secret.txt" not in default
    assert allowed["secret.txt"] == "ok"


def test_file_over_the_size_limit_is_skipped_unread(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text(REPORT * 100, encoding="utf-8")

    reasons = outcome(tmp_path, ReadLimits(max_file_bytes=1000))

    assert reasons["big.txt"].startswith("file too large")


def docx_bomb(unpacked_mb: int) -> bytes:
    """A valid .docx whose document.xml is padded with whitespace to about unpacked_mb MB."""
    document = docx.Document()
    document.add_paragraph("南山区")
    plain = io.BytesIO()
    document.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * (unpacked_mb * 1024 * 1024), 1)
            bomb.writestr(member, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_docx_that_unpacks_past_the_limit_is_skipped_before_unpacking(tmp_path: Path) -> None:
    data = docx_bomb(20)
    (tmp_path / "bomb.docx").write_bytes(data)

    reasons = outcome(tmp_path, ReadLimits(max_unpacked_bytes=5 * 1024 * 1024))

    assert len(data) < 200_000
    assert reasons["bomb.docx"] == "unpacks to 21 MB, over the limit of 5 MB (a zip bomb?)"


def test_docx_lying_about_its_size_cannot_unpack_to_more(tmp_path: Path) -> None:
    data = bytearray(docx_bomb(3))
    # Shrink the declared size of document.xml in the central directory: zipfile then fails the member.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    start = data.find(b"word/document.xml", data.find(b"PK\x01\x02"))
    record = data.rfind(b"PK\x01\x02", 0, start)
    data[record + 24 : record + 28] = (1000).to_bytes(4, "little")
    (tmp_path / "liar.docx").write_bytes(bytes(data))

    reasons = outcome(tmp_path, ReadLimits(max_unpacked_bytes=2 * 1024 * 1024))

    assert info.file_size > 3 * 1024 * 1024
    assert reasons["liar.docx"] != "ok"


def test_file_names_in_gbk_bytes_are_read_and_shown_decoded(tmp_path: Path) -> None:
    name = "南山区报告.txt".encode("gbk")
    with open(os.path.join(os.fsencode(tmp_path), name), "w", encoding="utf-8") as file:
        file.write(REPORT)
    undecodable = b"\xff\xfe-report.txt"
    with open(os.path.join(os.fsencode(tmp_path), undecodable), "w", encoding="utf-8") as file:
        file.write(REPORT)

    reasons = outcome(tmp_path)

    assert reasons == {"南山区报告.txt": "ok", "\\xff\\xfe-report.txt": "ok"}
    assert all(path.encode("utf-8") for path in reasons)


def test_display_path_leaves_proper_names_alone() -> None:
    assert display_path("sub/南山区.txt") == "sub/南山区.txt"


def test_page_with_megabytes_of_inline_images_keeps_its_text(tmp_path: Path) -> None:
    image = base64.b64encode(os.urandom(11 * 1024 * 1024)).decode()
    page = (f'<html><head><meta charset="utf-8"><title>先锋学院</title></head><body><img src="data:image/png;'
            f'base64,{image}"><p>{REPORT}</p><script>var x = "{image[:1000]}";</script>'
            f'<div style="background:url(data:image/png;base64,{image[:5000]})">首批学员五十人。</div></body></html>')
    (tmp_path / "page.html").write_text(page, encoding="utf-8")

    documents, skipped = prepare_documents(tmp_path)

    assert skipped == []
    assert "推动党员骨干参与社区治理" in documents[0].text
    assert "首批学员五十人" in documents[0].text


def test_report_without_line_breaks_is_kept_with_its_spam_sentences_removed(tmp_path: Path) -> None:
    text = (PROJECT_ROOT / "corpus" / "001_744f9100ef1c3714.txt").read_text(encoding="utf-8")
    (tmp_path / "001.txt").write_text(text.replace("\n", ""), encoding="utf-8")

    documents, skipped = prepare_documents(tmp_path)

    assert skipped == []
    body = "".join(d.text for d in documents)
    assert "實現從“一根針”到“一臺織布機”的轉變" in body and len(body) > 4000
    assert "在线观看" not in body and "線上觀看" not in body


def test_page_of_nothing_but_site_furniture_says_so_rather_than_empty(tmp_path: Path) -> None:
    (tmp_path / "menu.txt").write_text("网站首页 | 网站地图\n首页 > 调查研究 > 正文\n[责任编辑:王克]\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")

    _, skipped = prepare_documents(tmp_path)

    assert skipped == [Skipped("empty.txt", "empty file"), Skipped("menu.txt", FURNITURE_ONLY)]


def test_a_build_indexes_a_file_with_a_gbk_name_and_shows_the_name_readably(tmp_path: Path) -> None:
    from index.build.builder import build_index
    from index.store.folder import read_documents, read_manifest
    from tests.fakes import FakeEmbedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with open(os.path.join(os.fsencode(corpus), "南山区报告.txt".encode("gbk")), "w", encoding="utf-8") as file:
        file.write("南山区先锋学院\n" + REPORT * 3)
    os.mkfifo(corpus / "pipe.txt")

    build_index(corpus, tmp_path / "index", FakeEmbedder(), max_chars=360, min_chars=120, exact_search_max=100)

    assert [d.path for d in read_documents(tmp_path / "index")] == ["南山区报告.txt"]
    assert read_manifest(tmp_path / "index").skipped == [{"path": "pipe.txt", "reason": "not a regular file (named pipe)"}]
