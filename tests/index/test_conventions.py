"""The conventions every command shares: --version, log levels, the data home, and `ask --json`'s schema."""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot.__main__ import main as bot_main
from index.answer.engine import AnswerEngine
from index.answer.as_json import answer_json
from index.cli import JSON_SCHEMA_VERSION, accessed_date, main
from index.logs import LOG_FORMAT, LogLevelError, chosen_level, package_version
from index.settings import PROJECT_ROOT, data_home


@pytest.mark.parametrize("entry", [main, bot_main], ids=["reports-qa", "reports-qa-bot"])
def test_version_prints_the_installed_version(entry, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stopped:
        entry(["--version"])

    assert stopped.value.code == 0
    assert capsys.readouterr().out.split()[-1] == package_version()


def _level(argv: list[str], environ: dict[str, str], default: int = logging.WARNING) -> int:
    parser = argparse.ArgumentParser()
    from index.logs import add_logging_options

    add_logging_options(parser)
    return chosen_level(parser.parse_args(argv), default=default, environ=environ)


@pytest.mark.parametrize(("argv", "environ", "expected"), [
    pytest.param([], {}, logging.WARNING, id="command-default"),
    pytest.param([], {"LOG_LEVEL": "debug"}, logging.DEBUG, id="environment"),
    pytest.param(["-v"], {"LOG_LEVEL": "error"}, logging.INFO, id="v-beats-environment"),
    pytest.param(["-vv"], {}, logging.DEBUG, id="vv-is-debug"),
    pytest.param(["-v", "--log-level", "error"], {}, logging.ERROR, id="log-level-beats-v"),
])
def test_log_level_comes_from_flag_then_v_then_environment(argv: list[str], environ: dict[str, str],
                                                           expected: int) -> None:
    assert _level(argv, environ) == expected


def test_an_unknown_log_level_in_the_environment_is_named_in_one_line() -> None:
    with pytest.raises(LogLevelError, match=r"^LOG_LEVEL='LOUD' is not a log level; use one of DEBUG"):
        _level([], {"LOG_LEVEL": "loud"})


def test_cli_logs_to_stderr_in_the_shared_format_and_not_to_stdout(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "index", "--log-level", "debug", "docs", "--index",
                           str(tmp_path / "none")], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)

    assert done.returncode == 1 and done.stdout == ""
    record = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [\w.]+ (DEBUG|INFO|WARNING|ERROR) ")
    assert LOG_FORMAT == "%(asctime)s %(name)s %(levelname)s %(message)s"
    assert any(record.match(line) for line in done.stderr.splitlines())
    assert done.stderr.splitlines()[-1].startswith("error: ")


def test_bad_log_level_fails_the_command_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "chatty")

    assert main(["docs", "--index", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("error: LOG_LEVEL='CHATTY' is not a log level")


def test_the_data_home_is_the_variable_then_the_checkout_then_the_user_folder(tmp_path: Path) -> None:
    checkout, wheel = tmp_path / "clone", tmp_path / "site-packages"
    checkout.mkdir(), wheel.mkdir()
    (checkout / "pyproject.toml").write_text("", encoding="utf-8")
    home = Path.home()

    assert data_home({"REPORTS_QA_HOME": str(tmp_path / "qa")}, checkout) == tmp_path / "qa"
    assert data_home({}, checkout) == checkout
    assert data_home({}, wheel) == home / ".local" / "share" / "reports-qa"
    assert data_home({"XDG_DATA_HOME": str(tmp_path / "xdg")}, wheel) == tmp_path / "xdg" / "reports-qa"


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("2024-05-01", datetime.date(2024, 5, 1), id="iso-date"),
    pytest.param(" Today ", datetime.date.today(), id="today"),
])
def test_accessed_is_a_date_the_reader_gives(text: str, expected: datetime.date) -> None:
    assert accessed_date(text) == expected


def test_accessed_that_is_not_a_date_is_refused_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ask", "--accessed", "yesterday", "问题"])

    assert "'yesterday' is not a date: use YYYY-MM-DD or today" in capsys.readouterr().err


def test_ask_json_carries_the_schema_version_and_only_the_readers_access_date(fake_engine: AnswerEngine) -> None:
    answer = fake_engine.answer("南山区快递骑手")
    documents = {h.chunk.doc_id: replace(fake_engine.document(h.chunk.doc_id), url="https://example.org/r.html")
                 for h in answer.hits}

    undated = answer_json(answer, documents)
    dated = json.loads(json.dumps(answer_json(answer, documents, accessed=datetime.date(2024, 5, 1))))

    assert (undated["schema_version"], undated["accessed"]) == (JSON_SCHEMA_VERSION, None)
    assert not any("[20" in r["reference"].split("]", 1)[-1] for r in undated["results"])
    assert dated["accessed"] == "2024-05-01"
    assert all("[2024-05-01]" in r["reference"] for r in dated["results"])
