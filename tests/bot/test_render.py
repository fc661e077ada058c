"""Rendering answers and listings as Telegram HTML and terminal text, without Telegram."""

from __future__ import annotations

import dataclasses
import datetime

from bot.replies.layout import (
    Block,
    answer_layout,
    citation_lines,
    cite_layout,
    for_reader,
    context_layout,
    help_layout,
    place_layout,
    sources_layout,
)
from bot.replies.render import escape_html, html_messages, render_answer, render_inline, terminal_text
from index.records import Answer, Chunk, Citation, Hit, Practice
from tests.bot.telegram_html import telegram_html_problems
from tests.fakes import FakeEngine

ENGINE = FakeEngine()


def _answer_with(texts: list[str], *, best: str = "") -> Answer:
    hits, citations = [], []
    for i, text in enumerate(texts):
        chunk = Chunk(chunk_id=f"d:{i}", doc_id="d", position=i, section="一、<節>", text=text, start=0, end=len(text))
        start = text.find(best) if best else 0
        hits.append(Hit(chunk=chunk, score=1.0, best_sentence=best, best_start=start, best_end=start + len(best)))
        citations.append(Citation(number=i + 1, doc_id="d", chunk_id=chunk.chunk_id, title="報告 & <標題>", source="人民論壇"))
    return Answer(question="问题", hits=tuple(hits), citations=tuple(citations), total=len(texts))


def test_markup_in_passages_titles_and_sections_is_escaped() -> None:
    answer = ENGINE.answer("网格员记录标记")

    (message,) = render_answer(answer)

    assert '网格员记录&lt;b&gt;&amp;&quot;quoted&quot;&lt;/b&gt;的标记文字' in message
    assert "《&lt;b&gt;标签&lt;/b&gt; &amp; &quot;引号&quot;报告》" in message
    assert telegram_html_problems(message) == []


def test_question_full_of_html_is_echoed_escaped() -> None:
    answer = ENGINE.answer('<script>alert("x")</script> & 红色物业')

    messages = render_answer(answer)

    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 红色物业" in messages[0]
    assert [telegram_html_problems(m) for m in messages] == [[] for _ in messages]


def test_best_sentence_is_bold_inside_the_quoted_passage() -> None:
    answer = ENGINE.answer("快遞騎手黨支部")

    message = render_answer(answer)[0]

    assert "<b>南山區成立快遞騎手黨支部，組織快遞騎手參與社區治理。</b>騎手們成為城市的“移動探頭”。" in message


def test_traditional_passages_stay_traditional() -> None:
    answer = ENGINE.answer("快遞騎手黨支部")

    message = render_answer(answer)[0]

    assert "《在黨的全面領導下構建社會治理共同體》" in message
    assert "快递骑手党支部" not in message


def test_long_passage_is_folded_with_its_best_sentence_shown_above() -> None:
    answer = ENGINE.answer("红色物业把党支部建在小区")

    message = render_answer(answer)[0]

    assert "» <b>红色物业把党支部建在小区，物业服务企业成为治理力量。</b>\n<blockquote expandable><b>红色" in message


def test_long_answers_are_split_into_valid_messages_within_the_limit() -> None:
    answer = _answer_with(["治理 & <協商> \"議事\"。" * 400, "短段落。", "長" * 9000], best="短段落。")

    messages = render_answer(answer)

    assert len(messages) > 2
    assert [telegram_html_problems(m) for m in messages] == [[] for _ in messages]
    visible = "".join(messages)
    assert visible.count("&amp;") == 400 + 3  # every & kept once, plus the one in each of 3 titles


def test_splitting_keeps_every_character_of_a_giant_line() -> None:
    layout = answer_layout(_answer_with(["&" * 5000]))

    messages = html_messages(layout)

    assert "".join(messages).count("&amp;") == 5000 + 1
    assert all(len(m) <= 4096 for m in messages)


def test_short_answers_fit_in_one_message_with_numbered_citations() -> None:
    answer = ENGINE.answer("红色物业 网格化 快递骑手")

    (message,) = render_answer(answer)

    assert "<b>[1] 《发挥“两新”组织优势 提升基层治理效能》</b>\n<i>四川党的建设 · 2022-01-25</i>" in message
    assert "<i>第 1–3 条，共 3 条</i>" in message


def test_abstention_says_nothing_answers_and_suggests_topics_and_places() -> None:
    answer = ENGINE.answer("what is the GDP of Mars")

    (message,) = render_answer(answer, topics=["红色物业", "快递骑手"], places=["南山區"])

    assert "报告里没有能回答这个问题的内容" in message
    assert "<b>报告涉及：</b>红色物业、快递骑手" in message
    assert "南山區" in message


def test_page_past_the_last_result_says_there_are_no_more() -> None:
    answer = ENGINE.answer("红色物业", offset=50)

    assert render_answer(answer) == ["没有更多结果了。"]


def test_terminal_marks_the_best_sentence_with_brackets_when_not_a_tty() -> None:
    text = terminal_text(answer_layout(ENGINE.answer("快遞騎手黨支部")))

    assert "  │ 【南山區成立快遞騎手黨支部，組織快遞騎手參與社區治理。】騎手們成為城市的“移動探頭”。" in text
    assert "<b>" not in text


def test_terminal_uses_ansi_bold_on_a_tty_and_shows_folded_passages_in_full() -> None:
    text = terminal_text(answer_layout(ENGINE.answer("红色物业把党支部建在小区")), ansi=True)

    assert "\x1b[1;4m红色物业把党支部建在小区，物业服务企业成为治理力量。\x1b[0m" in text
    assert "» " not in text
    assert text.count("小区议事协商常态化。") == 30


def test_terminal_strips_escape_sequences_from_corpus_text() -> None:
    text = terminal_text(answer_layout(_answer_with(["危险\x1b[2J文字"])))

    assert "\x1b" not in text


def test_inline_entries_insert_the_passage_with_its_citation() -> None:
    entries = render_inline(ENGINE.answer("快遞騎手黨支部"))

    assert entries[0].result_id == "001_744f9100ef1c3714:1"
    assert entries[0].title == "[1] 《在黨的全面領導下構建社會治理共同體》"
    assert "人民論壇 · 2021-09 · 一、黨建引領" in entries[0].description
    assert "<blockquote>" in entries[0].html and telegram_html_problems(entries[0].html) == []


def test_cite_shows_quotable_passage_and_gbt7714_reference_in_copyable_blocks() -> None:
    chunk = ENGINE.chunk("002_bcc05597e0a5e93c:2")

    (message,) = html_messages(cite_layout(chunk, ENGINE.document(chunk.doc_id), accessed=datetime.date(2024, 5, 1)))

    assert "<pre>“两新党建论坛的主题是引领 融合 发展。”[1]</pre>" in message
    assert (
        "<pre>[1] 刘艳梅. 发挥“两新”组织优势 提升基层治理效能[J/OL]. 四川党的建设, 2022[2024-05-01]. "
        "https://example.org/sc/2022.html.</pre>"
    ) in message
    assert "补充：期号、页码" in message


def test_cite_in_author_year_and_traditional_converts_the_quote_only() -> None:
    chunk = ENGINE.chunk("002_bcc05597e0a5e93c:2")
    layout = cite_layout(chunk, ENGINE.document(chunk.doc_id), accessed=datetime.date(2024, 5, 1),
                         system="author-year", language="en", script="traditional")

    (message,) = html_messages(for_reader(layout, "traditional"))

    assert "<pre>“兩新黨建論壇的主題是引領 融合 發展。”（刘艳梅，2022）</pre>" in message
    assert "<pre>刘艳梅, 2022. 发挥“两新”组织优势 提升基层治理效能[J/OL]. 四川党的建设[2024-05-01]. " in message
    assert "add: issue, pages" in message


def test_context_marks_the_cited_passage_among_its_neighbours() -> None:
    chunk_id = "001_744f9100ef1c3714:1"
    neighbours = ENGINE.neighbours(chunk_id)

    text = terminal_text(context_layout(chunk_id, neighbours, ENGINE.document("001_744f9100ef1c3714")))

    assert [line for line in text.split("\n") if line.startswith(("前文", "▶", "后文"))] == [
        "前文 · 調研背景", "▶ 所引段落 · 一、黨建引領", "后文 · 二、共建共治",
    ]


def test_help_lists_reports_places_and_example_questions_in_both_languages() -> None:
    layout = help_layout(reports=3, places=ENGINE.places(), topics=ENGINE.topics(), surface="telegram",
                         bot_username="ReportsBot")

    (message,) = html_messages(layout)

    assert "3 份报告" in message and "南山區（1）" in message
    assert "南山区如何组织快递骑手参与基层治理？" in message and "什麼是“紅色物業”？" in message
    assert "/place 南山 快递骑手" in message and "@ReportsBot 红色物业" in message


def test_sources_and_place_listings_are_valid_html() -> None:
    practices = [Practice("五鄰營造", "001_744f9100ef1c3714:2", "社區推行“五鄰營造”，居民議事會每月召開一次。")]
    digest = place_layout(dataclasses.replace(ENGINE.place_summary("南山"), digest=tuple(practices)), within=["粤海街道"])
    messages = html_messages(sources_layout(ENGINE.documents())) + html_messages(digest)

    assert [telegram_html_problems(m) for m in messages] == [[] for _ in messages]
    assert "• <b>五鄰營造</b> — 社區推行“五鄰營造”，居民議事會每月召開一次。" in messages[-1]
    assert "<b>下属地方</b>\n粤海街道" in messages[-1]


def test_a_place_with_more_reports_than_its_summary_names_says_how_many_more_and_where_to_list_them() -> None:
    summary = ENGINE.place_summary("南山")
    many = dataclasses.replace(summary, report_count=len(summary.reports) + 1234)

    zh, en = terminal_text(place_layout(many)), terminal_text(place_layout(many, language="en"))

    assert f"：{len(summary.reports) + 1234} 份报告" in zh and "另有 1234 份报告；/sources 列出全部报告" in zh
    assert "1234 more reports; /sources lists every report" in en
    assert "另有" not in terminal_text(place_layout(summary))


def test_escape_turns_markup_into_entities_and_drops_control_characters() -> None:
    assert escape_html('<b>&"\x00x') == "&lt;b&gt;&amp;&quot;x"


def test_a_practice_named_late_in_a_long_sentence_stays_in_view() -> None:
    from bot.replies.layout import excerpt_around

    sentence = "结合“万企联万村、共走振兴路”行动，开展专场活动20余场次，推行企业党员进村入户、党员中心户联户，31对村企党组织依托农村“党员连心驿站”等开展联建共建。"

    excerpt = excerpt_around(sentence, "党员连心驿站", 40)

    assert excerpt.startswith("…") and "“党员连心驿站”" in excerpt and len(excerpt) <= 40


def test_english_key_terms_start_with_the_marked_sentence() -> None:
    from bot.replies.layout import gloss_line

    chunk = Chunk(chunk_id="d:1", doc_id="d", position=1, section="", start=0, end=0,
                  text="两新组织是社会治理的重要合伙人，党建引领人才发展。其中典型的是2万多名快递骑手。")

    line = gloss_line(chunk, "en", marked="其中典型的是2万多名快递骑手。")

    assert line is not None and line[1].text.startswith("快递骑手 courier rider · ")
    assert gloss_line(chunk, "zh") is None


def test_a_section_heading_in_a_citation_gets_full_width_punctuation() -> None:
    citation = Citation(number=1, doc_id="d", chunk_id="d:1", title="报告", section="动员两新组织力量,实现有机统一")

    assert citation_lines(citation)[1][0].text == "动员两新组织力量，实现有机统一"


def test_a_report_with_no_source_or_date_is_labelled_by_its_title_alone() -> None:
    citation = Citation(number=2, doc_id="002_bcc05597e0a5e93c", chunk_id="002_bcc05597e0a5e93c:0",
                        title="“八八战略”点亮基层善治实践路", path="002_bcc05597e0a5e93c.txt")

    text = terminal_text(((Block(citation_lines(citation)),),))

    assert text == "[2] 《“八八战略”点亮基层善治实践路》"


def test_titles_and_sources_keep_the_records_script_while_sections_follow_the_reader() -> None:
    citation = Citation(number=1, doc_id="d", chunk_id="d:1", title="发挥“两新”组织优势", source="四川党的建设",
                        date="2022-01-25", section="一、党建引领,凝聚合力")

    text = terminal_text(for_reader(((Block(citation_lines(citation)),),), "traditional"))

    assert text == "[1] 《发挥“两新”组织优势》\n四川党的建设 · 2022-01-25 · 一、黨建引領，凝聚合力"


def test_cite_cautions_before_a_quote_whose_wording_may_not_be_the_authors() -> None:
    chunk = next(iter(ENGINE.chunks_by_id.values()))
    document = ENGINE.document(chunk.doc_id)
    shared = dataclasses.replace(document, kind="shared")  # a sharing site's copy: machine-reworded as a rule

    assert "措辞可能与原文不同" in terminal_text(cite_layout(chunk, shared, accessed=datetime.date(2024, 5, 1)))
    assert "措辞可能与原文不同" not in terminal_text(cite_layout(chunk, document, accessed=datetime.date(2024, 5, 1)))
