"""Quotes stay as saved: notebooks keep their own copy, buttons find their passage after an edit, and a
reader is told when a report changed or vanished."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

from bot.readers.notebook import NotebookStore
from bot.readers.prefs import PrefsStore
from bot.replies.callbacks import decode_action
from bot.replies.commands import Commands
from bot.replies.query import Query
from bot.replies.render import terminal_text
from tests.fakes import FakeEngine

DOC = "002_bcc05597e0a5e93c"
TODAY = datetime.date(2026, 12, 1)


def commands(engine: FakeEngine, tmp_path: Path) -> Commands:
    return Commands(engine, PrefsStore(None), notebook=NotebookStore(tmp_path / "notebooks.json"), page_size=3)


def insert_paragraph(engine: FakeEngine, text: str) -> None:
    """The report gains a first paragraph: every passage id after it now names the next passage."""
    old = sorted((c for c in engine.chunks_by_id.values() if c.doc_id == DOC), key=lambda c: c.position)
    for chunk in old:
        del engine.chunks_by_id[chunk.chunk_id]
    moved = [dataclasses.replace(old[0], text=text, section="新增")] + old
    for position, chunk in enumerate(moved):
        chunk_id = f"{DOC}:{position}"
        engine.chunks_by_id[chunk_id] = dataclasses.replace(chunk, chunk_id=chunk_id, position=position)


def edit_passage(engine: FakeEngine, chunk_id: str, text: str) -> None:
    engine.chunks_by_id[chunk_id] = dataclasses.replace(engine.chunks_by_id[chunk_id], text=text)


def test_the_notebook_and_its_export_keep_the_text_as_saved_and_say_the_report_changed(tmp_path: Path) -> None:
    engine = FakeEngine()
    saved_text = engine.chunk(f"{DOC}:0").text
    cmds = commands(engine, tmp_path)
    cmds.save("7", f"{DOC}:0", today=TODAY)

    insert_paragraph(engine, "新插入的一段：与原文完全不同的内容。")
    reopened = commands(engine, tmp_path)  # after a restart too
    shown = terminal_text(reopened.show_notebook("7", surface="telegram").layout)
    reply, files = reopened.export("7", today=TODAY)

    assert saved_text[:20] in shown and "新插入的一段" not in shown
    assert "1 段的报告此后有改动" in shown
    markdown = next(f for f in files if f.name.endswith(".md")).data.decode()
    assert "组织参与基层治理，打造红色物业" in markdown and "新插入的一段" not in markdown
    assert "有改动" in terminal_text(reply.layout)


def test_a_saved_passage_outlives_its_report(tmp_path: Path) -> None:
    engine = FakeEngine()
    saved_text = engine.chunk(f"{DOC}:1").text
    cmds = commands(engine, tmp_path)
    cmds.save("7", f"{DOC}:1", today=TODAY)

    for chunk_id in [c for c in engine.chunks_by_id if c.startswith(DOC)]:
        del engine.chunks_by_id[chunk_id]
    del engine.documents_by_id[DOC]
    shown = terminal_text(cmds.show_notebook("7", surface="telegram").layout)
    _, files = cmds.export("7", today=TODAY)

    assert saved_text[:20] in shown and "1 段已不在索引中" in shown
    assert [f.name.rsplit(".", 1)[1] for f in files] == ["docx", "md", "ris", "json"]


def test_a_cite_button_finds_its_passage_after_a_paragraph_is_inserted_above_it(tmp_path: Path) -> None:
    engine = FakeEngine()
    cmds = commands(engine, tmp_path)
    _, reply = cmds.ask("7", Query("红色物业 小区 物业服务企业", None), key="k")
    cite = next(decode_action(b.data) for row in reply.buttons for b in row if b.data.startswith("q|"))
    assert cite is not None
    before = terminal_text(cmds.cite("7", cite.value, digest=cite.digest, today=TODAY).layout)

    insert_paragraph(engine, "新插入的一段：与原文完全不同的内容。")
    after = terminal_text(cmds.cite("7", cite.value, digest=cite.digest, today=TODAY).layout)

    assert after == before


def test_a_button_whose_passage_was_edited_says_so(tmp_path: Path) -> None:
    engine = FakeEngine()
    cmds = commands(engine, tmp_path)
    _, reply = cmds.ask("7", Query("红色物业 小区 物业服务企业", None), key="k")
    actions = [decode_action(b.data) for row in reply.buttons for b in row]
    cite = next(a for a in actions if a is not None and a.kind == "cite")
    save = next(a for a in actions if a is not None and a.kind == "save" and a.value == cite.value)

    edit_passage(engine, cite.value, "改写后的文字。")
    cited = terminal_text(cmds.cite("7", cite.value, digest=cite.digest, today=TODAY).layout)
    saved = terminal_text(cmds.save("7", save.value, digest=save.digest, today=TODAY).layout)

    assert cited.startswith("注意：这份报告在回答之后有改动") and "改写后的文字" in cited
    assert "没有收藏" in saved and cmds.notebook.entries("7") == []
