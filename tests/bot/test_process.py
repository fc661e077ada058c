"""The real `python -m bot` process answers a question over long polling from a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from index.settings import PROJECT_ROOT
from tests.bot.telegram_html import telegram_html_problems
from tests.fakes import BOT_USER, send_json, text_message_payload

QUESTION = "南山区如何组织快递骑手参与基层治理？"


class FakeTelegramServer(ThreadingHTTPServer):
    """A Bot API over HTTP: one text update on the first getUpdates, then empty long polls."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.pending = [text_message_payload(QUESTION, update_id=1)]
        self.lock = threading.Lock()

    def reply(self, method: str, params: dict[str, str]) -> object:
        with self.lock:
            self.calls.append((method, params))
            if method == "getMe":
                return BOT_USER
            if method == "getUpdates":
                updates, self.pending = self.pending, []
                return updates
            if method == "sendMessage":
                return {"message_id": 100 + len(self.calls), "date": 0, "from": BOT_USER,
                        "chat": {"id": int(params.get("chat_id", 1)), "type": "private"}, "text": params.get("text", "")}
            return True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the bot hanging up mid long-poll when it is stopped is expected

    def sent_texts(self) -> list[str]:
        with self.lock:
            return [params["text"] for method, params in self.calls if method == "sendMessage"]


class _Handler(BaseHTTPRequestHandler):
    server: FakeTelegramServer

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        method = self.path.rsplit("/", 1)[-1]
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        params = json.loads(body) if body.startswith("{") else dict(parse_qsl(body))
        result = self.server.reply(method, {k: str(v) for k, v in params.items()})
        if method == "getUpdates" and result == []:
            time.sleep(0.2)  # a short long-poll, so the bot does not spin
        send_json(self, {"ok": True, "result": result})

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.slow
def test_bot_process_answers_a_question_over_long_polling(
    telegram_server: FakeTelegramServer, built_index_dir: Path, tmp_path: Path
) -> None:
    port = telegram_server.server_address[1]
    env = {**os.environ, "BOT_TOKEN": "123:ABC", "BOT_BASE_URL": f"http://127.0.0.1:{port}/bot",
           "INDEX_INDEX_DIR": str(built_index_dir), "BOT_STATE_DIR": str(tmp_path / "state"),
           "BOT_WEBHOOK_URL": ""}
    process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180  # loading the model takes most of this
        while not telegram_server.sent_texts() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()

    texts = telegram_server.sent_texts()
    assert texts, output.decode(errors="replace")[-3000:]
    assert "[1]" in texts[0] and "南山區" not in texts[0] and "南山区" in texts[0]  # the asker's script
    assert [telegram_html_problems(t) for t in texts] == [[] for _ in texts]
    methods = {m for m, _ in telegram_server.calls}
    assert {"getMe", "deleteWebhook", "getUpdates", "sendChatAction"} <= methods
