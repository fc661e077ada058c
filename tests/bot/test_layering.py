"""The dependency rule between packages: index never imports telegram; render and layout stay Telegram-free."""

from __future__ import annotations

import re
from pathlib import Path

from index.settings import PROJECT_ROOT

_TELEGRAM_IMPORT = re.compile(r"^\s*(from|import)\s+telegram\b", re.MULTILINE)


def _importing_telegram(paths: list[Path]) -> list[str]:
    return [p.name for p in paths if _TELEGRAM_IMPORT.search(p.read_text(encoding="utf-8"))]


def test_index_never_imports_telegram() -> None:
    assert _importing_telegram(sorted((PROJECT_ROOT / "index").rglob("*.py"))) == []


def test_pure_bot_modules_never_import_telegram() -> None:
    pure = ["replies/layout.py", "replies/render.py", "replies/callbacks.py", "replies/query.py",
            "replies/questions.py", "terminal/chat.py", "replies/engine.py", "replies/commands.py", "readers/prefs.py",
            "readers/notebook.py", "readers/export.py", "readers/state.py"]

    assert _importing_telegram([PROJECT_ROOT / "bot" / name for name in pure]) == []


def test_both_front_ends_call_the_shared_commands_rather_than_building_layouts() -> None:
    # The command set is written once (bot/replies/commands.py); a front end that builds its own layouts drifts.
    builders = re.compile(r"\b(?:answer|cite|context|help|place|places|sources)_layout\(")

    assert [name for name in ("telegram_bot/handlers.py", "terminal/chat.py")
            if builders.search((PROJECT_ROOT / "bot" / name).read_text(encoding="utf-8"))] == []
