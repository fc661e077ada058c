"""QuestionStore: "more results" keys survive a restart, and the file stays bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.replies.query import Query
from bot.replies.questions import QuestionStore

SECRET = b"k" * 32


def test_keys_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    key = QuestionStore(path, secret=SECRET).remember(Query("红色物业", "栖霞区"))

    assert QuestionStore(path, secret=SECRET).recall(key) == Query("红色物业", "栖霞区")


def test_only_the_newest_questions_are_kept_and_the_file_is_compacted(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    store = QuestionStore(path, max_entries=3, secret=SECRET)

    keys = [store.remember(Query(f"问题{i}", None)) for i in range(10)]

    assert store.recall(keys[0]) is None and store.recall(keys[-1]) == Query("问题9", None)
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 6
    reloaded = QuestionStore(path, max_entries=3, secret=SECRET)
    assert [reloaded.recall(k) is not None for k in keys[-3:]] == [True, True, True]


def test_a_damaged_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text('not json\n{"key": "abc", "question": "网格", "place": null}\n', encoding="utf-8")

    assert QuestionStore(path, secret=SECRET).recall("abc") == Query("网格", None)


def test_questions_past_their_retention_are_forgotten(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    now = [1_000_000.0]
    store = QuestionStore(path, retention_days=1, clock=lambda: now[0], secret=SECRET)
    key = store.remember(Query("网格", None))

    now[0] += 2 * 24 * 3600

    assert store.recall(key) is None
    assert QuestionStore(path, retention_days=1, clock=lambda: now[0], secret=SECRET).recall(key) is None


def test_a_line_holds_only_what_a_button_needs(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"

    QuestionStore(path, clock=lambda: 1_700_000_000.0, secret=SECRET).remember(Query("红色物业", "栖霞区"))

    assert path.read_text(encoding="utf-8") == (
        '{"key": "%s", "question": "红色物业", "place": "栖霞区", "t": 1700000000}\n'
        % QuestionStore(None, secret=SECRET).remember(Query("红色物业", "栖霞区"))
    )


def test_a_file_cut_mid_character_loses_only_its_last_line(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    store = QuestionStore(path, secret=SECRET)
    first = store.remember(Query("红色物业", None))
    store.remember(Query("快递骑手", None))
    path.write_bytes(path.read_bytes()[:-8])

    assert QuestionStore(path, secret=SECRET).recall(first) == Query("红色物业", None)


def test_an_unwritable_state_folder_keeps_answers_going_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    store = QuestionStore(blocker / "questions.jsonl", secret=SECRET)

    keys = [store.remember(Query(f"问题{i}", None)) for i in range(3)]

    assert [store.recall(k) for k in keys] == [Query(f"问题{i}", None) for i in range(3)]
    assert sum("will not survive a restart" in r.message for r in caplog.records) == 1


def test_an_unreadable_file_starts_an_empty_store(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "questions.jsonl"
    folder.mkdir()  # a folder where the file should be: reading it fails

    store = QuestionStore(folder, secret=SECRET)

    assert store.recall("abc") is None
    assert store.remember(Query("网格", None))
    assert any("will not survive a restart" in r.message for r in caplog.records)
