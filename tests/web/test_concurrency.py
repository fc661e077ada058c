"""Engine calls run off the event loop: a slow answer blocks neither other answers nor reading."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bot.web.app import build_app
from bot.web.serve import ServerThread
from bot.web.settings import WebSettings
from index.records import Answer
from tests.fakes import FakeEngine

WAIT_S = 30  # only a broken server waits this long; a working one answers at once


class GatedEngine(FakeEngine):
    """A FakeEngine whose answers wait at a gate until the test opens it, counting how many wait at once."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.waiting = threading.Semaphore(0)

    def answer(self, question: str, *, place: str | None = None, offset: int = 0, limit: int | None = None) -> Answer:
        self.waiting.release()
        if not self.gate.wait(WAIT_S):
            raise RuntimeError("the gate was never opened")
        return super().answer(question, place=place, offset=offset, limit=limit)


def test_reading_goes_on_while_every_answer_slot_is_busy(tmp_path: Path) -> None:
    engine = GatedEngine()
    app = build_app(engine, WebSettings(state_dir=tmp_path, max_concurrent_answers=1))

    with ServerThread(app) as server, ThreadPoolExecutor(2) as pool:
        asking = pool.submit(httpx.post, server.url + "/api/ask", json={"question": "红色物业"}, timeout=WAIT_S)
        assert engine.waiting.acquire(timeout=WAIT_S)  # the answer holds the only slot, inside the engine
        places = httpx.get(server.url + "/api/places", timeout=WAIT_S)
        passage = httpx.get(server.url + "/api/passages/001_744f9100ef1c3714:1", timeout=WAIT_S)
        engine.gate.set()
        answered = asking.result(timeout=WAIT_S)

    assert (places.status_code, passage.status_code, answered.status_code) == (200, 200, 200)


def test_answers_run_side_by_side_up_to_the_slots(tmp_path: Path) -> None:
    engine = GatedEngine()
    app = build_app(engine, WebSettings(state_dir=tmp_path, max_concurrent_answers=2))

    with ServerThread(app) as server, ThreadPoolExecutor(2) as pool:
        asks = [pool.submit(httpx.post, server.url + "/api/ask", json={"question": q}, timeout=WAIT_S)
                for q in ("红色物业", "网格化治理")]
        both_inside = engine.waiting.acquire(timeout=WAIT_S) and engine.waiting.acquire(timeout=WAIT_S)
        engine.gate.set()
        statuses = [ask.result(timeout=WAIT_S).status_code for ask in asks]

    assert both_inside  # two answers were in the engine at the same time: neither waited for the other
    assert statuses == [200, 200]
