"""How the terminal chat reads a line: readline editing, history and completion on a terminal, plain reads
from a pipe; and whether it may colour its output."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, TextIO

logger = logging.getLogger(__name__)

HISTORY_LINES = 1000  # questions kept across sessions: weeks of use, a few tens of kB
COMMANDS = ("/help", "/sources", "/places", "/place", "/context", "/cite", "/save", "/notebook", "/export",
            "/script", "/language", "/quit", "more")
_ARGUMENTS = {"/script": ("auto", "简体", "繁体", "原文"), "/language": ("zh", "en"), "/notebook": ("clear",)}


class LineReader(Protocol):
    """Where the chat's input lines come from."""

    def read(self, prompt: str) -> str | None:
        """The next line without its newline, or None at the end of input."""
        ...

    def close(self) -> None:
        """Keep what should outlive the session (history)."""
        ...


class StreamReader:
    """Lines from a stream (a pipe, a file, a test), echoing the prompt only when asked."""

    def __init__(self, stdin: TextIO, stdout: TextIO, *, show_prompt: bool) -> None:
        self._stdin, self._stdout, self._show_prompt = stdin, stdout, show_prompt

    def read(self, prompt: str) -> str | None:
        if self._show_prompt:
            self._stdout.write(prompt)
            self._stdout.flush()
        line = self._stdin.readline()
        return line.rstrip("\n") if line else None

    def close(self) -> None:
        return None


class ReadlineReader:
    """A person at a terminal: line editing, history kept in a file, Tab completion of commands and places."""

    def __init__(self, history: Path | None, complete: Callable[[str, str], list[str]]) -> None:
        import readline  # stdlib, but absent on some platforms: imported only for a terminal

        self._readline = readline
        self._history = history
        self._complete = complete
        self._matches: list[str] = []
        readline.set_completer_delims(" \t\n")
        readline.set_completer(self._completer)
        readline.parse_and_bind("tab: complete")
        if history is not None and history.exists():
            try:
                readline.read_history_file(history)
            except OSError as error:
                logger.warning("could not read the chat history %s: %s", history, error)

    def _completer(self, word: str, state: int) -> str | None:
        if state == 0:
            self._matches = self._complete(self._readline.get_line_buffer(), word)
        return self._matches[state] if state < len(self._matches) else None

    def read(self, prompt: str) -> str | None:
        try:
            return input(prompt)
        except EOFError:
            return None

    def close(self) -> None:
        if self._history is None:
            return
        try:
            self._history.parent.mkdir(parents=True, exist_ok=True)
            self._readline.set_history_length(HISTORY_LINES)
            self._readline.write_history_file(self._history)
        except OSError as error:
            logger.warning("could not keep the chat history in %s: %s", self._history, error)


def completions(line: str, word: str, *, places: Sequence[str]) -> list[str]:
    """What Tab offers for the word being typed: a command first, then a place or a setting after it."""
    parts = line.lstrip().split(" ")
    if len(parts) <= 1:
        return [c + " " for c in COMMANDS if c.startswith(word)] if word.startswith(("/", "m")) else []
    command = parts[0].lower()
    if len(parts) == 2 and command == "/place":
        return [p + " " for p in places if p.startswith(word)]
    if len(parts) == 2 and command in _ARGUMENTS:
        return [a for a in _ARGUMENTS[command] if a.startswith(word)]
    return []


def use_colour(is_terminal: bool, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org)."""
    return is_terminal and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"
