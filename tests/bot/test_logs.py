"""The token never reaches a log line: not from PTB, not from httpx, not from a traceback."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import REDACTED, RedactingFormatter
from index.settings import PROJECT_ROOT
from tests.bot.test_process import FakeTelegramServer
from tests.fakes import send_json

TOKEN = "123456789:AAHfakeTOKENfakeTOKENfake0123456789"


def test_the_formatter_redacts_messages_arguments_and_tracebacks() -> None:
    formatter = RedactingFormatter("%(levelname)s %(message)s", [TOKEN, ""])
    try:
        raise ValueError(f"The token `{TOKEN}` was rejected by the server.")
    except ValueError:
        record = logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1, "POST %s/getMe failed",
                                   (f"https://api.telegram.org/bot{TOKEN}",), sys.exc_info())

    line = formatter.format(record)

    assert TOKEN not in line
    assert line.count(REDACTED) == 2


class RejectingServer(FakeTelegramServer):
    """A Bot API that answers every call as Telegram does for a revoked token: 401 Unauthorized."""

    def reply(self, method: str, params: dict[str, str]) -> object:
        with self.lock:
            self.calls.append((method, params))
        raise PermissionError


@pytest.fixture
def rejecting_server() -> Iterator[RejectingServer]:
    from tests.bot import test_process

    server = RejectingServer()
    original = test_process._Handler.do_POST

    def do_post(handler: test_process._Handler) -> None:
        try:
            original(handler)
        except PermissionError:
            send_json(handler, {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)

    handler_class = type("RejectingHandler", (test_process._Handler,), {"do_POST": do_post})
    server.RequestHandlerClass = handler_class
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_a_rejected_token_is_reported_without_appearing_in_the_output(
    rejecting_server: RejectingServer, built_index_dir: Path, tmp_path: Path
) -> None:
    port = rejecting_server.server_address[1]
    env = {**os.environ, "BOT_TOKEN": TOKEN, "BOT_BASE_URL": f"http://127.0.0.1:{port}/bot",
           "INDEX_INDEX_DIR": str(built_index_dir), "BOT_STATE_DIR": str(tmp_path / "state"), "BOT_WEBHOOK_URL": ""}
    started = time.monotonic()

    result = subprocess.run([sys.executable, "-m", "bot"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                            text=True, timeout=240)

    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert "rejected BOT_TOKEN" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert rejecting_server.calls and time.monotonic() - started < 240
