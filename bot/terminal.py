"""The terminal chat: the bot's answers and commands, read line by line from stdin (a tty or a pipe)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TextIO

from bot.engine import Engine, suggestions
from bot.layout import (
    Layout,
    abstention_layout,
    answer_layout,
    cite_layout,
    context_layout,
    help_layout,
    message_layout,
    place_layout,
    places_layout,
    sources_layout,
)
from bot.query import Query, parse_query
from bot.render import terminal_text
from index.errors import QaError, UnknownItemError
from index.records import Answer

QUIT = {"/quit", "/exit", "quit", "exit"}
MORE = {"more", "/more", "更多"}


def next_steps(answer: Answer) -> str:
    """The hint under an answer: how to page on and how to see context or a citation."""
    if not answer.hits:
        return ""
    steps = [f"/context {answer.citations[0].number} 上下文", f"/cite {answer.citations[0].number} 引用"]
    if answer.offset + len(answer.hits) < answer.total:
        steps.insert(0, "more 更多结果")
    return "（" + " · ".join(steps) + "）"


@dataclass
class ChatSession:
    """One terminal conversation: the last question, where its paging stands and the passages shown."""

    engine: Engine
    page_size: int = 3
    context_radius: int = 1
    query: Query | None = None
    next_offset: int = 0
    shown: dict[int, str] = field(default_factory=dict)  # citation number -> chunk id

    def ask(self, query: Query, offset: int = 0) -> tuple[Layout, str]:
        """An answer page for a query, remembering it for `more`, `/context N` and `/cite N`."""
        answer = self.engine.answer(query.question, place=query.place, offset=offset, limit=self.page_size)
        if offset == 0:
            self.query, self.shown = query, {}
        self.next_offset = answer.offset + len(answer.hits)
        self.shown.update({c.number: c.chunk_id for c in answer.citations})
        if answer.abstained:
            topics, places = suggestions(self.engine)
            return abstention_layout(answer.question, topics=topics, places=places), ""
        return answer_layout(answer), next_steps(answer)

    def _passage(self, argument: str) -> str:
        number = int(argument) if argument.strip().isdigit() else 0
        if number not in self.shown:
            raise UnknownItemError(f"没有第 {argument.strip() or '?'} 条结果；请先提问，再用结果前的编号。")
        return self.shown[number]

    def respond(self, line: str) -> tuple[Layout, str]:
        """The reply to one input line (a question or a command) and a hint to print under it."""
        command, _, argument = line.partition(" ")
        command = command.lower()
        if command in {"/help", "/start", "help"}:
            documents, places = self.engine.documents(), self.engine.places()
            return help_layout(reports=len(documents), places=places, topics=self.engine.topics(), surface="terminal"), ""
        if command == "/sources":
            return sources_layout(self.engine.documents()), ""
        if command == "/places":
            return places_layout(self.engine.places()), ""
        if command == "/place":
            query = parse_query(line)
            if query.place is None:
                return places_layout(self.engine.places()), ""
            if not query.question:
                return place_layout(self.engine.place_summary(query.place)), ""
            return self.ask(query)
        if command in MORE:
            if self.query is None:
                return message_layout("请先提一个问题。Ask a question first."), ""
            return self.ask(self.query, self.next_offset)
        if command == "/context":
            chunk = self.engine.chunk(self._passage(argument))
            neighbours = self.engine.neighbours(chunk.chunk_id, radius=self.context_radius)
            return context_layout(chunk.chunk_id, neighbours, self.engine.document(chunk.doc_id)), ""
        if command == "/cite":
            chunk = self.engine.chunk(self._passage(argument))
            return cite_layout(chunk, self.engine.document(chunk.doc_id), accessed=datetime.date.today()), ""
        return self.ask(parse_query(line))


def run_chat(engine: Engine, *, stdin: TextIO, stdout: TextIO, page_size: int = 3, context_radius: int = 1,
             ansi: bool = False, prompt: bool = False) -> int:
    """Answers each line of stdin until EOF or /quit; prompts only when a person is typing."""
    session = ChatSession(engine, page_size=page_size, context_radius=context_radius)
    if prompt:
        stdout.write("报告问答 · /help 查看用法，/quit 退出。Type a question, /help, or /quit.\n")
    while True:
        if prompt:
            stdout.write("\n> ")
            stdout.flush()
        line = stdin.readline()
        if not line or line.strip().lower() in QUIT:
            return 0
        if not line.strip():
            continue
        try:
            layout, hint = session.respond(line.strip())
        except QaError as error:  # expected: its message is written for users
            layout, hint = message_layout(str(error)), ""
        # A blank line separates replies when output goes to a pipe; the prompt does it on a tty.
        stdout.write(terminal_text(layout, ansi=ansi) + (f"\n{hint}" if hint else "") + ("\n" if prompt else "\n\n"))
        stdout.flush()
