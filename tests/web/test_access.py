"""Who may use the web app: allowlist, access token, per-client rate limits, reader ids, and what logs keep."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.web.access import Allowlist, ClientLimiter, is_reader_id, new_reader_id, reader_key
from bot.web.app import build_app
from bot.web.settings import WebSettings
from tests.fakes import FakeEngine


class Clock:
    """A hand-wound monotonic clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_allowlist_admits_only_its_networks() -> None:
    allowlist = Allowlist(["10.0.0.0/8", "192.0.2.7"])

    assert [allowlist.allows(host) for host in ("10.1.2.3", "192.0.2.7", "192.0.2.8", "testclient", None)] == [
        True, True, False, False, False]
    assert Allowlist([]).allows("203.0.113.9")


def test_a_bad_allowlist_entry_is_named() -> None:
    with pytest.raises(ValueError, match="web allowed_clients: .*'10.0.0.300'"):
        Allowlist(["10.0.0.300"])


def test_a_client_outside_the_allowlist_is_refused(tmp_path: Path) -> None:
    app = build_app(FakeEngine(), WebSettings(state_dir=tmp_path, allowed_clients=["10.0.0.0/8"]))

    with TestClient(app, client=("10.9.9.9", 1)) as inside, TestClient(app, client=("192.0.2.1", 1)) as outside:
        assert inside.get("/api/places").status_code == 200
        refused = outside.get("/api/places")

    assert refused.status_code == 403
    assert refused.json()["error"] == "这个地址不能访问本站。"


def test_with_an_access_token_the_api_needs_it(tmp_path: Path) -> None:
    app = build_app(FakeEngine(), WebSettings(state_dir=tmp_path, access_token=SecretStr("s3cret-token-42")))

    with TestClient(app) as client:
        missing = client.get("/api/places")
        wrong = client.get("/api/places", headers={"Authorization": "Bearer nope"})
        right = client.get("/api/places", headers={"Authorization": "Bearer s3cret-token-42"})

    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert missing.json()["error"] == "这个站点需要访问口令。"


def test_with_an_access_token_a_browser_signs_in_once(tmp_path: Path) -> None:
    app = build_app(FakeEngine(), WebSettings(state_dir=tmp_path, access_token=SecretStr("s3cret-token-42")))

    with TestClient(app) as browser:
        before = browser.get("/")
        wrong = browser.post("/login", data={"token": "guess"})
        signed_in = browser.post("/login", data={"token": "s3cret-token-42"})
        after = browser.get("/places")

    assert before.status_code == 401 and 'action="/login"' in before.text
    assert wrong.status_code == 401 and "访问口令不对。" in wrong.text
    assert signed_in.status_code == 200 and 'action="/ask"' in signed_in.text  # redirected home
    assert after.status_code == 200
    assert "s3cret-token-42" not in browser.cookies.get("access", "")


def test_each_client_is_rate_limited_on_its_own(tmp_path: Path) -> None:
    clock = Clock()
    app = build_app(FakeEngine(), WebSettings(state_dir=tmp_path, rate_per_minute=60, rate_burst=2), clock=clock)

    with TestClient(app, client=("10.0.0.1", 1)) as busy, TestClient(app, client=("10.0.0.2", 1)) as other:
        statuses = [busy.get("/api/places").status_code for _ in range(3)]
        limited = busy.get("/api/places")
        other_status = other.get("/api/places").status_code
        clock.now += 1.0
        later = busy.get("/api/places").status_code

    assert statuses == [200, 200, 429]
    assert limited.headers["Retry-After"] == "1"
    assert limited.json()["error"] == "请求太多，请稍等片刻再试。"
    assert (other_status, later) == (200, 200)


def test_the_limiter_refills_at_its_rate() -> None:
    limiter = ClientLimiter(per_minute=30, burst=1)

    assert [limiter.allow("a", 0.0), limiter.allow("a", 1.0), limiter.allow("a", 2.0)] == [True, False, True]
    assert limiter.retry_after_s("a") == 2


def test_reader_ids_are_random_and_stored_only_as_hashes() -> None:
    one, two = new_reader_id(), new_reader_id()

    assert one != two and is_reader_id(one)
    assert reader_key(one).startswith("web:") and one not in reader_key(one)
    assert not is_reader_id("short") and not is_reader_id("has a space in it, so no")


def test_logs_never_hold_the_question_or_the_place_looked_up(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)

    client.post("/api/ask", json={"question": "治理 秘密问题"})
    client.post("/ask", data={"q": "治理 另一个秘密"})
    client.get("/api/places/南山")

    lines = [record.getMessage() for record in caplog.records]
    assert not [line for line in lines if "秘密" in line or "南山" in line]
    assert [line.split(" in ")[0] for line in lines if line.startswith(("POST", "GET"))] == [
        "POST /api/ask 200", "POST /ask 303", "GET /answers/… 200", "GET /api/places/… 200"]
