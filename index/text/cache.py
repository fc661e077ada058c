"""Tables derived from installed packages (word statistics, place names in pinyin), kept in var/cache.

Deriving them takes a fraction of a second each, which a one-shot `ask` and a bot's first question
would otherwise pay on every start; read back from here they cost milliseconds. Each file's name
carries a digest of what it was derived from, so a new package version or a changed rule writes a
new file instead of serving a stale one. A cache folder that cannot be written only costs the time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.settings import HOME

logger = logging.getLogger(__name__)

CACHE_DIR = HOME / "var" / "cache"


def _path(name: str, source: str, suffix: str, folder: Path) -> Path:
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
    return folder / f"{name}-{digest}{suffix}"


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        try:
            write(Path(temporary))
            os.chmod(temporary, 0o644)  # mkstemp makes it 0600; the bot may run as another user
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError as error:  # read-only install: the table stays in memory for this process
        logger.info("not caching %s: %s", path.name, error)


def cached_json(name: str, source: str, build: Callable[[], Any], folder: Path = CACHE_DIR) -> Any:
    """build()'s JSON-able value, read from the cache when the same source made it before."""
    path = _path(name, source, ".json", folder)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    value = build()

    def write(out: Path) -> None:
        out.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")

    _write_atomically(path, write)
    return value


def cached_array(name: str, source: str, build: Callable[[], npt.NDArray[Any]],
                 folder: Path = CACHE_DIR) -> npt.NDArray[Any]:
    """build()'s array, memory-mapped from the cache when the same source made it before."""
    path = _path(name, source, ".npy", folder)
    try:
        mapped: npt.NDArray[Any] = np.load(path, mmap_mode="r", allow_pickle=False)
        return mapped
    except (OSError, ValueError):
        pass
    value = build()

    def write(out: Path) -> None:
        with out.open("wb") as file:
            np.save(file, value, allow_pickle=False)

    _write_atomically(path, write)
    return value
