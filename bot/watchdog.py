"""systemd's notify protocol for the bot process: READY=1 once it serves, WATCHDOG=1 while its event loop runs.

deploy/reports-qa-bot.service runs the bot as Type=notify with WatchdogSec: the pings come from a task on
the bot's own event loop, so a loop that hangs stops them and systemd restarts the process. Elsewhere
(no NOTIFY_SOCKET) nothing here runs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping

logger = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends sd_notify states ("READY=1", "WATCHDOG=1") to the socket systemd names in NOTIFY_SOCKET."""

    def __init__(self, address: str) -> None:
        # "@name" is a socket in the abstract namespace, which the kernel spells with a leading NUL.
        self._address = "\0" + address[1:] if address.startswith("@") else address

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> SystemdNotifier | None:
        """The notifier systemd asked for, or None when the process was not started as Type=notify."""
        address = environ.get("NOTIFY_SOCKET", "")
        return cls(address) if address else None

    def notify(self, state: str) -> bool:
        """Sends one state; False (logged) when the socket cannot be reached, which must not stop the bot."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.connect(self._address)
                sock.sendall(state.encode("utf-8"))
        except OSError as error:
            logger.warning("could not tell systemd %s: %s", state, error)
            return False
        return True


def watchdog_interval_s(environ: Mapping[str, str] = os.environ, pid: int | None = None) -> float | None:
    """Seconds between WATCHDOG=1 pings: half of systemd's WatchdogSec, as sd_watchdog_enabled advises."""
    usec, owner = environ.get("WATCHDOG_USEC", ""), environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if owner.isdigit() and int(owner) != (os.getpid() if pid is None else pid):  # meant for another process
        return None
    return int(usec) / 2 / 1_000_000


async def keep_alive(notifier: SystemdNotifier, interval_s: float,
                     sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Pings systemd's watchdog every interval_s until cancelled; runs on the bot's event loop."""
    while True:
        notifier.notify("WATCHDOG=1")
        await sleep(interval_s)
