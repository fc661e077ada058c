"""Per-reader settings on disk: kept across restarts, written atomically, a damaged file never stops the bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.readers.prefs import Prefs, PrefsStore


def test_settings_are_per_user_and_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "prefs.json"
    PrefsStore(path).update("7", script="traditional")

    reopened = PrefsStore(path)

    assert (reopened.get("7"), reopened.get("8")) == (Prefs(script="traditional"), Prefs())
    assert [p.name for p in tmp_path.iterdir()] == ["prefs.json"]  # no staging file left behind


def test_a_damaged_file_starts_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "prefs.json"
    path.write_text("{not json", encoding="utf-8")

    assert PrefsStore(path).get("7") == Prefs()


def test_an_unknown_script_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown script"):
        PrefsStore(None).update("7", script="martian")
