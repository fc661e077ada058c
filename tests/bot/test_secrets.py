"""Secrets and settings: one .env for every settings class, no secret in settings.toml, no value in any
error, and every bad setting one line with a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from bot.__main__ import main
from bot.settings import BotSettings, SecretInSettingsFileError
from index.settings import PROJECT_ROOT, IndexSettings, settings_error_line

TOKEN = "123456:AAH-very-secret-token-value"


def with_files(tmp_path: Path, *, env: str = "", toml: str = "[index]\n[bot]\n") -> tuple[type[IndexSettings], type[BotSettings]]:
    (tmp_path / ".env").write_text(env, encoding="utf-8")
    (tmp_path / "settings.toml").write_text(toml, encoding="utf-8")

    class Index(IndexSettings):
        model_config = SettingsConfigDict(env_file=tmp_path / ".env", toml_file=tmp_path / "settings.toml")

    class Bot(BotSettings):
        model_config = SettingsConfigDict(env_file=tmp_path / ".env", toml_file=tmp_path / "settings.toml")

    return Index, Bot


def test_one_env_file_serves_both_settings_classes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.delenv("INDEX_TOP_K", raising=False)
    index, bot = with_files(tmp_path, env=f"BOT_TOKEN={TOKEN}\nINDEX_TOP_K=7\nBOT_ADMINS=1,2\n")

    settings = bot()

    assert index().top_k == 7
    assert settings.token is not None and settings.token.get_secret_value() == TOKEN
    assert settings.admins == [1, 2] and TOKEN not in repr(settings)


def test_a_typo_within_a_prefix_in_env_is_still_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index, _ = with_files(tmp_path, env="INDEX_TOPK=7\n")

    with pytest.raises(ValueError, match="topk"):
        index()


def test_a_token_in_settings_toml_is_refused_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    _, bot = with_files(tmp_path, toml=f'[index]\n[bot]\ntoken = "{TOKEN}"\n')

    with pytest.raises(SecretInSettingsFileError) as caught:
        bot()

    line = settings_error_line(caught.value)
    assert "settings.toml [bot] sets token" in line and "BOT_TOKEN" in line and TOKEN not in line


@pytest.mark.parametrize("name, value", [
    pytest.param("BOT_PAGE_SIZE", TOKEN, id="bad-int"),
    pytest.param("BOT_ADMINS", f"1,{TOKEN}", id="bad-id-list"),
    pytest.param("INDEX_TOP_K", "abc", id="index-setting"),
    pytest.param("INDEX_TOP_K", "-1", id="out-of-range"),
])
def test_a_bad_setting_is_one_line_naming_it_without_its_value(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(name, value)

    status = main(["chat"])

    err = capsys.readouterr().err
    field = name.split("_", 1)[1].lower()
    assert status == 2 and err.count("\n") == 1 and err.startswith("error: setting ") and field in err
    assert value not in err


def test_a_settings_file_without_a_table_is_one_line(tmp_path: Path) -> None:
    _, bot = with_files(tmp_path, toml="[index]\n")

    with pytest.raises(KeyError) as caught:
        bot()

    assert settings_error_line(caught.value) == f"settings: toml_table_header key \"bot\" not found in {tmp_path / 'settings.toml'}; add that table (it may be empty)"


def test_a_broken_settings_file_is_one_line() -> None:
    try:
        tomllib.loads("[bot\npage_size = 3")
    except tomllib.TOMLDecodeError as error:
        line = settings_error_line(error)

    assert line.startswith("settings.toml is not valid TOML") and "\n" not in line


def test_a_revoked_token_at_start_exits_non_zero_with_one_line_and_no_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake_index_dir: Path, tmp_path: Path
) -> None:
    from tests.bot.test_telegram_loop import Revoked

    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("BOT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("INDEX_INDEX_DIR", str(fake_index_dir))
    with Revoked() as server:
        monkeypatch.setenv("BOT_BASE_URL", server.base_url)
        monkeypatch.setattr("bot.check.open_live_engine", lambda settings: _NoEngine())
        status = main([])

    err = capsys.readouterr().err
    assert status == 1 and TOKEN not in err and TOKEN.split(":")[1] not in err
    assert err.splitlines()[-1].startswith("error: Telegram rejected BOT_TOKEN")


class _NoEngine:
    def close(self) -> None:
        pass


def test_make_run_starts_the_bot_when_the_token_is_only_in_env() -> None:
    dry = subprocess.run(["make", "-n", "run", "BOT_TOKEN=", "INDEX_READY=", "INSTALLED=", "MODEL_READY="],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)

    assert "grep" in dry.stdout and ".env" in dry.stdout and "-m bot chat" in dry.stdout, dry.stdout + dry.stderr


def test_bot_check_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    run = subprocess.run(f"{sys.executable} -m bot check --no-model | head -c 1", shell=True, cwd=PROJECT_ROOT,
                         capture_output=True, text=True, check=False,
                         env={"PATH": "/usr/bin:/bin", "BOT_STATE_DIR": str(tmp_path / "s"),
                              "INDEX_INDEX_DIR": str(tmp_path / "none")})

    assert "Traceback" not in run.stderr
