"""`python -m bot` startup: the missing-token line, and index errors turned into `error: …`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.settings import BotSettings

MISSING = (
    "error: BOT_TOKEN is not set. Export BOT_TOKEN=<token from @BotFather> or put it in .env, "
    "or run `python -m bot chat` for the terminal chat.\n"
)


def test_missing_token_is_one_line_saying_how_to_set_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setitem(BotSettings.model_config, "env_file", tmp_path / "no.env")  # a developer's .env may hold one

    status = main([])

    assert (status, capsys.readouterr()) == (2, ("", MISSING))


def test_missing_index_is_an_error_line_and_exit_status_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("INDEX_INDEX_DIR", str(tmp_path / "nowhere"))

    status = main(["chat"])

    err = capsys.readouterr().err
    assert status == 1 and err.startswith("error: ") and "reports-qa build" in err and err.count("\n") == 1
