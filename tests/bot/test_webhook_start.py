"""Webhook mode keeps trying an unreachable Bot API at start instead of exiting (a real process, a closed port)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from index.settings import PROJECT_ROOT

SCRIPT = """
import logging, sys
from bot.settings import BotSettings
from bot.telegram_bot.app import run_application
from tests.fakes import FakeEngine
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
settings = BotSettings(token="123456:AAH-test-token", base_url=sys.argv[1], webhook_url="https://bot.example/hook",
                       webhook_listen="127.0.0.1", webhook_port=int(sys.argv[2]), state_dir=sys.argv[3])
run_application(FakeEngine(), settings)
"""


def _closed_port() -> int:
    with socket.socket() as sock:  # bound then closed: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_bot_api_at_webhook_start_is_retried_not_fatal(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{_closed_port()}/bot"
    log = tmp_path / "stderr.log"
    with log.open("w", encoding="utf-8") as err:
        process = subprocess.Popen([sys.executable, "-c", SCRIPT, api, str(_closed_port()), str(tmp_path / "state")],
                                   cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=err)
    try:
        # PTB logs each failed attempt (1 s apart, then 1.5 s, 2.25 s …): wait for three, however slow the start.
        deadline = time.monotonic() + STARTUP_ALLOWANCE_S
        while process.poll() is None and _attempts(log) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        still_running = process.poll() is None
    finally:
        process.kill()
        process.wait(timeout=30)

    assert still_running, log.read_text(encoding="utf-8")[-2000:]
    assert _attempts(log) >= 3


STARTUP_ALLOWANCE_S = 120  # a bound for a loaded 2-core machine, not a speed requirement


def _attempts(log: Path) -> int:
    return log.read_text(encoding="utf-8", errors="replace").count("Bootstrap Initialize Application")
