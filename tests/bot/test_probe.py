"""The probe of benchmarks/telegram_probe.py holds: the real bot, several readers, a group and a channel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from index.settings import PROJECT_ROOT


@pytest.mark.slow
def test_every_probe_of_the_real_bot_through_the_emulator_holds(built_index_dir: Path) -> None:
    spec = importlib.util.spec_from_file_location("telegram_probe", PROJECT_ROOT / "benchmarks" / "telegram_probe.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    results = module.probe(built_index_dir)

    assert [(name, detail) for name, held, detail in results if not held] == []
    assert len(results) == 12
