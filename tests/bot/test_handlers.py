"""The bot as a user meets it: updates through Application.process_update, Telegram faked at HTTP."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.readers.notebook import passage_digest
from bot.telegram_bot.app import build_application
from bot.settings import BotSettings
from tests.bot.telegram_html import telegram_html_problems
from tests.fakes import (
    BOT_USER,
    FailingEngine,
    FakeBotApi,
    FakeEngine,
    callback_payload,
    inline_query_payload,
    text_message_payload,
)

App = Application[Any, Any, Any, Any, Any, Any]


async def send(app: App, payload: dict[str, object]) -> None:
    await app.process_update(Update.de_json(payload, app.bot))


def assert_all_valid(api: FakeBotApi) -> None:
    texts = api.sent_texts()
    assert texts and [telegram_html_problems(t) for t in texts] == [[] for _ in texts]


async def test_question_is_answered_in_one_reply_quoting_it_with_numbered_citations(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("红色物业怎么建", message_id=55))

    (reply,) = api.sent()
    assert [m for m, _ in api.calls if m != "getMe"] == ["sendChatAction", "sendMessage"]
    assert "<b>[1] 《发挥“两新”组织优势 提升基层治理效能》</b>" in reply["text"]
    assert reply["parse_mode"] == "HTML"
    assert json.loads(reply["reply_parameters"])["message_id"] == 55
    assert_all_valid(api)


async def test_answer_has_context_cite_and_more_buttons_within_64_bytes(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("红色物业 网格化 快递骑手"))

    buttons = api.buttons()
    digest = passage_digest(FakeEngine().chunk("002_bcc05597e0a5e93c:0").text)[:8]
    assert buttons[:2] == [("[1] 上下文", f"c|002_bcc05597e0a5e93c:0|{digest}"),
                           ("[1] 引用", f"q|002_bcc05597e0a5e93c:0|{digest}")]
    assert buttons[-1][0].startswith("更多结果") and buttons[-1][1].startswith("m|2|")
    assert all(len(data.encode()) <= 64 for _, data in buttons)


async def test_more_results_pages_on_and_stops_at_the_last_result(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("红色物业 网格化 快递骑手"))
    more = api.buttons()[-1][1]

    await send(app, callback_payload(more, question="红色物业 网格化 快递骑手"))

    page2 = api.sent()[-1]
    assert "第 3–3 条，共 3 条" in page2["text"] and "[3]" in page2["text"]
    assert not any(label.startswith("更多结果") for label, _ in api.buttons())
    assert "answerCallbackQuery" in [m for m, _ in api.calls]


async def test_a_stale_more_button_past_the_end_says_there_are_no_more(app: App, api: FakeBotApi) -> None:
    await send(app, callback_payload("m|40|unknownkey00", question="红色物业"))

    assert api.sent_texts() == ["没有更多结果了。"]


async def test_more_button_still_works_after_a_restart(engine: FakeEngine, bot_settings: BotSettings) -> None:
    first_api, second_api = FakeBotApi(), FakeBotApi()
    async with _app(engine, bot_settings, first_api) as first:
        await send(first, text_message_payload("/place 天府新区 红色物业 两新"))
    more = first_api.buttons()[-1][1]

    async with _app(FakeEngine(), bot_settings, second_api) as second:
        await send(second, callback_payload(more, question=None))  # the quoted message is gone; the store remembers

    (text,) = second_api.sent_texts()
    assert "<b>地点：</b>天府新区" in text and "第 3–3 条，共 3 条" in text


async def test_context_button_shows_neighbouring_passages(app: App, api: FakeBotApi) -> None:
    await send(app, callback_payload("c|001_744f9100ef1c3714:1"))

    (text,) = api.sent_texts()
    # No question of this reader's is known yet: shown in Simplified, the default for "auto".
    assert "<b>▶ 所引段落</b>" in text and "深圳市南山区把党组织建在" in text and "社区推行“五邻营造”" in text
    assert_all_valid(api)


async def test_cite_button_gives_a_quotable_passage_and_gbt7714_reference(app: App, api: FakeBotApi) -> None:
    await send(app, callback_payload("q|002_bcc05597e0a5e93c:2"))

    (text,) = api.sent_texts()
    assert "<pre>“两新党建论坛的主题是引领 融合 发展。”" in text
    assert "刘艳梅. 发挥“两新”组织优势 提升基层治理效能[J/OL]. 四川党的建设, 2022[" in text


async def test_button_for_a_passage_no_longer_indexed_gets_a_polite_reply(app: App, api: FakeBotApi) -> None:
    await send(app, callback_payload("q|999_gone:1"))

    assert api.sent_texts() == ["找不到这段文字，索引可能已经更新，请重新提问。"]  # worded by the bot from the error's code


async def test_out_of_corpus_question_gets_an_abstention_suggesting_topics(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("What is the boiling point of mercury?"))

    (text,) = api.sent_texts()
    assert "报告里没有能回答这个问题的内容" in text and "红色物业、快递骑手" in text and "南山区" in text
    assert api.buttons() == []


async def test_empty_question_names_what_was_wrong(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("？？"))

    assert api.sent_texts() == ["请输入具体的问题，例如“南山区怎么发动快递骑手参与治理”。"]


async def test_ten_thousand_character_message_is_refused_as_too_long(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("治" * 10_000))

    assert api.sent_texts() == ["问题太长（10000 字），请精简到 2000 字以内。"]


async def test_message_full_of_html_gets_a_valid_escaped_reply(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload('<b>红色物业</b> <a href="x">&amp;</a> <script>'))

    assert "&lt;b&gt;红色物业&lt;/b&gt; &lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;" in api.sent_texts()[0]
    assert_all_valid(api)


async def test_engine_failure_is_logged_and_answered_politely(
    bot_settings: BotSettings, caplog: pytest.LogCaptureFixture
) -> None:
    api = FakeBotApi()

    async with _app(FailingEngine(), bot_settings, api) as app:
        await send(app, text_message_payload("红色物业"))

    (text,) = api.sent_texts()
    assert text.startswith("抱歉") and "exploded" not in text and "secret" not in text
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None and "database exploded" in str(record.exc_info[1])


@pytest.mark.parametrize("command", ["/start", "/help"])
async def test_start_and_help_say_what_the_bot_knows(app: App, api: FakeBotApi, command: str) -> None:
    await send(app, text_message_payload(command))

    (text,) = api.sent_texts()
    assert "3 份报告" in text and "南山区如何组织快递骑手参与基层治理？" in text and "Nanshan" not in text
    assert f"@{BOT_USER['username']} 红色物业" in text
    assert_all_valid(api)


async def test_sources_lists_every_report(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("/sources"))

    (text,) = api.sent_texts()
    # Titles are citation data: shown as the record has them (this fake record is in Traditional).
    assert "共 3 份报告" in text and "《在黨的全面領導下構建社會治理共同體》" in text
    assert_all_valid(api)


async def test_places_lists_counts_with_a_button_per_place(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("/places"))

    assert "南山区 — 1 份报告" in api.sent_texts()[0]
    assert ("南山區 (1)", "p|南山區") in api.buttons()


async def test_tapping_a_place_shows_its_practices_and_reports(app: App, api: FakeBotApi) -> None:
    await send(app, callback_payload("p|南山區"))

    (text,) = api.sent_texts()
    assert "<b>南山区</b>" in text and "“五邻营造”" in text and "《在黨的全面領導下構建社會治理共同體》" in text


async def test_place_command_with_a_short_name_shows_that_place(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("/place 南山"))

    assert "“五邻营造”" in api.sent_texts()[0]


async def test_place_command_with_a_question_limits_the_answer_to_that_place(
    app: App, api: FakeBotApi, engine: FakeEngine
) -> None:
    await send(app, text_message_payload("/place 南山 快遞騎手"))

    assert engine.questions == [("快遞騎手", "南山", 0)]
    assert "<b>地點：</b>南山區" in api.sent_texts()[0]  # a Traditional question: labels too


async def test_unknown_place_gets_a_clear_reply(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("/place 火星"))

    assert api.sent_texts() == ["报告中没有关于“火星”的内容。发送 /places 查看报告涉及的地方。"]


async def test_inline_query_offers_passages_with_citations(app: App, api: FakeBotApi) -> None:
    await send(app, inline_query_payload("红色物业"))

    ((method, params),) = [(m, p) for m, p in api.calls if m == "answerInlineQuery"]
    results = json.loads(params["results"])
    assert [r["id"] for r in results][:1] == ["002_bcc05597e0a5e93c:0"]
    assert results[0]["input_message_content"]["parse_mode"] == "HTML"
    assert "《发挥“两新”组织优势 提升基层治理效能》" in results[0]["input_message_content"]["message_text"]


async def test_inline_results_follow_the_readers_language_and_script(app: App, api: FakeBotApi) -> None:
    payload = inline_query_payload("红色物业")
    payload["inline_query"]["from"] = {**payload["inline_query"]["from"], "language_code": "en"}  # type: ignore[index]
    await send(app, payload)

    ((_, params),) = [(m, p) for m, p in api.calls if m == "answerInlineQuery"]
    inserted = json.loads(params["results"])[0]["input_message_content"]["message_text"]
    assert "Key terms: " in inserted
    assert "發揮" not in inserted  # an English reader with no script chosen reads Simplified


async def test_empty_inline_query_offers_nothing(app: App, api: FakeBotApi) -> None:
    await send(app, inline_query_payload("  "))

    ((_, params),) = [(m, p) for m, p in api.calls if m == "answerInlineQuery"]
    assert json.loads(params["results"]) == []


async def test_group_messages_are_answered_only_when_addressed(app: App, api: FakeBotApi, engine: FakeEngine) -> None:
    await send(app, text_message_payload("红色物业", chat_type="supergroup"))
    await send(app, text_message_payload("@ReportsBot 红色物业", chat_type="supergroup", update_id=5))

    assert engine.questions == [("红色物业", None, 0)]
    assert len(api.sent_texts()) == 1


def _app(engine: FakeEngine, settings: BotSettings, api: FakeBotApi) -> App:
    return build_application(engine, settings, request=HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(api)}))


async def test_a_traditional_question_gets_passages_and_labels_in_traditional(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("紅色物業怎麼建"))

    (text,) = api.sent_texts()
    # Labels and passages follow the reader; the title is citation data, kept as the record has it.
    assert "<b>問題：</b>紅色物業怎麼建" in text and "《发挥“两新”组织优势 提升基层治理效能》" in text


async def test_script_setting_applies_to_later_answers_and_survives_a_restart(
    app: App, api: FakeBotApi, engine: FakeEngine, bot_settings: BotSettings
) -> None:
    await send(app, text_message_payload("/script 简体"))
    await send(app, text_message_payload("快遞騎手"))

    assert "简体" in api.sent_texts()[0]
    assert "南山区成立快递骑手党支部" in api.sent_texts()[1]
    restarted_api = FakeBotApi()
    restarted = build_application(engine, bot_settings,
                                  request=HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(restarted_api)}))
    async with restarted:
        await send(restarted, text_message_payload("快遞騎手", update_id=9))
    assert "南山区成立快递骑手党支部" in restarted_api.sent_texts()[0]


async def test_original_script_shows_each_report_in_its_own_characters(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("/script 原文"))
    await send(app, text_message_payload("紅色物業怎麼建"))

    assert "<b>問題：</b>紅色物業怎麼建" not in api.sent_texts()[1]
    assert "红色物业把党支部建在小区" in api.sent_texts()[1]


async def test_unknown_script_choice_is_named_in_the_reply(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("/script 火星文"))

    assert api.sent_texts() == ["不认识“火星文”。可选：auto、简体、繁体、原文。"]


async def test_cite_quote_has_full_width_punctuation_in_the_readers_script(app: App, api: FakeBotApi) -> None:
    await send(app, text_message_payload("/script 繁体"))
    await send(app, callback_payload("q|002_bcc05597e0a5e93c:1"))

    text = api.sent_texts()[1]
    assert "<pre>“紅色物業把黨支部建在小區，物業服務企業成為治理力量。" in text
    assert "。”[1]</pre>" in text
    assert "<pre>[1] 刘艳梅. 发挥“两新”组织优势 提升基层治理效能[J/OL]. 四川党的建设, 2022[" in text


async def test_place_digest_gives_each_practice_its_sentence_and_a_button_to_its_passage(
    app: App, api: FakeBotApi
) -> None:
    await send(app, text_message_payload("/place 南山"))

    (text,) = api.sent_texts()
    assert "• <b>五邻营造</b> — 社区推行“五邻营造”，居民议事会每月召开一次。" in text
    assert ("▸ 五鄰營造", "c|001_744f9100ef1c3714:2") in api.buttons()
