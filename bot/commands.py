"""The command set both front ends share: plain values in, a Reply (layout, buttons, hint) out.

bot/handlers.py (Telegram) and bot/terminal.py only read input, call these, and render what comes back,
so a command behaves the same in both. Each reply is shown in the reader's script (see /script).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from bot.callbacks import Button, answer_buttons, place_buttons
from bot.engine import Engine, suggestions
from bot.layout import (
    Layout,
    Surface,
    answer_layout,
    cite_layout,
    context_layout,
    for_reader,
    help_layout,
    message_layout,
    place_layout,
    places_layout,
    sources_layout,
)
from bot.prefs import PrefsStore
from bot.query import Query
from index.records import Answer
from index.script import resolve_script, script_of

# What a reader may type after /script, in either language.
SCRIPT_WORDS = {
    "auto": "auto", "自动": "auto", "自動": "auto",
    "simplified": "simplified", "简体": "simplified", "簡體": "simplified", "简": "simplified", "s": "simplified",
    "traditional": "traditional", "繁体": "traditional", "繁體": "traditional", "繁": "traditional",
    "t": "traditional", "original": "original", "原文": "original", "report": "original",
}
SCRIPT_NAMES = {
    "auto": "跟随提问的字体 (your question's script)", "simplified": "简体 (Simplified)",
    "traditional": "繁体 (Traditional)", "original": "报告原文的字体 (the report's own)",
}


@dataclass(frozen=True, slots=True)
class Reply:
    """What a command shows: a layout, buttons under it (Telegram), and a hint line (terminal)."""

    layout: Layout
    buttons: tuple[tuple[Button, ...], ...] = ()
    hint: str = ""


class Commands:
    """Every command of the assistant, over one engine and the readers' settings."""

    def __init__(self, engine: Engine, prefs: PrefsStore, *, page_size: int = 3, context_radius: int = 1) -> None:
        self.engine = engine
        self.prefs = prefs
        self.page_size = page_size
        self.context_radius = context_radius

    def _script(self, user: str, question: str = "") -> str:
        prefs = self.prefs.get(user)
        asked = script_of(question)
        if asked and asked != prefs.last_script:
            self.prefs.update(user, last_script=asked)
        return resolve_script(prefs.script, question, fallback=prefs.last_script or "simplified")

    def _reply(self, user: str, layout: Layout, *, question: str = "", buttons: Sequence[Sequence[Button]] = (),
               hint: str = "") -> Reply:
        return Reply(for_reader(layout, self._script(user, question)), tuple(tuple(row) for row in buttons), hint)

    def notice(self, text: str) -> Reply:
        """A short notice, such as an expected error's message written for users."""
        return Reply(message_layout(text))

    def help(self, user: str, *, surface: Surface, bot_username: str = "") -> Reply:
        """/start and /help: what the reports cover and how to ask."""
        layout = help_layout(reports=len(self.engine.documents()), places=self.engine.places(),
                             topics=self.engine.topics(), surface=surface, bot_username=bot_username)
        return self._reply(user, layout)

    def sources(self, user: str) -> Reply:
        """/sources: the reports answers are drawn from."""
        return self._reply(user, sources_layout(self.engine.documents()))

    def places(self, user: str) -> Reply:
        """/places: places with report counts, a button for each."""
        places = self.engine.places()
        return self._reply(user, places_layout(places), buttons=place_buttons(places))

    def place(self, user: str, place: str) -> Reply:
        """/place 南山: what the reports say about a place."""
        return self._reply(user, place_layout(self.engine.place_summary(place)))

    def ask(self, user: str, query: Query, *, offset: int = 0, key: str = "") -> tuple[Answer, Reply]:
        """A question's page of passages; `key` (a stored question) puts paging buttons under it."""
        answer = self.engine.answer(query.question, place=query.place, offset=offset, limit=self.page_size)
        if answer.abstained:
            topics, places = suggestions(self.engine)
            return answer, self._reply(user, answer_layout(answer, topics=topics, places=places),
                                       question=query.question)
        buttons = answer_buttons(answer, key) if key else []
        return answer, self._reply(user, answer_layout(answer), question=query.question, buttons=buttons,
                                   hint=next_steps(answer))

    def context(self, user: str, chunk_id: str) -> Reply:
        """The passages around a passage in its report."""
        chunk = self.engine.chunk(chunk_id)
        neighbours = self.engine.neighbours(chunk.chunk_id, radius=self.context_radius)
        return self._reply(user, context_layout(chunk.chunk_id, neighbours, self.engine.document(chunk.doc_id)))

    def cite(self, user: str, chunk_id: str, *, today: datetime.date | None = None) -> Reply:
        """A passage quoted with its in-text citation, and its report's GB/T 7714 reference."""
        chunk = self.engine.chunk(chunk_id)
        layout = cite_layout(chunk, self.engine.document(chunk.doc_id), accessed=today or datetime.date.today())
        return self._reply(user, layout)

    def script(self, user: str, argument: str) -> Reply:
        """/script [auto|简体|繁体|原文]: the script passages and quotes are shown in, kept per user."""
        choice = SCRIPT_WORDS.get(argument.strip().lower())
        if argument.strip() and choice is None:
            return self._reply(user, message_layout(
                f"不认识“{argument.strip()}”。可选：auto、简体、繁体、原文 (auto, simplified, traditional, original)。"))
        if choice is not None:
            self.prefs.update(user, script=choice)
        current = self.prefs.get(user).script
        lines = [f"引文字体 / Script of quotes：{SCRIPT_NAMES[current]}"]
        lines += [f"/script {word} — {SCRIPT_NAMES[name]}" for word, name in
                  (("auto", "auto"), ("简体", "simplified"), ("繁体", "traditional"), ("原文", "original"))
                  if name != current]
        return self._reply(user, message_layout("\n".join(lines)))


def next_steps(answer: Answer) -> str:
    """The hint under an answer on a terminal: how to page on and how to see context or a citation."""
    if not answer.hits:
        return ""
    steps = [f"/context {answer.citations[0].number} 上下文", f"/cite {answer.citations[0].number} 引用"]
    if answer.offset + len(answer.hits) < answer.total:
        steps.insert(0, "more 更多结果")
    return "（" + " · ".join(steps) + "）"
