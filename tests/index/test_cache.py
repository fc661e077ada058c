"""Derived tables in var/cache: reused for the same source, rebuilt for another, optional when unwritable."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from index.text.cache import cached_array, cached_json


def test_same_source_reads_the_file_instead_of_building(tmp_path: Path) -> None:
    built: list[int] = []

    def build() -> dict[str, list[str]]:
        built.append(1)
        return {"nanshan": ["南山区"]}

    first = cached_json("places", "v1", build, folder=tmp_path)
    again = cached_json("places", "v1", build, folder=tmp_path)
    other = cached_json("places", "v2", build, folder=tmp_path)

    assert first == again == other == {"nanshan": ["南山区"]}
    assert len(built) == 2  # v1 once, v2 once
    assert len(list(tmp_path.glob("places-*.json"))) == 2


def test_arrays_come_back_memory_mapped_and_readable_by_others(tmp_path: Path) -> None:
    cached_array("table", "v1", lambda: np.arange(5, dtype=np.int64), folder=tmp_path)

    again = cached_array("table", "v1", lambda: np.zeros(1), folder=tmp_path)

    assert isinstance(again, np.memmap) and again.tolist() == [0, 1, 2, 3, 4]
    assert [oct(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()] == ["0o644"]


def test_a_damaged_file_is_rebuilt(tmp_path: Path) -> None:
    cached_json("places", "v1", lambda: [1], folder=tmp_path)
    next(tmp_path.glob("places-*.json")).write_text("{not json", encoding="utf-8")

    assert cached_json("places", "v1", lambda: [2], folder=tmp_path) == [2]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_unwritable_folder_only_costs_the_time(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        assert cached_json("places", "v1", lambda: [1], folder=tmp_path) == [1]
    finally:
        tmp_path.chmod(0o755)


def test_folder_that_is_a_file_only_costs_the_time(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("", encoding="utf-8")

    assert cached_array("table", "v1", lambda: np.ones(2), folder=blocker).tolist() == [1.0, 1.0]
