"""`reports-qa serve` and `python -m bot serve`: the dispatcher, settings errors in one line, a real server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from bot.cli import main as reports_qa
from bot.web.serve import ServerThread, uvicorn_config
from bot.web.settings import WebSettings
from tests.fakes import FakeEngine


def test_reports_qa_sends_other_commands_to_the_index_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = reports_qa(["docs", "--index", str(tmp_path / "nowhere")])

    err = capsys.readouterr().err
    assert status == 1 and err.startswith("error: ") and "reports-qa build" in err


def test_serve_with_a_bad_port_says_so_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status = reports_qa(["serve", "--port", "70000"])

    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: web port: Input should be less than or equal to 65535") and err.count("\n") == 1


def test_serve_without_an_index_says_how_to_build_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("INDEX_INDEX_DIR", str(tmp_path / "nowhere"))

    status = reports_qa(["serve"])

    err = capsys.readouterr().err
    assert status == 1 and err.startswith("error: ") and "reports-qa build" in err


def test_the_server_binds_localhost_by_default_and_keeps_no_access_log(tmp_path: Path) -> None:
    config = uvicorn_config(FakeEngine(), WebSettings(state_dir=tmp_path))

    assert (config.host, config.port, config.access_log, config.proxy_headers) == ("127.0.0.1", 8000, False, False)


def test_trusted_proxies_are_the_only_ones_whose_forwarded_address_counts(tmp_path: Path) -> None:
    config = uvicorn_config(FakeEngine(), WebSettings(state_dir=tmp_path, trusted_proxies=["127.0.0.1"]))

    assert (config.proxy_headers, config.forwarded_allow_ips) == (True, "127.0.0.1")


def test_a_running_server_answers_over_http(web_app: FastAPI) -> None:
    with ServerThread(web_app) as server:
        response = httpx.post(server.url + "/api/ask", json={"question": "红色物业"}, timeout=30)

    assert server.url.startswith("http://127.0.0.1:")
    assert response.status_code == 200 and response.json()["results"][0]["rank"] == 1


def test_the_help_of_reports_qa_names_serve_and_the_bot(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        reports_qa(["--help"])

    out = capsys.readouterr().out
    assert exited.value.code == 0
    assert "reports-qa serve" in out and "reports-qa-bot" in out
