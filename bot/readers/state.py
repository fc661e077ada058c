"""The bot's state files on disk (settings, notebooks, questions, the install secret): private, atomic,
retried after a full disk, and never overwritten when damaged."""

from __future__ import annotations

import datetime
import itertools
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# Readers' questions and notebooks are theirs alone: owner-only, whatever the process umask says.
DIR_MODE = 0o700
FILE_MODE = 0o600
SECRET_FILE = "secret.key"
SECRET_BYTES = 32

_staging = itertools.count()


def private_dir(path: Path) -> None:
    """Create a state folder (and its parents) and make it owner-only; OSError when that cannot be done."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        os.chmod(path, DIR_MODE)


def write_private(path: Path, data: bytes) -> None:
    """Replace a file's content atomically with an owner-only file; OSError (a full disk) leaves the old one."""
    private_dir(path.parent)
    staging = path.with_name(f".{path.name}.{os.getpid()}.{next(_staging)}.tmp")
    try:
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # a full disk shows here, not after the rename
        os.replace(staging, path)
    except OSError:
        staging.unlink(missing_ok=True)
        raise


def append_private(path: Path, data: bytes) -> None:
    """Append to an owner-only file, creating it so."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    with os.fdopen(fd, "ab") as file:
        os.fchmod(file.fileno(), FILE_MODE)
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def set_aside(path: Path) -> Path:
    """Move a damaged file to a name of its own (<name>.damaged-<time>[-n]), never over an earlier one."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for n in itertools.count():
        target = path.with_name(f"{path.name}.damaged-{stamp}" + (f"-{n}" if n else ""))
        try:
            os.link(path, target)  # fails if the target exists: an earlier damaged copy is never replaced
        except FileExistsError:
            continue
        path.unlink()
        return target
    raise AssertionError("unreachable")


def install_secret(state_dir: Path) -> bytes:
    """This installation's secret key (created on first use), kept in the state folder; a fresh one in
    memory when the folder cannot hold it (buttons then do not outlive a restart)."""
    path = state_dir / SECRET_FILE
    try:
        data = path.read_bytes()
        if len(data) >= SECRET_BYTES:
            return data
    except FileNotFoundError:
        pass
    except OSError as error:
        logger.warning("cannot read %s (%s); a new secret is used until restart", path, error.strerror or error)
        return secrets.token_bytes(SECRET_BYTES)
    key = secrets.token_bytes(SECRET_BYTES)
    try:
        write_private(path, key)
    except OSError as error:
        logger.warning("cannot write %s (%s); buttons will not survive a restart", path, error.strerror or error)
    return key


class JsonStateFile:
    """A JSON file rewritten whole on each change; None as path keeps it in memory.

    A failed write (a full disk, a read-only folder) is reported to the caller and retried on the next
    change, so a reader's saves reach the disk as soon as there is room again.
    """

    def __init__(self, path: Path | None, what: str) -> None:
        self.path = path
        self._what = what  # for log lines: "settings", "notebooks"
        self.unsaved = False  # the last write failed: memory holds changes the file lacks

    def read(self) -> Any:
        """The stored value, or None when there is none; ValueError or OSError when it cannot be read."""
        if self.path is None or not self.path.exists():
            return None
        return json.loads(self.path.read_text(encoding="utf-8"))

    def set_aside(self, error: Exception) -> None:
        """Move an unreadable file aside under a unique name for a person to look at, never writing over it."""
        assert self.path is not None
        try:
            kept = set_aside(self.path)
        except OSError as move_error:
            logger.error("%s file %s is unreadable (%s) and could not be moved aside (%s); %s are kept in "
                         "memory only so it is not overwritten", self._what, self.path, error,
                         move_error.strerror or move_error, self._what)
            self.path = None
            return
        logger.error("%s file %s is unreadable (%s); kept as %s", self._what, self.path, error, kept.name)

    def write(self, value: Any) -> bool:
        """Replace the file's content atomically; False when it could not be written (kept in memory, retried)."""
        if self.path is None:
            return True
        try:
            write_private(self.path, json.dumps(value, ensure_ascii=False).encode("utf-8"))
        except OSError as error:  # an unwritable state folder must not stop answers
            logger.warning("cannot write %s (%s); %s are kept in memory and written at the next change",
                           self.path, error.strerror or error, self._what)
            self.unsaved = True
            return False
        if self.unsaved:
            logger.info("%s written to %s again", self._what, self.path)
        self.unsaved = False
        return True
