"""QuestionStore: "more results" keys survive a restart, and the file stays bounded."""

from __future__ import annotations

from pathlib import Path

from bot.query import Query
from bot.store import QuestionStore


def test_keys_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    key = QuestionStore(path).remember(Query("红色物业", "栖霞区"))

    assert QuestionStore(path).recall(key) == Query("红色物业", "栖霞区")


def test_only_the_newest_questions_are_kept_and_the_file_is_compacted(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    store = QuestionStore(path, max_entries=3)

    keys = [store.remember(Query(f"问题{i}", None)) for i in range(10)]

    assert store.recall(keys[0]) is None and store.recall(keys[-1]) == Query("问题9", None)
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 6
    reloaded = QuestionStore(path, max_entries=3)
    assert [reloaded.recall(k) is not None for k in keys[-3:]] == [True, True, True]


def test_a_damaged_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text('not json\n{"key": "abc", "question": "网格", "place": null}\n', encoding="utf-8")

    assert QuestionStore(path).recall("abc") == Query("网格", None)
