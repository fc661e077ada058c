"""A bounded soak: many simulated users at once through PTB's real routing and the fake Bot API (no network)."""

from __future__ import annotations

import asyncio
import gc
import random
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from telegram import Update
from telegram.request import HTTPXRequest

from bot.telegram_bot.app import build_application
from bot.replies.i18n import LANGUAGES, text
from bot.settings import BotSettings
from index.records import Answer
from tests.bot.telegram_html import telegram_html_problems
from tests.fakes import FakeBotApi, FakeEngine, callback_payload, inline_query_payload, text_message_payload

USERS = 20
QUESTIONS_PER_USER = 20
QUESTIONS = ["红色物业怎么建", "快递骑手", "网格化治理覆盖全区吗", "<b>&amp;</b>\u200b\u0007议事会", "x" * 5000,
             "@ReportsBot 两新组织", "小区议事协商", "/place 南山 快递骑手", "/sources", "?"]


class BusyEngine(FakeEngine):
    """A FakeEngine that holds the CPU for a moment per answer, as the real one does."""

    def answer(self, question: str, *, place: str | None = None, offset: int = 0, limit: int | None = None) -> Answer:
        end = time.perf_counter() + 0.002
        while time.perf_counter() < end:
            pass
        return super().answer(question, place=place, offset=offset, limit=limit)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def test_many_concurrent_users_all_get_valid_answers_with_flat_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = FakeBotApi()
    settings = BotSettings(token=SecretStr("123:ABC"), base_url="http://127.0.0.1:9/bot", state_dir=tmp_path / "s",
                           telegram_rate_limit=False, rate_burst=QUESTIONS_PER_USER * 3, reload_check_s=0,
                           max_concurrent_answers=2)
    app = build_application(BusyEngine(), settings,
                            request=HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(api)}))
    latencies: list[float] = []
    rng = random.Random(9)

    async def dispatch(payload: dict[str, Any]) -> None:
        update = Update.de_json(payload, app.bot)
        started = time.perf_counter()
        await app.update_processor.process_update(update, app.process_update(update))
        latencies.append(time.perf_counter() - started)

    async def user(user_id: int, rounds: int) -> None:
        for n in range(rounds):
            update_id = user_id * 1000 + n
            kind = rng.random()
            if kind < 0.7:
                payload = text_message_payload(rng.choice(QUESTIONS), update_id=update_id)
            elif kind < 0.85:
                payload = inline_query_payload(rng.choice(QUESTIONS), update_id=update_id)
            else:
                payload = callback_payload(rng.choice(["m|2|abcdef012345", "c|002_bcc05597e0a5e93c:0", "zz|forged"]),
                                           update_id=update_id)
            body = payload.get("message") or payload.get("inline_query") or payload["callback_query"]
            body["from"] = {**body["from"], "id": user_id}
            await dispatch(payload)
            await asyncio.sleep(rng.random() * 0.002)

    async with app:
        await asyncio.gather(*(user(u, 5) for u in range(1, USERS + 1)))  # warm-up: caches, imports
        gc.collect()
        tracemalloc.start()
        baseline = tracemalloc.get_traced_memory()[0]
        latencies.clear()
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(user(u, QUESTIONS_PER_USER) for u in range(1, USERS + 1))), 120)
        elapsed = time.perf_counter() - started
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    texts = api.sent_texts()
    with capsys.disabled():
        print(f"\nsoak: {USERS} users x {QUESTIONS_PER_USER} updates in {elapsed:.1f} s; latency p50 "
              f"{percentile(latencies, 50) * 1000:.0f} ms, p95 {percentile(latencies, 95) * 1000:.0f} ms, p99 "
              f"{percentile(latencies, 99) * 1000:.0f} ms; traced memory +{(current - baseline) / 1e6:.1f} MB "
              f"after, peak +{(peak - baseline) / 1e6:.1f} MB")
    assert len(latencies) == USERS * QUESTIONS_PER_USER
    assert not [t for t in texts if any(text("apology", language) in t for language in LANGUAGES)]
    assert [p for t in texts for p in telegram_html_problems(t)] == []
    assert current - baseline < 20_000_000  # what is left after 400 updates: no per-update leak
