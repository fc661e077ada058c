"""The terminal chat driven through a fake stdin: the same answers and commands as the bot."""

from __future__ import annotations

import io

from bot.replies.layout import answer_layout
from bot.replies.render import terminal_text
from bot.terminal.chat import run_chat
from tests.fakes import FakeEngine


def chat(*lines: str, engine: FakeEngine | None = None, prompt: bool = False) -> tuple[int, str]:
    stdout = io.StringIO()
    status = run_chat(engine or FakeEngine(), stdin=io.StringIO("".join(f"{line}\n" for line in lines)), stdout=stdout,
                      page_size=2, prompt=prompt)
    return status, stdout.getvalue()


def test_question_is_answered_with_the_same_passages_as_the_bot() -> None:
    engine = FakeEngine()

    status, output = chat("红色物业 网格化 快递骑手", engine=engine)

    assert status == 0
    assert output.startswith(terminal_text(answer_layout(engine.answer("红色物业 网格化 快递骑手", limit=2))))
    assert "（more 更多结果 · /context 1 上下文 · /cite 1 引用 · /save 1 收藏）" in output


def test_more_pages_on_and_then_says_there_are_no_more() -> None:
    _, output = chat("红色物业 网格化 快递骑手", "more", "/more")

    assert "第 3–3 条，共 3 条" in output and "[3] 《<b>标签</b> & \"引号\"报告》" in output
    assert output.rstrip().endswith("没有更多结果了。")


def test_context_and_cite_refer_to_the_numbers_shown() -> None:
    _, output = chat("快遞騎手黨支部", "/context 1", "/cite 1")

    assert "▶ 所引段落 · 一、黨建引領" in output
    assert "在黨的全面領導下構建社會治理共同體: 深圳市南山區的創新實踐與經驗啟示[J]. 人民論壇, 2021." in output


def test_unknown_result_number_gets_a_clear_message() -> None:
    _, output = chat("/cite 9")

    assert "没有第 9 条结果" in output


def test_more_before_any_question_asks_for_one() -> None:
    assert chat("more")[1].strip() == "请先提一个问题。"


def test_commands_list_sources_places_and_a_place() -> None:
    _, output = chat("/help", "/sources", "/places", "/place 南山")

    assert "more — 更多结果" in output and "共 3 份报告" in output
    assert "南山区 — 1 份报告" in output and "• 五邻营造 — 社区推行“五邻营造”，居民议事会每月召开一次。" in output


def test_place_with_a_question_limits_the_answer(engine: FakeEngine) -> None:
    _, output = chat("/place 南山 快遞騎手", engine=engine)

    assert engine.questions == [("快遞騎手", "南山", 0)]
    assert "地點：南山區" in output


def test_expected_errors_are_shown_and_the_chat_goes_on() -> None:
    status, output = chat("？？", "治" * 10_000, "快遞騎手黨支部")

    assert status == 0
    assert "请输入具体的问题，" in output and "问题太长（10000 字）" in output and "[1]" in output


def test_out_of_corpus_question_gets_an_abstention() -> None:
    _, output = chat("boiling point of mercury")

    assert "报告里没有能回答这个问题的内容。" in output and "报告涉及：红色物业、快递骑手、网格化治理" in output


def test_quit_stops_before_later_lines_and_blank_lines_are_ignored() -> None:
    status, output = chat("", "/quit", "快遞騎手黨支部")

    assert (status, output) == (0, "")


def test_prompt_is_shown_only_to_a_person_at_a_tty() -> None:
    assert "> " not in chat("/places")[1]
    assert "\n> " in chat("/places", prompt=True)[1]


def test_script_choice_applies_to_the_answers_that_follow() -> None:
    _, output = chat("/script 繁体", "红色物业")

    assert "引文字體：繁體" in output
    assert "紅色物業把黨支部建在小區" in output


def test_language_switch_makes_the_terminal_speak_english() -> None:
    _, output = chat("/language en", "more", "/help")

    assert "Language: English." in output and "Ask a question first." in output
    assert "/save 2 — save result 2" in output and "收藏" not in output
