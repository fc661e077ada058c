"""The terminal's input side: Tab completion, colour rules, and a clean Ctrl-C."""

from __future__ import annotations

import io

import pytest

from bot.terminal.line_input import completions, use_colour
from bot.terminal.chat import run_chat
from tests.fakes import FakeEngine

PLACES = ["南山区", "南京市", "栖霞区"]


@pytest.mark.parametrize(
    ("line", "word", "expected"),
    [
        pytest.param("/pl", "/pl", ["/places ", "/place "], id="command"),
        pytest.param("/place 南", "南", ["南山区 ", "南京市 "], id="place-name"),
        pytest.param("/script ", "", ["auto", "简体", "繁体", "原文"], id="script-choices"),
        pytest.param("/language e", "e", ["en"], id="language"),
        pytest.param("红色物业 南", "南", [], id="inside-a-question"),
        pytest.param("/place 南山区 快", "快", [], id="after-the-place"),
    ],
)
def test_completions(line: str, word: str, expected: list[str]) -> None:
    assert completions(line, word, places=PLACES) == expected


@pytest.mark.parametrize(
    ("is_terminal", "environ", "expected"),
    [
        pytest.param(True, {}, True, id="terminal"),
        pytest.param(False, {}, False, id="pipe"),
        pytest.param(True, {"NO_COLOR": "1"}, False, id="no-color"),
        pytest.param(True, {"NO_COLOR": ""}, True, id="no-color-empty-is-unset"),
        pytest.param(True, {"TERM": "dumb"}, False, id="dumb-terminal"),
    ],
)
def test_colour_only_on_a_terminal_and_never_with_no_color(is_terminal: bool, environ: dict[str, str],
                                                           expected: bool) -> None:
    assert use_colour(is_terminal, environ) is expected


class InterruptingReader:
    """Types the given lines, then presses Ctrl-C at the prompt."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)
        self.closed = False

    def read(self, prompt: str) -> str | None:
        if not self.lines:
            raise KeyboardInterrupt
        return self.lines.pop(0)

    def close(self) -> None:
        self.closed = True


def test_ctrl_c_at_the_prompt_ends_the_chat_cleanly() -> None:
    stdout, reader = io.StringIO(), InterruptingReader("/sources")

    status = run_chat(FakeEngine(), stdin=io.StringIO(), stdout=stdout, reader=reader)

    assert status == 0 and reader.closed and "共 3 份报告" in stdout.getvalue()
    assert "Traceback" not in stdout.getvalue()


class SlowEngine(FakeEngine):
    """An engine whose first answer is interrupted by Ctrl-C."""

    interrupted = False

    def answer(self, question: str, **kwargs: object) -> object:  # type: ignore[override]
        if not self.interrupted:
            self.interrupted = True
            raise KeyboardInterrupt
        return super().answer(question, **kwargs)  # type: ignore[arg-type]


def test_ctrl_c_during_an_answer_abandons_it_and_the_chat_goes_on() -> None:
    stdout = io.StringIO()

    status = run_chat(SlowEngine(), stdin=io.StringIO("红色物业\n红色物业\n"), stdout=stdout)

    output = stdout.getvalue()
    assert status == 0 and output.startswith("（已中断）") and "[1]" in output
