"""/stats and /reload for admins, and the automatic pick-up of a rebuilt index without dropping a question."""

from __future__ import annotations

import asyncio
import datetime
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.telegram_bot.admin import NOT_ADMIN, Stats, age
from bot.telegram_bot.app import build_application
from bot.replies.engine import Engine
from bot.replies.live import IndexInfo, LiveEngine, watch_index
from bot.settings import BotSettings
from index.errors import IndexDamagedError
from index.records import Answer
from tests.fakes import FakeBotApi, FakeEngine, text_message_payload

App = Application[Any, Any, Any, Any, Any, Any]
ADMIN = 7  # the id of tests.fakes.USER


class Versions:
    """Stands in for the index folder: a version name a "build" can change, and what each version loads."""

    def __init__(self) -> None:
        self.version = "v-1"
        self.loads = 0
        self.broken: set[str] = set()

    def load(self) -> tuple[Engine, IndexInfo]:
        self.loads += 1
        if self.version in self.broken:
            raise IndexDamagedError("chunks.jsonl missing; run `reports-qa build`")
        engine = TaggedEngine(self.version)
        return engine, IndexInfo(self.version, 3, 7 if self.version == "v-1" else 9, "2026-01-01T00:00:00+00:00")


class TaggedEngine(FakeEngine):
    """A FakeEngine that says which index version answered, and can hold an answer until released."""

    def __init__(self, version: str) -> None:
        super().__init__()
        self.version = version
        self.release = threading.Event()
        self.release.set()
        self.entered = threading.Event()
        self.closed = 0

    def close(self) -> None:
        self.closed += 1

    def answer(self, question: str, *, place: str | None = None, offset: int = 0, limit: int | None = None) -> Answer:
        self.entered.set()
        self.release.wait(10)
        answer = super().answer(question, place=place, offset=offset, limit=limit)
        return Answer(f"{self.version}:{answer.question}", answer.hits, answer.citations, answer.abstained,
                      answer.places, answer.offset, answer.total)


@pytest.fixture
def versions() -> Versions:
    return Versions()


@pytest.fixture
def live(versions: Versions) -> LiveEngine:
    return LiveEngine(versions.load, lambda: versions.version)


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
async def app(live: LiveEngine, api: FakeBotApi, tmp_path: Path) -> AsyncIterator[App]:
    settings = BotSettings(token=SecretStr("123:ABC"), base_url="http://127.0.0.1:9/bot", state_dir=tmp_path / "s",
                           admins=[ADMIN], telegram_rate_limit=False, reload_check_s=0)
    application = build_application(live, settings,
                                    request=HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(api)}))
    async with application:
        yield application


async def dispatch(app: App, payload: dict[str, Any]) -> None:
    update = Update.de_json(payload, app.bot)
    await app.update_processor.process_update(update, app.process_update(update))


def as_user(payload: dict[str, Any], user_id: int) -> dict[str, Any]:
    message = payload["message"]
    message["from"] = {**message["from"], "id": user_id}
    message["chat"] = {**message["chat"], "id": user_id}
    return payload


async def test_stats_shows_an_admin_the_index_and_the_latency_of_answers(app: App, api: FakeBotApi) -> None:
    await dispatch(app, text_message_payload("红色物业怎么建", update_id=1))
    await dispatch(app, text_message_payload("快递骑手", update_id=2))

    await dispatch(app, text_message_payload("/stats", update_id=3))

    stats = api.sent_texts()[-1]
    assert "reports: 3" in stats and "passages: 7" in stats and "v-1" in stats
    assert "questions answered: 2" in stats
    assert "p50 " in stats and "p95 " in stats


async def test_stats_and_reload_are_refused_to_other_users(app: App, api: FakeBotApi, versions: Versions) -> None:
    await dispatch(app, as_user(text_message_payload("/stats", update_id=1), 8))
    await dispatch(app, as_user(text_message_payload("/reload", update_id=2), 8))

    assert api.sent_texts() == [NOT_ADMIN, NOT_ADMIN]
    assert versions.loads == 1


async def test_reload_switches_to_the_rebuilt_index(app: App, api: FakeBotApi, versions: Versions,
                                                    live: LiveEngine) -> None:
    versions.version = "v-2"

    await dispatch(app, text_message_payload("/reload", update_id=1))
    await dispatch(app, text_message_payload("红色物业怎么建", update_id=2))

    assert "reloaded: v-2" in api.sent_texts()[0] and "9 passages" in api.sent_texts()[0]
    assert live.info.version == "v-2"


async def test_a_failed_reload_says_why_and_the_old_index_keeps_serving(app: App, api: FakeBotApi,
                                                                        versions: Versions, live: LiveEngine) -> None:
    versions.version = "v-2"
    versions.broken.add("v-2")

    await dispatch(app, text_message_payload("/reload", update_id=1))

    assert "Reload failed" in api.sent_texts()[0] and "reports-qa build" in api.sent_texts()[0]
    assert live.info.version == "v-1" and not live.has_new_index()


async def test_a_rebuilt_index_is_picked_up_without_dropping_a_question_in_flight(
    versions: Versions, live: LiveEngine
) -> None:
    old = live.current
    assert isinstance(old, TaggedEngine)
    old.release.clear()
    in_flight = asyncio.create_task(asyncio.to_thread(live.answer, "红色物业"))
    await asyncio.to_thread(old.entered.wait, 5)
    watcher = asyncio.create_task(watch_index(live, interval_s=0.01))
    try:
        versions.version = "v-2"
        for _ in range(500):
            if live.info.version == "v-2":
                break
            await asyncio.sleep(0.01)
        after = await asyncio.to_thread(live.answer, "快递骑手")
        closed_while_in_flight = old.closed
        old.release.set()
        before = await in_flight
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)

    assert live.info.version == "v-2"
    assert before.question == "v-1:红色物业"
    assert after.question == "v-2:快递骑手"
    assert versions.loads == 2
    assert (closed_while_in_flight, old.closed) == (0, 1)  # closed once its last question finished, not before


def test_reloads_close_each_replaced_engine_once(versions: Versions, live: LiveEngine) -> None:
    engines = [live.current]
    for n in range(2, 6):
        versions.version = f"v-{n}"
        live.reload()
        engines.append(live.current)
    live.close()

    assert [e.closed for e in engines if isinstance(e, TaggedEngine)] == [1, 1, 1, 1, 1]


def test_latency_percentiles_are_nearest_rank_over_recent_answers() -> None:
    stats = Stats(window=100)
    for ms in range(1, 201):
        stats.record(ms / 1000)

    assert stats.answered == 200
    assert stats.percentiles() == {50: pytest.approx(0.150), 95: pytest.approx(0.195), 99: pytest.approx(0.199)}


def test_index_age_reads_the_manifest_time() -> None:
    now = datetime.datetime(2026, 1, 3, 5, 30, tzinfo=datetime.timezone.utc)

    assert [age("2026-01-01T00:00:00+00:00", now), age("2026-01-03T05:00:00+00:00", now), age("junk", now)] == [
        "2 d 5 h", "30 min", "?"
    ]
