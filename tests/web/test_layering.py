"""The web front end stays a front end: no telegram, no layouts of its own, and index never imports it."""

from __future__ import annotations

import re

from index.settings import PROJECT_ROOT

WEB = PROJECT_ROOT / "bot" / "web"


def test_the_web_never_imports_telegram() -> None:
    telegram = re.compile(r"^\s*(from|import)\s+telegram\b", re.MULTILINE)

    assert [p.name for p in sorted(WEB.glob("*.py")) if telegram.search(p.read_text(encoding="utf-8"))] == []


def test_the_web_calls_the_shared_commands_rather_than_building_layouts() -> None:
    builders = re.compile(r"\b(?:answer|cite|context|help|place|places|sources|notebook)_layout\(")

    assert [p.name for p in sorted(WEB.glob("*.py")) if builders.search(p.read_text(encoding="utf-8"))] == []


def test_index_never_imports_the_web() -> None:
    web = re.compile(r"^\s*(from|import)\s+bot\b", re.MULTILINE)

    assert [str(p) for p in sorted((PROJECT_ROOT / "index").rglob("*.py")) if web.search(p.read_text(encoding="utf-8"))] == []
