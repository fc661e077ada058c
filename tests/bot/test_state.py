"""No reader's work is lost: a full disk is retried and reported, damaged files are kept, state is private."""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.readers.state as state
from bot.readers.notebook import NotebookStore, Saved
from bot.readers.prefs import Prefs, PrefsStore
from bot.readers.state import install_secret
from bot.replies.commands import Commands
from bot.replies.query import Query
from bot.replies.questions import QuestionStore
from bot.replies.render import terminal_text
from tests.fakes import FakeEngine


class Disk:
    """Failure injection: while `full`, every state write fails the way a full disk does."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = False
        real = state.write_private

        def write(path: Path, data: bytes) -> None:
            if self.full:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            real(path, data)

        monkeypatch.setattr(state, "write_private", write)


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)  # the most permissive umask a service can be started with
    yield
    os.umask(old)


def test_a_save_the_disk_refused_is_reported_and_written_once_there_is_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = Disk(monkeypatch)
    path = tmp_path / "notebooks.json"
    commands = Commands(FakeEngine(), PrefsStore(None), notebook=NotebookStore(path))

    disk.full = True
    refused = terminal_text(commands.save("7", "001_744f9100ef1c3714:0").layout)
    disk.full = False
    commands.save("7", "001_744f9100ef1c3714:1")

    assert "暂时无法写入磁盘" in refused
    assert [e.chunk_id for e in NotebookStore(path).entries("7")] == ["001_744f9100ef1c3714:0",
                                                                      "001_744f9100ef1c3714:1"]


def test_saving_the_same_passage_again_retries_the_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = Disk(monkeypatch)
    path = tmp_path / "notebooks.json"
    store = NotebookStore(path)

    disk.full = True
    first = store.add("7", Saved("a:1", digest="d"))
    disk.full = False
    second = store.add("7", Saved("a:1", digest="d"))

    assert (first, second) == ("saved_in_memory", "already_saved")
    assert NotebookStore(path).entries("7") == [Saved("a:1", digest="d")]


def test_questions_written_after_a_full_disk_include_those_asked_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "questions.jsonl"
    store = QuestionStore(path, secret=b"s" * 32)
    first = store.remember(Query("红色物业", None))
    real_append = state.append_private

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("bot.replies.questions.append_private", full)
    during = store.remember(Query("网格化", None))
    monkeypatch.setattr("bot.replies.questions.append_private", real_append)
    after = store.remember(Query("快递骑手", None))

    reopened = QuestionStore(path, secret=b"s" * 32)
    assert [reopened.recall(k) for k in (first, during, after)] == [
        Query("红色物业", None), Query("网格化", None), Query("快递骑手", None)]


def test_state_files_and_folders_are_private_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    folder = tmp_path / "state"
    NotebookStore(folder / "notebooks.json").add("7", Saved("a:1"))
    PrefsStore(folder / "prefs.json").update("7", script="traditional")
    QuestionStore(folder / "questions.jsonl", secret=install_secret(folder)).remember(Query("红色物业", None))

    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.iterdir()]}

    assert modes == {"state": 0o700, "notebooks.json": 0o600, "prefs.json": 0o600, "questions.jsonl": 0o600,
                     "secret.key": 0o600}


def test_a_bogus_preference_falls_back_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "prefs.json"
    path.write_text(json.dumps({"7": {"script": "klingon", "language": "fr", "last_script": "simplified"}}),
                    encoding="utf-8")

    with caplog.at_level(logging.WARNING):
        prefs = PrefsStore(path)
    commands = Commands(FakeEngine(), prefs)
    reply = terminal_text(commands.script("7", "").layout)

    assert prefs.get("7") == Prefs(script="auto", language="", last_script="simplified")
    assert reply.startswith("引文字体")
    assert sum("not one of" in r.getMessage() for r in caplog.records) == 2


def test_an_unreadable_state_file_is_never_overwritten_even_when_it_cannot_be_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notebooks.json"
    path.write_text("{broken", encoding="utf-8")

    def refuse(*args: object) -> None:
        raise OSError(errno.EACCES, "denied")

    monkeypatch.setattr(state.os, "link", refuse)
    store = NotebookStore(path)
    store.add("7", Saved("a:1"))

    assert path.read_text(encoding="utf-8") == "{broken"
