"""`python -m bot check`: one line per check, exit status 0 only when the installation can serve."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from bot.check import run_checks
from index.store.folder import current_version
from tests.bot.test_process import FakeTelegramServer


def checks(monkeypatch: pytest.MonkeyPatch, index: Path, **env: str) -> tuple[int, list[str]]:
    monkeypatch.setenv("INDEX_INDEX_DIR", str(index))
    monkeypatch.setenv("BOT_STATE_DIR", str(index.parent / "state"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = io.StringIO()
    status = run_checks(out, model="BOT_CHECK_MODEL" in env)
    return status, out.getvalue().splitlines()


@pytest.mark.slow
def test_a_ready_installation_passes_every_check(
    monkeypatch: pytest.MonkeyPatch, built_index_dir: Path, telegram_server: FakeTelegramServer
) -> None:
    port = telegram_server.server_address[1]

    status, lines = checks(monkeypatch, built_index_dir, BOT_TOKEN="123:ABCDEFGHIJ",
                           BOT_BASE_URL=f"http://127.0.0.1:{port}/bot", BOT_CHECK_MODEL="1")

    assert status == 0, lines
    assert [line.split(":")[0] for line in lines] == ["ok   settings", "ok   state", "ok   index", "ok   model",
                                                          "ok   telegram"]
    assert lines[-1].endswith(f"@ReportsBot via http://127.0.0.1:{port}/bot")


def test_a_damaged_index_and_an_unreachable_api_fail_with_one_line_each(
    monkeypatch: pytest.MonkeyPatch, fake_index_dir: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    shutil.copytree(fake_index_dir, index)
    (current_version(index) / "vectors" / "vectors.faiss").unlink()

    status, lines = checks(monkeypatch, index, BOT_TOKEN="123:ABCDEFGHIJ", BOT_BASE_URL="http://127.0.0.1:9/bot")

    assert status == 1
    assert lines[2].startswith("FAIL index: ") and "vectors/vectors.faiss missing" in lines[2]
    assert "reports-qa build" in lines[2]
    assert lines[3].startswith("FAIL telegram: http://127.0.0.1:9/bot unreachable")
    assert "ABCDEFGHIJ" not in "\n".join(lines)


def test_a_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch, fake_index_dir: Path) -> None:
    status, lines = checks(monkeypatch, fake_index_dir, BOT_RATE_BURST="many")

    assert status == 1
    assert lines == ["FAIL settings: setting bot.rate_burst: Input should be a valid integer, unable to parse string "
                     "as an integer; fix [bot] rate_burst in settings.toml, BOT_RATE_BURST in the environment or .env"]


def test_a_bad_value_is_named_without_echoing_it(monkeypatch: pytest.MonkeyPatch, fake_index_dir: Path) -> None:
    status, lines = checks(monkeypatch, fake_index_dir, BOT_PAGE_SIZE="s3cr3t-looking-value")

    assert status == 1 and len(lines) == 1 and "page_size" in lines[0]
    assert "s3cr3t-looking-value" not in lines[0]


def test_comma_separated_ids_are_read_and_check_does_not_crash(monkeypatch: pytest.MonkeyPatch,
                                                              fake_index_dir: Path) -> None:
    status, lines = checks(monkeypatch, fake_index_dir, BOT_ADMINS="1,2", BOT_ALLOWED_USERS="1, 2")

    assert lines[0].startswith("ok   settings")


def test_an_unwritable_state_folder_fails_the_check_with_the_fix(monkeypatch: pytest.MonkeyPatch,
                                                                 fake_index_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")

    status, lines = checks(monkeypatch, fake_index_dir, BOT_STATE_DIR=str(blocker / "state"))

    assert status == 1
    assert lines[1].startswith("FAIL state: cannot write") and "BOT_STATE_DIR" in lines[1]


def test_a_manifest_whose_counts_the_bot_refuses_fails_the_check(monkeypatch: pytest.MonkeyPatch,
                                                                 fake_index_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(fake_index_dir, index)
    manifest_path = current_version(index) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["documents"] += 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")

    status, lines = checks(monkeypatch, index)

    assert status == 1 and lines[2].startswith("FAIL index: ")
