"""The exported .docx opened the way a journal's editor would: LibreOffice (headless) turns it into a PDF,
whose pages, properties, fonts and text are then read with poppler. Skipped where they are not installed
(.ci/run installs Debian's libreoffice-writer-nogui, fonts-noto-cjk and poppler-utils)."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.readers.export import NoteItem, export_files
from index.build.builder import prepare_documents
from index.chunk.cut import chunk_document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
TODAY = datetime.date(2026, 11, 26)
TOOLS = ("soffice", "pdfinfo", "pdffonts", "pdftotext")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (LibreOffice and poppler-utils turn the .docx into pages)")
    documents, _ = prepare_documents(CORPUS)
    items = [NoteItem(chunk_document(d)[1], d, TODAY) for d in documents if "-" not in d.doc_id]
    folder = tmp_path_factory.mktemp("pages")
    word = next(f for f in export_files(items, script="simplified", today=TODAY) if f.name.endswith(".docx"))
    (folder / word.name).write_bytes(word.data)
    # A private profile folder: a second LibreOffice (a desktop one, another test run) must not block this one.
    subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation=file://{folder}/profile",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(folder / word.name)],
                   check=True, capture_output=True, timeout=300)
    return folder / word.name.replace(".docx", ".pdf")


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout


def test_pages_are_a4_and_the_title_is_in_the_properties(pdf: Path) -> None:
    info = dict(line.split(":", 1) for line in _run("pdfinfo", str(pdf)).splitlines() if ":" in line)

    assert "(A4)" in info["Page size"]
    assert info["Title"].strip() == "摘录笔记"


def test_chinese_is_set_in_an_embedded_cjk_font(pdf: Path) -> None:
    fonts = _run("pdffonts", str(pdf))

    assert "CJK" in fonts or "SimSun" in fonts or "Song" in fonts


def test_quotes_footnotes_and_references_are_on_the_pages(pdf: Path) -> None:
    text = "".join(_run("pdftotext", str(pdf), "-").split())

    assert "引文字体：简体" in text
    assert "“本届论坛由中共四川省委‘两新’工委" in text
    assert text.count("中国共产党新闻网,2022.") == 2  # its footnote and its entry in the reference list
    assert "[5]中共南京市栖霞区委常委、组织部部长.[南京市栖霞区党建引领基层治理的实践][J].[出版年不详]." in text
