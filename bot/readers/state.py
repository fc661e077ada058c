"""One small JSON state file of the bot (settings, notebooks): atomic writes, memory only when unwritable."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class JsonStateFile:
    """A JSON file rewritten whole on each change; None as path, or an unwritable folder, keeps it in memory."""

    def __init__(self, path: Path | None, what: str) -> None:
        self.path = path
        self._what = what  # for log lines: "settings", "notebooks"

    def read(self) -> Any:
        """The stored value, or None when there is none; ValueError or OSError when it cannot be read."""
        if self.path is None or not self.path.exists():
            return None
        return json.loads(self.path.read_text(encoding="utf-8"))

    def set_aside(self, error: Exception) -> None:
        """Move an unreadable file to <name>.damaged for a person to look at, never writing over it."""
        assert self.path is not None
        logger.error("%s file %s is unreadable (%s); kept as %s.damaged", self._what, self.path, error, self.path.name)
        try:
            os.replace(self.path, self.path.with_name(self.path.name + ".damaged"))
        except OSError:
            self.path = None

    def write(self, value: Any) -> None:
        """Replace the file's content atomically: a reader never sees a half-written file."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            staging = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            staging.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
            os.replace(staging, self.path)
        except OSError as error:  # an unwritable state folder must not stop answers
            logger.warning("cannot write %s (%s); %s are kept in memory only", self.path, error.strerror or error,
                           self._what)
            self.path = None
