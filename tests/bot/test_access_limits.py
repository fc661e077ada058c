"""Who may use the bot and how fast: updates go through PTB's update processor, as in production."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.telegram_bot.access import REFUSAL, Access, Refusals
from bot.telegram_bot.app import build_application
from bot.telegram_bot.limits import SLOW_DOWN, RateLimiter
from bot.settings import BotSettings
from index.records import Answer
from tests.fakes import FakeBotApi, FakeEngine, inline_query_payload, text_message_payload

App = Application[Any, Any, Any, Any, Any, Any]


def from_user(payload: dict[str, Any], user_id: int, *, update_id: int) -> dict[str, Any]:
    """The same update as sent by another user (in a private chat with the bot)."""
    payload = json.loads(json.dumps(payload))
    payload["update_id"] = update_id
    body = payload.get("message") or payload.get("inline_query")
    body["from"] = {**body["from"], "id": user_id}
    if "chat" in body and body["chat"]["type"] == "private":
        body["chat"]["id"] = user_id
    return payload


async def dispatch(app: App, payload: dict[str, Any]) -> None:
    """What PTB does with a fetched update: its update processor decides, then handlers run."""
    update = Update.de_json(payload, app.bot)
    await app.update_processor.process_update(update, app.process_update(update))


def settings(tmp_path: Path, **overrides: Any) -> BotSettings:
    values: dict[str, Any] = {"token": SecretStr("123:ABC"), "base_url": "http://127.0.0.1:9/bot",
                              "state_dir": tmp_path / "state", "page_size": 2, "telegram_rate_limit": False,
                              "reload_check_s": 0}
    return BotSettings(**{**values, **overrides})


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


async def started(engine: Any, bot_settings: BotSettings, api: FakeBotApi) -> App:
    app = build_application(engine, bot_settings,
                            request=HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(api)}))
    await app.initialize()
    return app


@pytest.fixture
async def closed_app(tmp_path: Path, api: FakeBotApi) -> AsyncIterator[tuple[App, FakeEngine]]:
    """A bot that answers user 99 and chat -100 only."""
    engine = FakeEngine()
    app = await started(engine, settings(tmp_path, allowed_users=[99], allowed_chats=[-100]), api)
    yield app, engine
    await app.shutdown()


async def test_a_stranger_gets_one_polite_refusal_and_nothing_else(
    closed_app: tuple[App, FakeEngine], api: FakeBotApi
) -> None:
    app, engine = closed_app

    for update_id in (1, 2, 3):
        await dispatch(app, from_user(text_message_payload("红色物业怎么建"), 7, update_id=update_id))

    assert api.sent_texts() == [REFUSAL]
    assert engine.questions == []
    assert [m for m, _ in api.calls if m not in {"getMe"}] == ["sendMessage"]


async def test_a_stranger_inline_query_gets_no_results_only_the_refusal_button(
    closed_app: tuple[App, FakeEngine], api: FakeBotApi
) -> None:
    app, engine = closed_app

    await dispatch(app, from_user(inline_query_payload("红色物业"), 7, update_id=5))

    (answer,) = api.sent("answerInlineQuery")
    assert json.loads(answer["results"]) == []
    assert "authorised" in json.loads(answer["button"])["text"]
    assert engine.questions == []


async def test_allowed_users_and_members_of_allowed_chats_are_answered(
    closed_app: tuple[App, FakeEngine], api: FakeBotApi
) -> None:
    app, engine = closed_app

    await dispatch(app, from_user(text_message_payload("红色物业怎么建"), 99, update_id=1))
    await dispatch(app, from_user(text_message_payload("@ReportsBot 快递骑手", chat_type="group"), 7, update_id=2))

    assert [q for q, _, _ in engine.questions] == ["红色物业怎么建", "快递骑手"]
    assert REFUSAL not in api.sent_texts()


def test_an_empty_allowlist_is_open_and_admins_are_always_allowed() -> None:
    assert Access().allows(1, 1)
    assert Access(users=[2], admins=[3]).allows(3, None)
    assert not Access(users=[2], admins=[3]).allows(1, 1)


def test_rate_limiter_allows_a_burst_then_one_per_period() -> None:
    limiter = RateLimiter(per_minute=6, burst=3)  # a token every 10 s

    first = [limiter.allow(1, 0.0) for _ in range(5)]
    later = [limiter.allow(1, 9.0), limiter.allow(1, 10.5), limiter.allow(2, 10.5)]

    assert first == [True, True, True, False, False]
    assert later == [False, True, True]


def test_refusals_are_repeated_only_after_their_interval() -> None:
    refusals = Refusals(interval_s=60)

    assert [refusals.due(1, t) for t in (0, 30, 61)] == [True, False, True]


class SlowEngine(FakeEngine):
    """A FakeEngine taking a fixed time per answer, like the real CPU-bound one."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    def answer(self, question: str, *, place: str | None = None, offset: int = 0, limit: int | None = None) -> Answer:
        time.sleep(self.seconds)
        return super().answer(question, place=place, offset=offset, limit=limit)


async def test_a_flood_is_rate_limited_and_delays_another_user_by_at_most_one_answer(
    tmp_path: Path, api: FakeBotApi
) -> None:
    engine = SlowEngine(0.05)
    app = await started(engine, settings(tmp_path, rate_burst=5, rate_per_minute=1, max_concurrent_answers=1), api)
    try:
        flood = [asyncio.create_task(dispatch(app, from_user(text_message_payload(f"红色物业{i}"), 7, update_id=i)))
                 for i in range(1, 101)]
        await asyncio.sleep(0.01)
        await dispatch(app, from_user(text_message_payload("快递骑手"), 8, update_id=500))
        answered_before_second_user = [q for q, _, _ in engine.questions].index("快递骑手")
        await asyncio.gather(*flood)
    finally:
        await app.shutdown()

    flooder_questions = [q for q, _, _ in engine.questions if q.startswith("红色物业")]
    assert answered_before_second_user <= 1
    assert len(flooder_questions) == 5
    assert api.sent_texts().count(SLOW_DOWN) == 1


async def test_admins_are_not_rate_limited(tmp_path: Path, api: FakeBotApi) -> None:
    engine = FakeEngine()
    app = await started(engine, settings(tmp_path, rate_burst=1, rate_per_minute=1, admins=[7]), api)
    try:
        for update_id in range(1, 6):
            await dispatch(app, text_message_payload("红色物业", update_id=update_id))
    finally:
        await app.shutdown()

    assert len(engine.questions) == 5


async def test_answers_still_go_out_when_the_state_folder_cannot_be_written(tmp_path: Path, api: FakeBotApi) -> None:
    (tmp_path / "state").write_text("a file where the folder should be", encoding="utf-8")
    app = await started(FakeEngine(), settings(tmp_path), api)
    try:
        await dispatch(app, text_message_payload("红色物业 网格化 快递骑手"))
    finally:
        await app.shutdown()

    assert "[1]" in api.sent_texts()[0]
    assert any(label.startswith("更多结果") for label, _ in api.buttons())


async def test_group_chatter_of_a_stranger_not_meant_for_the_bot_gets_no_reply(
    closed_app: tuple[App, FakeEngine], api: FakeBotApi
) -> None:
    app, engine = closed_app
    chatter = text_message_payload("今天开会吗", chat_type="group")
    chatter["message"]["chat"]["id"] = -200
    addressed = text_message_payload("@ReportsBot 红色物业", chat_type="group", update_id=2)
    addressed["message"]["chat"]["id"] = -200

    await dispatch(app, chatter)
    await dispatch(app, addressed)

    assert api.sent_texts() == [REFUSAL]
    assert engine.questions == []
