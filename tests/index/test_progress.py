"""The build's progress display: a live line with rate and time left on a terminal, sparse plain lines elsewhere."""

from __future__ import annotations

import io

import pytest

from index.build.builder import StageProgress
from index.build.progress import ProgressDisplay, describe, format_duration


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_running_stage_shows_rate_and_time_left() -> None:
    line = describe(StageProgress("embed", 50, 150, "passages"), elapsed_s=10.0)

    assert line == "embed: 50/150 passages, 5.0/s, 20 s left"


def test_finished_stage_shows_count_time_and_rate() -> None:
    line = describe(StageProgress("embed", 150, 150, "passages", finished=True), elapsed_s=30.0)

    assert line == "embed: 150 passages in 30.0 s, 5.0 passages/s"


def test_stage_of_unknown_size_shows_count_without_time_left() -> None:
    assert describe(StageProgress("read", 40, 0, "files"), elapsed_s=4.0) == "read: 40 files, 10.0/s"


@pytest.mark.parametrize(("seconds", "text"), [(42.4, "42 s"), (725, "12 min 5 s"), (12_000, "3 h 20 min")])
def test_durations_read_at_a_glance(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_plain_output_prints_periodic_lines_and_each_stage_end() -> None:
    out, clock = io.StringIO(), Clock()
    display = ProgressDisplay(out, live=False, clock=clock)

    display(StageProgress("embed", 0, 240, "passages"))
    for done in range(1, 240):
        clock.now += 0.125  # 30 s in all: periodic lines at 10 s and 20 s, then the end
        display(StageProgress("embed", done, 240, "passages"))
    clock.now += 0.125
    display(StageProgress("embed", 240, 240, "passages", finished=True))

    assert out.getvalue().splitlines() == [
        "embed: 80/240 passages, 8.0/s, 20 s left",
        "embed: 160/240 passages, 8.0/s, 10 s left",
        "embed: 240 passages in 30.0 s, 8.0 passages/s",
    ]


def test_terminal_output_redraws_one_line_per_stage() -> None:
    out, clock = io.StringIO(), Clock()
    display = ProgressDisplay(out, live=True, clock=clock)

    for done in range(0, 4):
        clock.now += 1.0
        display(StageProgress("chunk", done, 3, "reports", finished=done == 3))

    assert out.getvalue().count("\r") == 3 and out.getvalue().endswith("reports/s\n")
