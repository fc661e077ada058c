"""Build progress for people watching: a live line with rate and time left on a terminal, plain lines otherwise."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from index.build.builder import StageProgress

# Not on a terminal (a log file, CI), one line per stage at most this often, so logs stay short.
PLAIN_INTERVAL_S = 10.0
# A live line is redrawn at most this often; faster redraws cost time and flicker.
LIVE_INTERVAL_S = 0.2


def describe(event: StageProgress, elapsed_s: float) -> str:
    """One line about a stage: units done, rate and time left where they can be known."""
    if event.finished:
        speed = f", {event.done / elapsed_s:,.1f} {event.unit}/s" if elapsed_s > 0 and event.done else ""
        return f"{event.stage}: {event.done:,} {event.unit} in {elapsed_s:.1f} s{speed}"
    count = f"{event.done:,}/{event.total:,}" if event.total else f"{event.done:,}"
    line = f"{event.stage}: {count} {event.unit}"
    if event.done and elapsed_s > 0:
        rate = event.done / elapsed_s
        line += f", {rate:,.1f}/s"
        if event.total:
            line += f", {format_duration((event.total - event.done) / rate)} left"
    return line


def format_duration(seconds: float) -> str:
    """'45 s', '12 min 5 s' or '3 h 20 min': time left, coarse enough to read at a glance."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


class ProgressDisplay:
    """The build's Progress callback for the CLI: redraws one line on a TTY, prints periodic lines elsewhere."""

    def __init__(self, stream: TextIO, *, live: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._live = live
        self._clock = clock
        self._stage = ""
        self._started = 0.0
        self._shown = 0.0

    def __call__(self, event: StageProgress) -> None:
        now = self._clock()
        if event.stage != self._stage:
            self._stage, self._started, self._shown = event.stage, now, now
        finished = event.finished
        interval = LIVE_INTERVAL_S if self._live else PLAIN_INTERVAL_S
        if not finished and now - self._shown < interval:
            return
        self._shown = now
        line = describe(event, now - self._started)
        if self._live:
            self._stream.write(f"\r\x1b[K{line}" + ("\n" if finished else ""))
        else:
            self._stream.write(line + "\n")
        self._stream.flush()
