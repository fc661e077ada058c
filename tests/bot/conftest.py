"""Fixtures for bot tests: a FakeEngine, settings with a dummy token, an Application over FakeBotApi, a fake Bot API server."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.telegram_bot.app import build_application
from bot.settings import BotSettings
from tests.bot.test_process import FakeTelegramServer
from tests.fakes import FakeBotApi, FakeEngine


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def bot_settings(tmp_path: Path) -> BotSettings:
    return BotSettings(token=SecretStr("123:ABC"), base_url="http://127.0.0.1:9/bot", state_dir=tmp_path / "state",
                       page_size=2)


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
async def app(engine: FakeEngine, bot_settings: BotSettings, api: FakeBotApi) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """An initialised Application whose HTTP calls go to `api`."""
    application = build_application(engine, bot_settings, request=HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(api)}))
    async with application:  # initialize() calls getMe
        yield application


@pytest.fixture
def telegram_server() -> Iterator[FakeTelegramServer]:
    """A fake Bot API on 127.0.0.1 that real `python -m bot` processes poll (test_process, test_check)."""
    server = FakeTelegramServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
