"""A busy Telegram: personal inline answers, taps that are always answered, fair groups and channels,
unforgeable "more" keys; all through PTB's update processor and routing over a fake Bot API."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
from telegram.request import HTTPXRequest

from bot.readers.state import install_secret
from bot.replies.query import Query
from bot.replies.questions import QuestionStore
from bot.telegram_bot.access import REFUSAL
from bot.telegram_bot.app import build_application
from bot.telegram_bot.limits import SLOW_DOWN, SLOW_DOWN_SHORT
from tests.bot.test_access_limits import App, dispatch, from_user, settings, started
from tests.fakes import FakeBotApi, FakeEngine, callback_payload, inline_query_payload, text_message_payload


def inline_answers(api: FakeBotApi) -> list[dict[str, Any]]:
    return [{**params, "results": json.loads(params["results"])} for params in api.sent("answerInlineQuery")]


async def test_inline_answers_are_personal_and_not_cached_under_an_allowlist(tmp_path: Path) -> None:
    api = FakeBotApi()
    app = await started(FakeEngine(), settings(tmp_path, allowed_users=[7]), api)
    try:
        await dispatch(app, inline_query_payload("红色物业"))
    finally:
        await app.shutdown()

    (answer,) = inline_answers(api)
    assert answer["results"] and answer["is_personal"] == "true" and answer["cache_time"] == "0"


async def test_an_open_bot_caches_inline_answers_only_for_the_same_reader(tmp_path: Path) -> None:
    api = FakeBotApi()
    app = await started(FakeEngine(), settings(tmp_path), api)
    try:
        await dispatch(app, inline_query_payload("红色物业"))
    finally:
        await app.shutdown()

    (answer,) = inline_answers(api)
    assert answer["is_personal"] == "true" and answer["cache_time"] == "300"


async def test_inline_typing_has_its_own_budget_and_leaves_questions_alone(tmp_path: Path) -> None:
    api = FakeBotApi()
    engine = FakeEngine()
    app = await started(engine, settings(tmp_path, allowed_users=[7], rate_burst=5, rate_per_minute=1), api)
    typed = "红色物业怎么建设"
    try:
        for n in range(2, len(typed) + 1):  # one inline query per keystroke, as Telegram sends them
            await dispatch(app, {**inline_query_payload(typed[:n]), "update_id": n})
        for update_id in range(100, 105):
            await dispatch(app, text_message_payload("快递骑手", update_id=update_id))
    finally:
        await app.shutdown()

    answers = inline_answers(api)
    assert len(answers) == len(typed) - 1 and all(a["results"] for a in answers)
    assert all("button" not in a for a in answers)  # nobody was told "authorised users only"
    assert api.sent_texts().count(SLOW_DOWN) == 0 and len([q for q, _, _ in engine.questions if q == "快递骑手"]) == 5


async def test_an_inline_flood_is_told_to_slow_down_not_that_it_is_a_stranger(tmp_path: Path) -> None:
    api = FakeBotApi()
    app = await started(FakeEngine(), settings(tmp_path, allowed_users=[7]), api)
    try:
        for update_id in range(1, 50):
            await dispatch(app, {**inline_query_payload(f"红色物业{update_id}"), "update_id": update_id})
    finally:
        await app.shutdown()

    refused = [a for a in inline_answers(api) if "button" in a]
    assert refused and {json.loads(a["button"])["text"] for a in refused} == {SLOW_DOWN_SHORT}


async def test_a_question_and_four_quick_taps_are_all_answered(tmp_path: Path) -> None:
    api = FakeBotApi()
    app = await started(FakeEngine(), settings(tmp_path, rate_burst=2, rate_per_minute=1), api)
    try:
        await dispatch(app, text_message_payload("红色物业 网格化 快递骑手"))
        buttons = [data for _, data in api.buttons()]
        taps = [buttons[0], buttons[1], buttons[2], buttons[-1]]  # context, cite, save, more
        for update_id, data in enumerate(taps, 10):
            await dispatch(app, callback_payload(data, question="红色物业 网格化 快递骑手", update_id=update_id))
    finally:
        await app.shutdown()

    assert len(api.sent("answerCallbackQuery")) == 4
    assert len(api.sent_texts()) == 5 and SLOW_DOWN not in api.sent_texts()


async def test_a_tap_over_the_limit_gets_a_slow_down_toast(tmp_path: Path) -> None:
    api = FakeBotApi()
    app = await started(FakeEngine(), settings(tmp_path, rate_burst=1, rate_per_minute=1), api)
    try:
        for update_id in range(1, 30):
            await dispatch(app, callback_payload("p|南山区", update_id=update_id))
    finally:
        await app.shutdown()

    toasts = [params.get("text", "") for params in api.sent("answerCallbackQuery")]
    assert len(toasts) == 29 and SLOW_DOWN[:200] in toasts


async def test_forged_buttons_and_strangers_taps_are_answered_every_time(tmp_path: Path) -> None:
    api = FakeBotApi()
    app = await started(FakeEngine(), settings(tmp_path, allowed_users=[99]), api)
    try:
        for update_id in range(1, 4):  # user 7 is a stranger here
            await dispatch(app, callback_payload("c|001_744f9100ef1c3714:0", update_id=update_id))
    finally:
        await app.shutdown()
    open_api = FakeBotApi()
    open_app = await started(FakeEngine(), settings(tmp_path), open_api)
    try:
        for update_id, data in enumerate(["x|nonsense", "m|abc|", "c|no-such:passage|00000000", "m|9" * 20], 1):
            await dispatch(open_app, callback_payload(data, question=None, update_id=update_id))
    finally:
        await open_app.shutdown()

    assert [p["text"] for p in api.sent("answerCallbackQuery")] == [REFUSAL] * 3
    assert len(open_api.sent("answerCallbackQuery")) == 4


class SlowGroupApi(FakeBotApi):
    """A Bot API whose sends to the group wait until released: Telegram's per-group limit, made visible."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sendMessage") and b"chat_id=-100" in request.content:
            await self.release.wait()
        return self(request)


async def test_a_group_waiting_on_telegram_does_not_hold_up_a_private_question(tmp_path: Path) -> None:
    api = SlowGroupApi()
    engine = FakeEngine()
    app = build_application(engine, settings(tmp_path, max_concurrent_answers=1),
                            request=HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(api.handle)}))
    await app.initialize()
    try:
        group = [asyncio.create_task(dispatch(app, from_user(
            text_message_payload("@ReportsBot 红色物业", chat_type="group"), 200 + n, update_id=n)))
            for n in range(1, 9)]
        await asyncio.sleep(0.05)
        await asyncio.wait_for(dispatch(app, from_user(text_message_payload("网格化治理"), 8, update_id=50)), 10)
        private_answered = [p for p in api.sent() if p["chat_id"] == "8"]
        api.release.set()
        await asyncio.gather(*group)
    finally:
        await app.shutdown()

    assert len(private_answered) == 1 and "[1]" in private_answered[0]["text"]


def channel_post(text: str, *, update_id: int) -> dict[str, object]:
    """A post in a channel: no sender user, only the channel as its chat."""
    return {"update_id": update_id, "channel_post": {
        "message_id": update_id, "date": 0, "chat": {"id": -300, "type": "channel", "title": "News"},
        "sender_chat": {"id": -300, "type": "channel", "title": "News"}, "text": text}}


async def test_posts_without_a_sender_are_limited_per_channel(tmp_path: Path) -> None:
    api = FakeBotApi()
    engine = FakeEngine()
    app = await started(engine, settings(tmp_path, group_mode="all", rate_burst=3, rate_per_minute=1), api)
    try:
        for update_id in range(1, 21):
            await dispatch(app, channel_post(f"红色物业{update_id}", update_id=update_id))
        await dispatch(app, text_message_payload("快递骑手", update_id=99))
    finally:
        await app.shutdown()

    assert len([q for q, _, _ in engine.questions if q.startswith("红色物业")]) == 3
    assert [q for q, _, _ in engine.questions][-1] == "快递骑手"


async def test_a_more_key_cannot_be_forged_to_learn_another_readers_question(tmp_path: Path) -> None:
    api = FakeBotApi()
    engine = FakeEngine()
    app = await started(engine, settings(tmp_path), api)
    try:
        await dispatch(app, from_user(text_message_payload("红色物业 网格化 快递骑手"), 8, update_id=1))
        asked = len(engine.questions)
        bare = hashlib.sha256("\n红色物业 网格化 快递骑手".encode()).hexdigest()
        for update_id, key in enumerate([bare[:12], bare[:16]], 2):  # the old, unkeyed scheme
            await dispatch(app, callback_payload(f"m|2|{key}", question=None, update_id=update_id))
    finally:
        await app.shutdown()

    assert len(engine.questions) == asked  # nothing was answered for the forger
    assert api.sent_texts()[-2:] == ["这个按钮对应的问题已找不到，请重新提问。"] * 2


def test_more_keys_depend_on_the_installation_secret_and_the_reader(tmp_path: Path) -> None:
    query = Query("红色物业", None)
    secret = install_secret(tmp_path / "state")

    keys = {QuestionStore(None, secret=secret).remember(query, "7"),
            QuestionStore(None, secret=secret).remember(query, "8"),
            QuestionStore(None, secret=b"another install" * 3).remember(query, "7")}

    assert len(keys) == 3
    assert install_secret(tmp_path / "state") == secret  # the same after a restart
