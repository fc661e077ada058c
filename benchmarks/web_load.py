"""Bounded local load test of the web app: `python benchmarks/web_load.py [--fake] [--clients 16] [--requests 400]`.

Serves the app on 127.0.0.1 only (a free port, in this process) and measures, with the real index
(var/index, built by `make index`) or with --fake (tests' FakeEngine, no index needed):
  1. the engine's own time for an answer page, called directly, and the shared command layer's
     (bot/replies/commands.py: the engine plus layout and script conversion, as the bot runs it);
  2. the same answer through the HTTP API and as a whole HTML page, one request at a time (warm),
     and the difference to the command layer: what the web layer itself adds;
  3. --clients concurrent clients asking until --requests answers are done or --time-limit-s runs
     out (both bounded), while one more client keeps fetching a cheap page (/api/places): its
     latency shows whether answers in flight block other clients.
Rate limits are lifted for the run (all clients share 127.0.0.1). Client and server share one
process and its GIL, so absolute numbers are a floor; compare them with the engine's own time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import cpu_description, p50_p95

from bot.readers.prefs import PrefsStore  # noqa: E402
from bot.replies.commands import Commands  # noqa: E402
from bot.replies.engine import Engine  # noqa: E402
from bot.replies.query import Query  # noqa: E402
from bot.web.app import build_app  # noqa: E402
from bot.web.serve import ServerThread  # noqa: E402
from bot.web.settings import WebSettings  # noqa: E402
from index.settings import PROJECT_ROOT  # noqa: E402

MAX_REQUESTS = 5_000  # a hard cap whatever is asked: this is a local check, not a stress tool
MAX_CLIENTS = 64
FAKE_QUESTIONS = ["红色物业", "快遞騎手", "网格化治理", "两新组织 基层治理", "居民议事会"]


def _ms(seconds: list[float]) -> str:
    p50, p95 = p50_p95(seconds)
    return f"p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(seconds)})"


def _engine(fake: bool) -> tuple[Engine, list[str]]:
    if fake:
        from tests.fakes import FakeEngine

        return FakeEngine(), FAKE_QUESTIONS
    from index.answer.engine import open_engine
    from index.answer.evaluate import read_questions
    from index.settings import IndexSettings

    questions = [q.text for q in read_questions(PROJECT_ROOT / "eval" / "questions.jsonl")][:40]
    return open_engine(IndexSettings()), questions


async def _concurrent(url: str, questions: list[str], *, clients: int, requests: int, time_limit_s: float) -> None:
    deadline = time.monotonic() + time_limit_s
    answers: list[float] = []
    probes: list[float] = []
    issued = 0
    failures = 0
    done = asyncio.Event()

    async def asker(client: httpx.AsyncClient, number: int) -> None:
        nonlocal issued, failures
        while issued < requests and time.monotonic() < deadline:
            question = questions[(issued + number) % len(questions)]
            issued += 1
            started = time.perf_counter()
            response = await client.post("/api/ask", json={"question": question})
            answers.append(time.perf_counter() - started)
            failures += response.status_code != 200

    async def prober(client: httpx.AsyncClient) -> None:
        while not done.is_set() and time.monotonic() < deadline:
            started = time.perf_counter()
            await client.get("/api/places")
            probes.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)

    limits = httpx.Limits(max_connections=clients + 1)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        started = time.perf_counter()
        probe = asyncio.create_task(prober(client))
        await asyncio.gather(*(asker(client, n) for n in range(clients)))
        elapsed = time.perf_counter() - started
        done.set()
        await probe
    print(f"{clients} concurrent clients: {len(answers)} answers in {elapsed:.1f} s "
          f"({len(answers) / elapsed:.1f}/s), {failures} failed")
    print(f"  answer latency         {_ms(answers)}")
    if probes:
        print(f"  cheap page meanwhile   {_ms(probes)}")


def main(argv: list[str] | None = None) -> int:
    """Runs the three measurements and prints them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fake", action="store_true", help="the tests' FakeEngine instead of var/index")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=400, help="answers in the concurrent run")
    parser.add_argument("--warm", type=int, default=30, help="sequential requests per warm measurement")
    parser.add_argument("--time-limit-s", type=float, default=120.0)
    args = parser.parse_args(argv)
    clients, requests = min(args.clients, MAX_CLIENTS), min(args.requests, MAX_REQUESTS)

    engine, questions = _engine(args.fake)
    with tempfile.TemporaryDirectory() as state:
        settings = WebSettings(state_dir=Path(state), rate_per_minute=1e9, rate_burst=10**9,
                               max_concurrent_answers=2)
        question = questions[0]
        commands = Commands(engine, PrefsStore(None), page_size=settings.page_size)
        direct, shared = [], []
        for _ in range(args.warm):
            started = time.perf_counter()
            engine.answer(question, limit=settings.page_size)
            direct.append(time.perf_counter() - started)
            started = time.perf_counter()
            commands.ask("benchmark", Query(question))
            shared.append(time.perf_counter() - started)
        with ServerThread(build_app(engine, settings)) as server, httpx.Client(base_url=server.url, timeout=60) as web:
            assert server.url.startswith("http://127.0.0.1:")
            page_url = web.post("/ask", data={"q": question}, follow_redirects=False).headers["location"]
            api, page = [], []
            for _ in range(args.warm):
                started = time.perf_counter()
                web.post("/api/ask", json={"question": question}).raise_for_status()
                api.append(time.perf_counter() - started)
                started = time.perf_counter()
                web.get(page_url).raise_for_status()
                page.append(time.perf_counter() - started)
            print(cpu_description())
            print(f"engine ({'fake' if args.fake else 'var/index'}), warm, one question:")
            print(f"  engine.answer          {_ms(direct)}")
            print(f"  commands.ask           {_ms(shared)}")
            print(f"  POST /api/ask          {_ms(api)}")
            print(f"  GET answer page        {_ms(page)}")
            base = statistics.median(shared)
            print(f"  web layer adds (p50)   API {(statistics.median(api) - base) * 1000:.1f} ms, "
                  f"page {(statistics.median(page) - base) * 1000:.1f} ms (HTTP on loopback included)")
            asyncio.run(_concurrent(server.url, questions, clients=clients, requests=requests,
                                    time_limit_s=args.time_limit_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
