"""Both front ends build their replies through the shared command layer (the import rules are tests/test_layering.py)."""

from __future__ import annotations

import re

from index.settings import PROJECT_ROOT

def test_both_front_ends_call_the_shared_commands_rather_than_building_layouts() -> None:
    # The command set is written once (bot/replies/commands.py); a front end that builds its own layouts drifts.
    builders = re.compile(r"\b(?:answer|cite|context|help|place|places|sources)_layout\(")

    assert [name for name in ("telegram_bot/handlers.py", "terminal/chat.py")
            if builders.search((PROJECT_ROOT / "bot" / name).read_text(encoding="utf-8"))] == []
