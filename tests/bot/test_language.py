"""One language per reader: from Telegram's language_code or /language, for every label, help text and error."""

from __future__ import annotations

import json
import re
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.replies.i18n import language_from_code
from tests.fakes import FakeBotApi, callback_payload, text_message_payload

App = Application[Any, Any, Any, Any, Any, Any]
HAN = re.compile(r"[\u3400-\u9fff]")
ENGLISH_USER = {"id": 8, "is_bot": False, "first_name": "Ann", "language_code": "en-GB"}


def from_english_user(payload: dict[str, Any]) -> dict[str, Any]:
    for kind in ("message", "callback_query"):
        if kind in payload:
            payload[kind]["from"] = ENGLISH_USER
    return payload


async def send(app: App, payload: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(payload, app.bot))


def labels_only(html: str) -> str:
    """The reply without report text: passages (blockquotes), titles 《…》 and bold citation lines."""
    html = re.sub(r"<blockquote[^>]*>.*?</blockquote>|^» .*$", "", html, flags=re.S | re.M)
    return re.sub(r"《[^》]*》|<i>[^<]*</i>", "", html)


def test_language_comes_from_the_telegram_language_code() -> None:
    assert [language_from_code(c) for c in ("zh-hans", "zh-TW", "en", "en-GB", "de", None)] == [
        "zh", "zh", "en", "en", "en", "zh"]


async def test_an_english_reader_gets_english_labels_buttons_and_glosses(app: App, api: FakeBotApi) -> None:
    await send(app, from_english_user(text_message_payload("红色物业 网格化 快递骑手")))

    (reply,) = api.sent()
    labels = labels_only(reply["text"])
    assert "<b>Question: </b>" in labels and "<i>1–2 of 3</i>" in reply["text"]
    assert "<b>Key terms: </b>" in reply["text"] and "红色物业 red property management" in reply["text"]
    assert not HAN.search(re.sub(r"Question: </b>[^\n]*|Key terms: </b>[^\n]*", "", labels))
    buttons = [label for row in json.loads(reply["reply_markup"])["inline_keyboard"] for label in
               (b["text"] for b in row)]
    assert buttons[:3] == ["[1] context", "[1] cite", "[1] save"] and buttons[-1].startswith("More ▸")


async def test_an_english_abstention_glosses_the_topics_it_suggests(app: App, api: FakeBotApi) -> None:
    await send(app, from_english_user(text_message_payload("What is the boiling point of mercury?")))

    (text,) = api.sent_texts()
    assert text.startswith("<b>Nothing in the reports answers this question.</b>")
    assert "红色物业 (red property management)" in text and "可以" not in text


async def test_language_command_switches_help_and_errors_to_english(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("/language en"))
    await send(app, text_message_payload("/help", update_id=2))
    await send(app, text_message_payload("/place 火星", update_id=3))

    switched, help_text, error = api.sent_texts()
    assert switched == "Language: English. /language zh for Chinese."
    help_lines = [line for line in help_text.split("\n") if not line.startswith(("<b>Places", "<b>Topics"))]
    assert help_lines and not any(HAN.search(line) for line in help_lines)
    assert error == "The reports say nothing about “火星”. Send /places to see the places they cover."


async def test_an_english_readers_cite_and_notebook_replies_are_english(app: App, api: FakeBotApi) -> None:
    await send(app, from_english_user(callback_payload("q|002_bcc05597e0a5e93c:2")))
    await send(app, from_english_user(callback_payload("s|002_bcc05597e0a5e93c:2")))

    cite, saved = api.sent_texts()
    assert cite.startswith("<b>Quote</b>") and "<b>Reference (GB/T 7714—2015)</b>" in cite
    assert saved == "Saved; the notebook holds 1. /notebook to see it, /export to export it."


async def test_the_command_menu_is_set_in_chinese_and_in_english(app: App, api: FakeBotApi) -> None:
    await app.post_init(app)  # type: ignore[misc]

    menus = [(params.get("language_code", ""), json.loads(params["commands"])) for method, params in api.calls
             if method == "setMyCommands"]
    assert [code for code, _ in menus] == ["", "en"]
    assert {c["command"] for c in menus[0][1]} == {c["command"] for c in menus[1][1]}
    assert not any(HAN.search(c["description"]) for c in menus[1][1])
