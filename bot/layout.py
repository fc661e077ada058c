"""Pure layouts of every reply (answers, help, sources, places, context, citations) for both front ends.

A layout says *what* to show (sections of blocks of styled spans); bot/render.py turns the same
layout into Telegram HTML or terminal text, so the two front ends never drift apart.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from index.cite import gbt7714_reference, quotable_passage
from index.records import Answer, Chunk, Citation, Document, Hit, PlaceSummary
from index.script import display_punctuation, in_script

# mark: the sentence that answers best (bold in Telegram, 【】 or ANSI bold on a terminal)
Style = Literal["plain", "bold", "italic", "code", "mark"]
# text: ordinary lines; quote: a passage shown in full; folded: a long passage (an expandable quote in
# Telegram, in full on a terminal); pre: copyable text; preview: the best sentence above a folded passage
# (a terminal shows the whole passage, so it skips previews).
BlockKind = Literal["text", "quote", "folded", "pre", "preview"]
Surface = Literal["telegram", "terminal"]

FOLD_CHARS = 220  # passages longer than this are folded in Telegram; e.g. 360 chars ≈ 12 phone lines
QUESTION_ECHO_CHARS = 120
SAMPLE_QUESTIONS = (
    "南山区如何组织快递骑手参与基层治理？",
    "什麼是“紅色物業”？",
    "How did Nanshan organise courier riders?",
)


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text in one style."""

    text: str
    style: Style = "plain"


Line = tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Block:
    """Lines shown together, in one kind of container."""

    lines: tuple[Line, ...]
    kind: BlockKind = "text"


Section = tuple[Block, ...]  # blocks that belong together; sections are separated by a blank line
Layout = tuple[Section, ...]


def text_block(*lines: Line | str) -> Block:
    """A text block from lines given as spans or as plain strings."""
    return Block(tuple((Span(line),) if isinstance(line, str) else line for line in lines))


# Blocks that show report text: their punctuation is made full-width for reading. A reference in a
# "pre" block keeps GB/T 7714's own ". , :" separators.
_QUOTED_KINDS = ("quote", "folded", "preview")


def for_reader(layout: Layout, script: str) -> Layout:
    """A layout in the reader's script ("simplified", "traditional"; else the report's own), quotes punctuated."""
    def span(s: Span, kind: BlockKind) -> Span:
        text = in_script(s.text, script)
        return Span(display_punctuation(text) if kind in _QUOTED_KINDS else text, s.style)

    return tuple(
        tuple(Block(tuple(tuple(span(s, block.kind) for s in line) for line in block.lines), block.kind)
              for block in section)
        for section in layout
    )


def shorten(text: str, limit: int) -> str:
    """Text cut to at most limit characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_lines(spans: Sequence[Span]) -> tuple[Line, ...]:
    """Spans regrouped into lines at each newline, keeping each piece's style."""
    lines: list[list[Span]] = [[]]
    for span in spans:
        for i, piece in enumerate(span.text.split("\n")):
            if i:
                lines.append([])
            if piece:
                lines[-1].append(Span(piece, span.style))
    return tuple(tuple(line) for line in lines)


def highlighted(hit: Hit) -> tuple[Span, ...]:
    """The passage with its best sentence in bold; offsets are trusted only if they match the sentence."""
    text, start, end = hit.chunk.text, hit.best_start, hit.best_end
    if not hit.best_sentence or text[start:end] != hit.best_sentence:
        start = text.find(hit.best_sentence) if hit.best_sentence else -1
        end = start + len(hit.best_sentence)
    if start < 0 or end <= start:
        return (Span(text),)
    return tuple(s for s in (Span(text[:start]), Span(text[start:end], "mark"), Span(text[end:])) if s.text)


def citation_lines(citation: Citation) -> tuple[Line, Line]:
    """The numbered title line and the source · date · section line under it."""
    details = " · ".join(part for part in (citation.source, citation.date, citation.section) if part)
    return (
        (Span(f"[{citation.number}] 《{citation.title}》", "bold"),),
        (Span(details or citation.doc_id, "italic"),),
    )


def passage_section(hit: Hit, citation: Citation) -> Section:
    """One numbered passage: its citation, then the passage with the best sentence in bold."""
    blocks = [Block(citation_lines(citation))]
    spans = highlighted(hit)
    folded = len(hit.chunk.text) > FOLD_CHARS
    marked = [span.text for span in spans if span.style == "mark"]
    if folded and marked:
        blocks.append(Block(((Span("» "), Span(shorten(marked[0], FOLD_CHARS), "mark")),), "preview"))
    blocks.append(Block(split_lines(spans), "folded" if folded else "quote"))
    return tuple(blocks)


def answer_layout(answer: Answer, *, topics: Sequence[str] = (), places: Sequence[str] = ()) -> Layout:
    """An answer page; an abstention suggests topics and places instead; an empty later page says so."""
    if answer.abstained or (not answer.hits and answer.offset == 0):
        return abstention_layout(answer.question, topics=topics, places=places)
    if not answer.hits:
        return ((text_block("没有更多结果了。No more results."),),)
    first, last = answer.offset + 1, answer.offset + len(answer.hits)
    header: list[Line] = [(Span("问题：", "bold"), Span(shorten(answer.question, QUESTION_ECHO_CHARS)))]
    if answer.places:
        header.append((Span("地点：", "bold"), Span("、".join(answer.places))))
    header.append((Span(f"第 {first}–{last} 条，共 {answer.total} 条", "italic"),))
    sections: list[Section] = [(text_block(*header),)]
    sections += [passage_section(hit, citation) for hit, citation in zip(answer.hits, answer.citations)]
    return tuple(sections)


def abstention_layout(question: str, *, topics: Sequence[str] = (), places: Sequence[str] = ()) -> Layout:
    """Says the reports do not answer the question and what they do cover."""
    lines: list[Line | str] = [
        (Span("报告里没有能回答这个问题的内容。", "bold"),),
        "Nothing in the reports answers this question.",
        (Span("问题：", "bold"), Span(shorten(question, QUESTION_ECHO_CHARS))),
    ]
    if topics:
        lines.append((Span("报告涉及：", "bold"), Span("、".join(topics))))
    if places:
        lines.append((Span("涉及的地方：", "bold"), Span("、".join(places))))
    lines.append("可以换个说法再问，或用 /places 看看有哪些地方。")
    return ((text_block(*lines),),)


def message_layout(message: str) -> Layout:
    """A short notice, such as an expected error's user-facing message."""
    return ((text_block(*message.split("\n")),),)


def help_layout(
    *, reports: int, places: Sequence[tuple[str, int]], topics: Sequence[str], surface: Surface,
    bot_username: str = "",
) -> Layout:
    """What the assistant knows and how to ask it, for /start and /help."""
    intro = text_block(
        (Span("党建引领基层治理 · 报告问答", "bold"),),
        f"我从 {reports} 份报告里找出回答问题的原文段落，并注明出处；我不编写答案。",
        f"I answer with passages quoted from {reports} reports, each with its source. Ask in Chinese or English.",
    )
    examples = text_block((Span("可以这样问 / Try", "bold"),), *(f"• {q}" for q in SAMPLE_QUESTIONS))
    place_hint = "/place 南山 快递骑手 — 只在某地的报告里查找 (limit a question to a place)"
    if surface == "telegram":
        commands = [
            "/sources — 报告列表 (the reports)",
            "/places — 地方与报告数 (places)",
            "/place 南山 — 某地的做法和报告 (a place's practices)",
            place_hint,
            "/script 简体 | 繁体 | 原文 | auto — 引文字体 (script of quotes; auto follows your question)",
            "/notebook — 收藏的段落；/export — 导出 Word、Markdown、RIS/CSL-JSON (saved passages, export)",
            "答案下的按钮：更多结果、上下文、引用 (buttons: more, context, cite)",
        ]
        if bot_username:
            commands.append(f"在任何聊天输入 @{bot_username} 红色物业 可插入段落 (inline mode)")
    else:
        commands = [
            "/sources, /places, /place 南山 — 报告、地方、某地的做法",
            place_hint,
            "more — 更多结果；/context 2 — 第 2 条的上下文；/cite 2 — 第 2 条的引用",
            "/script 简体 | 繁体 | 原文 | auto — 引文字体 (script of quotes)",
            "/save 2 — 收藏第 2 条；/notebook — 笔记本；/export [文件夹] — 导出文件 (save, notebook, export)",
            "/quit — 退出 (or Ctrl-D)",
        ]
    sections: list[Section] = [(intro,), (examples,), (text_block((Span("命令 / Commands", "bold"),), *commands),)]
    covered: list[Line | str] = []
    if places:
        covered.append((Span("地方：", "bold"), Span("、".join(f"{name}（{n}）" for name, n in places[:20]))))
    if topics:
        covered.append((Span("主题：", "bold"), Span("、".join(topics))))
    if covered:
        sections.append((text_block(*covered),))
    return tuple(sections)


def document_line(number: int, doc: Document) -> Line:
    """One report in a list: number, title, source and date."""
    details = " · ".join(part for part in (doc.source, doc.date, "、".join(doc.places)) if part)
    spans = [Span(f"{number}. "), Span(f"《{doc.title}》", "bold")]
    return tuple(spans + ([Span(f" {details}", "italic")] if details else []))


def sources_layout(documents: Sequence[Document]) -> Layout:
    """The list of reports the answers come from, for /sources."""
    header = text_block((Span(f"共 {len(documents)} 份报告 / {len(documents)} reports", "bold"),))
    return ((header,), (text_block(*(document_line(i, d) for i, d in enumerate(documents, 1))),))


def places_layout(places: Sequence[tuple[str, int]]) -> Layout:
    """Places with their report counts, for /places."""
    if not places:
        return message_layout("报告里没有标注地方。")
    lines = [f"{name} — {count} 份报告" for name, count in places]
    return ((text_block((Span("地方 / Places", "bold"),), *lines, "点按钮或发送 /place 地名 查看做法。"),),)


def place_layout(summary: PlaceSummary) -> Layout:
    """A place's named practices and reports, for /place and the place buttons."""
    sections: list[Section] = [(text_block((Span(summary.place, "bold"), Span(f"：{len(summary.documents)} 份报告"))),)]
    if summary.practices:
        sections.append((text_block((Span("做法", "bold"),), *(f"• “{p}”" for p in summary.practices)),))
    if summary.documents:
        lines = (document_line(i, d) for i, d in enumerate(summary.documents, 1))
        sections.append((text_block((Span("报告", "bold"),), *lines),))
    sections.append((text_block(f"只在这里查找：/place {summary.place} 你的问题"),))
    return tuple(sections)


def context_layout(chunk_id: str, neighbours: Sequence[Chunk], doc: Document) -> Layout:
    """A passage with the passages around it in its report, in document order."""
    sections: list[Section] = [(text_block((Span("上下文：", "bold"), Span(f"《{doc.title}》", "bold"))),)]
    target = next((c.position for c in neighbours if c.chunk_id == chunk_id), -1)
    for chunk in neighbours:
        marker = "▶ 所引段落" if chunk.chunk_id == chunk_id else "前文" if chunk.position < target else "后文"
        label: Line = (Span(marker, "bold"),) + ((Span(f" · {chunk.section}", "italic"),) if chunk.section else ())
        sections.append((Block((label,)), Block(split_lines((Span(chunk.text),)), "quote")))
    return tuple(sections)


def notebook_layout(saved: Sequence[tuple[Chunk, Document]], *, missing: int = 0, surface: Surface) -> Layout:
    """A reader's saved passages, numbered, each with its report and section, for /notebook."""
    if not saved:
        return message_layout("笔记本是空的。在答案下点“收藏”（终端里用 /save 2）保存段落。")
    sections: list[Section] = [(text_block((Span(f"笔记本：{len(saved)} 段", "bold"),)),)]
    for number, (chunk, doc) in enumerate(saved, 1):
        where = f"《{doc.title}》" + (f" · {chunk.section}" if chunk.section else "")
        sections.append((text_block((Span(f"{number}. ", "bold"), Span(where, "italic"))),
                         Block(((Span(shorten(chunk.text, FOLD_CHARS)),),), "quote")))
    notes = [f"另有 {missing} 段已不在索引中，导出时略去。"] if missing else []
    export = "/export — 导出 Word、Markdown、RIS 和 CSL-JSON" if surface == "telegram" else \
        "/export [文件夹] — 导出 Word、Markdown、RIS 和 CSL-JSON 文件"
    sections.append((text_block(*notes, export, "/notebook clear — 清空笔记本"),))
    return tuple(sections)


def cite_layout(chunk: Chunk, doc: Document, *, accessed: datetime.date | None = None) -> Layout:
    """The passage quoted with its source, and a GB/T 7714 reference, both ready to paste."""
    return (
        (text_block((Span("引用这段原文 / Quote", "bold"),)), Block(((Span(quotable_passage(chunk, doc)),),), "pre")),
        (
            text_block((Span("参考文献（GB/T 7714—2015）", "bold"),)),
            Block(((Span(gbt7714_reference(doc, accessed=accessed)),),), "pre"),
        ),
    )
