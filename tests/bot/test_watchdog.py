"""systemd's notify protocol: READY=1 once the bot serves, WATCHDOG=1 pings from its event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.request import HTTPXRequest

from bot.settings import BotSettings
from bot.telegram_bot.app import build_application, tell_systemd
from bot.watchdog import SystemdNotifier, keep_alive, watchdog_interval_s
from tests.fakes import FakeBotApi


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """A datagram socket standing in for systemd's NOTIFY_SOCKET, and its address."""
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(5)
        yield sock, address


def received(sock: socket.socket, count: int) -> list[str]:
    return [sock.recv(256).decode("utf-8") for _ in range(count)]


def test_without_notify_socket_there_is_no_notifier() -> None:
    assert SystemdNotifier.from_environ({}) is None


def test_notifier_sends_the_state_to_the_socket(listener: tuple[socket.socket, str]) -> None:
    sock, address = listener

    sent = SystemdNotifier.from_environ({"NOTIFY_SOCKET": address})

    assert sent is not None and sent.notify("READY=1")
    assert received(sock, 1) == ["READY=1"]


def test_an_unreachable_socket_is_logged_not_raised(tmp_path: Path) -> None:
    assert SystemdNotifier(str(tmp_path / "gone")).notify("READY=1") is False


@pytest.mark.parametrize(("environ", "expected"), [
    pytest.param({"WATCHDOG_USEC": "120000000"}, 60.0, id="half-of-watchdogsec"),
    pytest.param({"WATCHDOG_USEC": "120000000", "WATCHDOG_PID": "42"}, 60.0, id="for-this-pid"),
    pytest.param({"WATCHDOG_USEC": "120000000", "WATCHDOG_PID": "7"}, None, id="for-another-pid"),
    pytest.param({"WATCHDOG_USEC": "0"}, None, id="disabled"),
    pytest.param({}, None, id="no-watchdog"),
])
def test_watchdog_interval_follows_systemds_variables(environ: dict[str, str], expected: float | None) -> None:
    assert watchdog_interval_s(environ, pid=42) == expected


async def test_keep_alive_pings_once_per_interval_until_cancelled(listener: tuple[socket.socket, str]) -> None:
    sock, address = listener
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # three intervals pass, then the bot stops
        waits.append(seconds)
        if len(waits) == 3:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await keep_alive(SystemdNotifier(address), 60.0, sleep=sleep)

    assert waits == [60.0, 60.0, 60.0]
    assert received(sock, 3) == ["WATCHDOG=1"] * 3


async def test_the_bot_says_ready_after_its_own_start_up_then_pings(
        listener: tuple[socket.socket, str], engine: Any, bot_settings: BotSettings, api: FakeBotApi) -> None:
    sock, address = listener
    application = build_application(engine, bot_settings,
                                    request=HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(api)}))
    tell_systemd(application, SystemdNotifier(address), environ={"WATCHDOG_USEC": "2000000"})

    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        states = await asyncio.to_thread(received, sock, 2)
        application.bot_data["systemd watchdog"].cancel()

    assert states == ["READY=1", "WATCHDOG=1"]
    assert "setMyCommands" in [method for method, _ in api.calls]  # the bot's own post_init still ran first
