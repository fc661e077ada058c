"""The polling loop: a revoked token stops the bot at once; an unreachable Bot API is retried with backoff."""

from __future__ import annotations

import asyncio
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import pytest
from telegram.error import InvalidToken
from telegram.request import HTTPXRequest

from bot.telegram_bot.app import RETRY_FIRST_S, RETRY_GROWTH, RETRY_MAX_S, Backoff, build_application, serve_polling
from tests.bot.test_access_limits import settings
from tests.fakes import BOT_USER, FakeBotApi, FakeEngine, send_json, text_message_payload


class _Unauthorized(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        send_json(self, {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Revoked:
    """A Bot API on 127.0.0.1 that answers every call 401 Unauthorized, as for a revoked token."""

    def __enter__(self) -> Revoked:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/bot"
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()


class Flaky(FakeBotApi):
    """A Bot API that cannot be reached for the first `down` calls of one method, or revokes the token later."""

    def __init__(self, *, down: int = 0, method: str = "getMe", revoke_after_polls: int | None = None) -> None:
        super().__init__()
        self.down = down
        self.method = method
        self.revoke_after_polls = revoke_after_polls
        self.polls = 0
        self.pending = [text_message_payload("红色物业", update_id=1)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        if method == self.method and self.down > 0:
            self.down -= 1
            raise httpx.ConnectError("connection refused")
        if method == "getUpdates":
            self.polls += 1
            if self.revoke_after_polls is not None and self.polls > self.revoke_after_polls:
                return httpx.Response(401, json={"ok": False, "error_code": 401, "description": "Unauthorized"})
            self.calls.append((method, {}))
            updates, self.pending = self.pending, []
            return httpx.Response(200, json={"ok": True, "result": updates})
        return super().__call__(request)


class FakeSleep:
    """Records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def app_over(api: Flaky, tmp_path: Path) -> Any:
    return build_application(FakeEngine(), settings(tmp_path),
                             request=HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(api)}))


async def test_a_token_revoked_while_polling_stops_the_loop_with_invalid_token(tmp_path: Path) -> None:
    api = Flaky(revoke_after_polls=2)
    app = app_over(api, tmp_path)

    with pytest.raises(InvalidToken):
        await asyncio.wait_for(serve_polling(app, asyncio.Event()), 10)

    assert api.sent_texts() and "[1]" in api.sent_texts()[0]  # it served until the token was revoked
    assert not app.running


async def test_an_unreachable_api_at_start_is_retried_with_backoff_and_one_line_each(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api = Flaky(down=5)
    app = app_over(api, tmp_path)
    sleep = FakeSleep()
    stop = asyncio.Event()

    async def stop_once_answered() -> None:
        while not api.sent_texts():
            await asyncio.sleep(0.01)
        stop.set()

    with caplog.at_level(logging.WARNING):
        await asyncio.wait_for(asyncio.gather(serve_polling(app, stop, Backoff(sleep)), stop_once_answered()), 10)

    retries = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(retries) == 5 and all("\n" not in line and r.exc_info is None
                                     for line, r in zip(retries, caplog.records))
    assert sleep.waits == [RETRY_FIRST_S * RETRY_GROWTH ** n for n in range(5)]
    assert "[1]" in api.sent_texts()[0]


async def test_backoff_grows_to_a_ceiling_and_resets_after_a_success() -> None:
    sleep = FakeSleep()
    backoff = Backoff(sleep)
    error = ConnectionError("down")

    for _ in range(20):
        await backoff.wait("polling", error)
    backoff.reset()
    await backoff.wait("polling", error)

    assert max(sleep.waits) == RETRY_MAX_S and sleep.waits[-1] == RETRY_FIRST_S


async def test_an_api_down_while_polling_is_retried_until_it_answers(tmp_path: Path) -> None:
    api = Flaky(down=3, method="getUpdates")
    app = app_over(api, tmp_path)
    sleep = FakeSleep()
    stop = asyncio.Event()

    async def stop_once_answered() -> None:
        while not api.sent_texts():
            await asyncio.sleep(0.01)
        stop.set()

    await asyncio.wait_for(asyncio.gather(serve_polling(app, stop, Backoff(sleep)), stop_once_answered()), 10)

    assert len(sleep.waits) == 3 and "[1]" in api.sent_texts()[0]
    assert BOT_USER["username"] == "ReportsBot"
