"""The notebook: saving passages from answers, listing them, exporting them, in Telegram and the terminal."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import httpx
import rispy
from telegram import Update
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.telegram_bot.app import build_application
from bot.readers.notebook import MAX_SAVED, NotebookStore, Saved
from bot.settings import BotSettings
from bot.terminal.chat import run_chat
from tests.fakes import FakeBotApi, FakeEngine, callback_payload, text_message_payload

App = Application[Any, Any, Any, Any, Any, Any]


async def send(app: App, payload: dict[str, object]) -> None:
    await app.process_update(Update.de_json(payload, app.bot))


def test_notebooks_are_per_user_without_duplicates_and_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "notebooks.json"
    store = NotebookStore(path)
    first = store.add("7", Saved("a:1", "问题", "2026-11-26"))
    again = store.add("7", Saved("a:1", "问题", "2026-11-27"))
    store.add("8", Saved("b:2"))

    reopened = NotebookStore(path)

    assert (first, again) == ("saved", "already_saved")
    assert reopened.entries("7") == [Saved("a:1", "问题", "2026-11-26")]
    assert reopened.entries("8") == [Saved("b:2")]


def test_a_full_notebook_refuses_more() -> None:
    store = NotebookStore(None)
    for n in range(MAX_SAVED):
        store.add("7", Saved(f"a:{n}"))

    assert store.add("7", Saved("a:new")) == "notebook_full" and len(store.entries("7")) == MAX_SAVED


def test_an_unreadable_notebooks_file_is_kept_aside_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "notebooks.json"
    path.write_text("{broken", encoding="utf-8")

    store = NotebookStore(path)
    store.add("7", Saved("a:1"))

    (kept,) = tmp_path.glob("notebooks.json.damaged-*")
    assert kept.read_text(encoding="utf-8") == "{broken"
    assert NotebookStore(path).entries("7") == [Saved("a:1")]


def test_a_second_damaged_notebooks_file_never_replaces_the_first_copy(tmp_path: Path) -> None:
    path = tmp_path / "notebooks.json"
    for broken in ("{first", "{second"):
        path.write_text(broken, encoding="utf-8")
        NotebookStore(path)

    kept = sorted(p.read_text(encoding="utf-8") for p in tmp_path.glob("notebooks.json.damaged-*"))
    assert kept == ["{first", "{second"]


async def test_save_button_notebook_and_export_through_telegram(
    app: App, api: FakeBotApi, engine: FakeEngine, bot_settings: BotSettings
) -> None:
    await send(app, text_message_payload("红色物业 网格化 快递骑手"))
    saves = [data for label, data in api.buttons() if label.endswith("收藏")]
    for data in saves:
        await send(app, callback_payload(data))
    await send(app, callback_payload(saves[0]))
    await send(app, text_message_payload("/notebook"))
    await send(app, text_message_payload("/export"))

    texts = api.sent_texts()
    assert [data.rsplit("|", 1)[0] for data in saves] == ["s|002_bcc05597e0a5e93c:0", "s|002_bcc05597e0a5e93c:1"]
    assert texts[1:4] == ["已收藏，笔记本里现有 1 段。/notebook 查看，/export 导出。",
                          "已收藏，笔记本里现有 2 段。/notebook 查看，/export 导出。",
                          "这段已经在笔记本里了。/notebook 查看。"]
    assert "<b>笔记本：2 段</b>" in texts[4]
    assert [name.rsplit(".", 1)[1] for name, _ in api.files] == ["docx", "md", "ris", "json"]
    docx_bytes = api.files[0][1]
    footnotes = zipfile.ZipFile(io.BytesIO(docx_bytes)).read("word/footnotes.xml").decode()
    # Two quotes of one work, numeric system: one footnote, numbered as its reference, cited twice.
    assert footnotes.count("[J/OL]. 四川党的建设, 2022[") == 1
    assert [e["type_of_reference"] for e in rispy.loads(api.files[2][1].decode())] == ["JOUR"]


async def test_the_notebook_survives_a_restart_and_is_per_user(
    app: App, api: FakeBotApi, engine: FakeEngine, bot_settings: BotSettings
) -> None:
    await send(app, callback_payload("s|001_744f9100ef1c3714:1"))

    restarted_api = FakeBotApi()
    restarted = build_application(engine, bot_settings,
                                  request=HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(restarted_api)}))
    async with restarted:
        await send(restarted, text_message_payload("/notebook"))
        other = text_message_payload("/notebook", update_id=5)
        other["message"]["from"] = {"id": 99, "is_bot": False, "first_name": "Bo"}  # type: ignore[index]
        await send(restarted, other)
    assert "笔记本：1 段" in restarted_api.sent_texts()[0]
    assert restarted_api.sent_texts()[1].startswith("笔记本是空的")


async def test_export_of_an_empty_notebook_sends_no_files(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("/export"))

    assert api.sent_texts() == ["笔记本是空的，没有可导出的段落。"] and api.files == []


def test_terminal_saves_by_number_and_writes_the_export_files(tmp_path: Path) -> None:
    stdout = io.StringIO()
    lines = ["快遞騎手黨支部", "/save 1", "/notebook", f"/export {tmp_path / 'out'}"]

    run_chat(FakeEngine(), stdin=io.StringIO("\n".join(lines) + "\n"), stdout=stdout, page_size=2)

    output = stdout.getvalue()
    assert "已收藏，筆記本里現有 1 段。" in output  # a Traditional question: replies in Traditional
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".docx", ".json", ".md", ".ris"]
    assert str(tmp_path / "out") in output
