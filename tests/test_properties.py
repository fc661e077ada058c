"""Property-based specs (hypothesis): rendering and cleaning hold for any input, not just the examples."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.replies.layout import message_layout
from bot.replies.render import MAX_MESSAGE_CHARS, html_messages, render_answer, render_inline, utf16_units
from index.chunk.cut import chunk_document
from index.ingest.meta import documents_from_source
from index.records import Answer, Chunk, Citation, Hit, SourceFile
from tests.bot.telegram_html import telegram_html_problems

# Any text: every plane, controls, lone surrogates excluded (no UTF-8 file or Telegram message holds them).
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
# Long text is a short piece repeated: past Telegram's limit without hypothesis drawing 5,000 characters.
LONG_TEXT = st.builds(lambda piece, times: (piece * times)[:9000], ANY_TEXT.filter(bool), st.integers(1, 3000))
# Text that needs two UTF-16 code units per character, where counting characters goes wrong.
ASTRAL_TEXT = st.builds(lambda piece, times: piece * times,
                        st.text(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=1, max_size=20),
                        st.integers(100, 3000))
CHECKS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.data_too_large])


def visible_units(message: str) -> int:
    """The length Telegram checks: UTF-16 code units of the text once tags and entities are parsed."""
    import html
    import re

    return utf16_units(html.unescape(re.sub(r"</?[a-z-]+( expandable)?>", "", message)))


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    """An answer of one to five passages whose every field is arbitrary text."""
    texts = draw(st.lists(st.one_of(ANY_TEXT, LONG_TEXT, ASTRAL_TEXT), min_size=1, max_size=5))
    hits, citations = [], []
    for number, text in enumerate(texts, start=1):
        section, title = draw(ANY_TEXT), draw(ANY_TEXT)
        chunk = Chunk(chunk_id=f"d:{number}", doc_id="d", position=number, section=section[:200], text=text,
                      start=0, end=len(text), places=())
        cut = draw(st.integers(0, len(text)))
        hits.append(Hit(chunk=chunk, score=1.0, best_sentence=text[cut:], best_start=cut, best_end=len(text)))
        citations.append(Citation(number, "d", chunk.chunk_id, title[:500], draw(ANY_TEXT)[:100], "2022",
                                  section[:200], "d.txt"))
    return Answer(draw(ANY_TEXT), tuple(hits), tuple(citations), False, (), 0, len(hits))


def assert_sendable(messages: list[str]) -> None:
    assert messages
    for message in messages:
        assert telegram_html_problems(message) == []
        assert utf16_units(message) <= MAX_MESSAGE_CHARS
        assert visible_units(message) <= MAX_MESSAGE_CHARS


@CHECKS
@given(answers())
def test_any_answer_renders_to_valid_telegram_html_within_the_limit(answer: Answer) -> None:
    assert_sendable(render_answer(answer))


@CHECKS
@given(st.one_of(ANY_TEXT, LONG_TEXT, ASTRAL_TEXT).filter(lambda t: t.strip()))
def test_any_notice_renders_within_the_limit(text: str) -> None:
    messages = html_messages(message_layout(text))

    assert all(utf16_units(m) <= MAX_MESSAGE_CHARS for m in messages)
    assert all(telegram_html_problems(m) == [] for m in messages if m.strip())


@CHECKS
@given(answers())
def test_any_inline_result_stays_within_the_limit(answer: Answer) -> None:
    for entry in render_inline(answer):
        assert utf16_units(entry.html) <= MAX_MESSAGE_CHARS
        assert telegram_html_problems(entry.html) == []


# Report sentences: common characters of the reports, none of which can spell site chrome or spam.
_WORDS = st.sampled_from(["党建引领", "基层治理", "社区居民", "志愿者", "协商议事", "小区物业", "楼栋长", "网格员",
                          "工作机制", "推动", "共同建设", "发展", "问题", "群众需求", "实践探索", "经验做法", "组织",
                          "参与", "服务", "街道", "党员", "活动", "平台", "培训"])
_FURNITURE_LINES = ("网站首页 | 网站地图", "首页 > 调查研究 > 正文", "[责任编辑:王克]", "扫一扫 关注公众号",
                    "版权所有 © 南山区委组织部 粤ICP备12345号", "分享到：微信 微博", "责编/魏飞 美编/薛佳瑩")
_FURNITURE = st.sampled_from(_FURNITURE_LINES)


@st.composite
def sentences(draw: st.DrawFn, number: int) -> str:
    words = draw(st.lists(_WORDS, min_size=3, max_size=12))
    return f"第{number}项{''.join(words)}。"


@st.composite
def reports(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A report text (title, paragraphs of unique sentences, furniture lines between) and its sentences."""
    count = draw(st.integers(1, 40))
    body = [draw(sentences(i + 1)) for i in range(count)]
    one_line = draw(st.booleans())  # the report's paragraphs on one line, as some copies arrive
    lines: list[str] = ["南山区党建引领基层治理调研报告"]
    at = 0
    while at < count:
        size = draw(st.integers(1, 6))
        if draw(st.booleans()):
            lines.append(draw(_FURNITURE))
        paragraph = "".join(body[at:at + size])
        # Furniture keeps its own line: glued to a sentence with no stop between ("…ICP备12345号第2项…")
        # the two cannot be told apart; tests/index/test_ingest_limits.py covers report 001 glued that way.
        if one_line and lines[-1] not in _FURNITURE_LINES and len(lines) > 1:
            lines[-1] += paragraph
        else:
            lines.append(paragraph)
        at += size
    return "\n".join(lines), body


@CHECKS
@given(reports())
def test_cleaning_and_chunking_keep_every_report_sentence_exactly_once(report: tuple[str, list[str]]) -> None:
    text, body = report

    chunks = [c for d in documents_from_source(SourceFile("r.txt", text, "txt"))
              for c in chunk_document(d, max_chars=360, min_chars=120)]

    joined = "\n".join(c.text for c in chunks)
    assert [s for s in body if joined.count(s) != 1] == []
    assert not any(f in joined for f in ("网站首页", "责任编辑", "关注公众号", "ICP备"))


@CHECKS
@given(st.one_of(ANY_TEXT, LONG_TEXT))
def test_cleaning_and_chunking_never_raise(text: str) -> None:
    for document in documents_from_source(SourceFile("r.txt", text, "txt")):
        for chunk in chunk_document(document, max_chars=360, min_chars=120):
            assert document.text[chunk.start:chunk.end] == chunk.text
