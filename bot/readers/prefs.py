"""Each reader's settings (script of quotes, language), kept on disk so they survive restarts."""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from bot.readers.state import JsonStateFile
from index.text.script import SCRIPT_CHOICES

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Prefs:
    """One reader's settings; "" means not chosen yet."""

    script: str = "auto"  # index.text.script.SCRIPT_CHOICES
    last_script: str = ""  # script of the reader's last Chinese question, for "auto" replies to buttons
    language: str = ""  # "zh" or "en"; "" until chosen or guessed from Telegram's language_code


# The values each setting may hold; anything else in the file (edited by hand, an older version) falls back.
ALLOWED: dict[str, frozenset[str]] = {
    "script": frozenset(SCRIPT_CHOICES),
    "last_script": frozenset(SCRIPT_CHOICES) | {""},
    "language": frozenset({"zh", "en", ""}),
}


def _valid(user: str, values: dict[str, str]) -> Prefs:
    """Prefs from stored values, each one that is not allowed replaced by its default, with a warning."""
    defaults = Prefs()
    for name, allowed in ALLOWED.items():
        if name in values and values[name] not in allowed:
            logger.warning("reader %s: stored %s %r is not one of %s; using %r", user, name, values[name][:20],
                           sorted(allowed), getattr(defaults, name))
            values[name] = getattr(defaults, name)
    return Prefs(**values)


class PrefsStore:
    """Settings per user id in one JSON file, rewritten atomically on each change (None: memory only)."""

    def __init__(self, path: Path | None) -> None:
        self._file = JsonStateFile(path, "settings")
        self._lock = threading.Lock()
        self._prefs: dict[str, Prefs] = {}
        try:
            table = self._file.read() or {}
            known = {f.name for f in fields(Prefs)}
            self._prefs = {str(user): _valid(str(user), {k: str(v) for k, v in values.items() if k in known})
                           for user, values in table.items()}
        except (OSError, ValueError, TypeError, AttributeError) as error:
            self._file.set_aside(error)

    def get(self, user: str) -> Prefs:
        """The settings of a user (defaults for one never seen)."""
        with self._lock:
            return self._prefs.get(user, Prefs())

    def update(self, user: str, **changes: str) -> Prefs:
        """Change some settings of a user and save; returns the new settings."""
        if "script" in changes and changes["script"] not in SCRIPT_CHOICES:
            raise ValueError(f"unknown script choice {changes['script']!r}")
        with self._lock:
            new = replace(self._prefs.get(user, Prefs()), **changes)
            if new == self._prefs.get(user):
                return new
            self._prefs[user] = new
            self._file.write({u: asdict(p) for u, p in self._prefs.items()})
            return new
