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
    notebook_layout,
    place_layout,
    places_layout,
    sources_layout,
)
from bot.export import ExportFile, NoteItem, export_files
from bot.notebook import MAX_SAVED, NotebookStore, Saved
from bot.prefs import PrefsStore
from bot.query import Query
from index.errors import QaError
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

    def __init__(self, engine: Engine, prefs: PrefsStore, *, notebook: NotebookStore | None = None,
                 page_size: int = 3, context_radius: int = 1) -> None:
        self.engine = engine
        self.prefs = prefs
        self.notebook = notebook or NotebookStore(None)
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

    def save(self, user: str, chunk_id: str, *, question: str = "", today: datetime.date | None = None) -> Reply:
        """Save a passage to the reader's notebook (the day saved is cited as the access date)."""
        chunk = self.engine.chunk(chunk_id)  # an unknown passage says so before anything is saved
        saved_on = (today or datetime.date.today()).isoformat()
        if self.notebook.add(user, Saved(chunk.chunk_id, question, saved_on)):
            text = f"已收藏，笔记本里现有 {len(self.notebook.entries(user))} 段。/notebook 查看，/export 导出。"
        elif len(self.notebook.entries(user)) >= MAX_SAVED:
            text = f"笔记本已满（{MAX_SAVED} 段）。请先 /export 导出，再 /notebook clear 清空。"
        else:
            text = "这段已经在笔记本里了。/notebook 查看。"
        return self._reply(user, message_layout(text))

    def _saved(self, user: str) -> tuple[list[NoteItem], int]:
        items, missing = [], 0
        for entry in self.notebook.entries(user):
            try:
                chunk = self.engine.chunk(entry.chunk_id)
            except QaError:  # the index was rebuilt without it
                missing += 1
                continue
            saved_on = datetime.date.fromisoformat(entry.saved_on) if entry.saved_on else datetime.date.today()
            items.append(NoteItem(chunk, self.engine.document(chunk.doc_id), saved_on))
        return items, missing

    def show_notebook(self, user: str, *, surface: Surface) -> Reply:
        """/notebook: the passages a reader saved, oldest first."""
        items, missing = self._saved(user)
        layout = notebook_layout([(i.chunk, i.document) for i in items], missing=missing, surface=surface)
        return self._reply(user, layout)

    def clear_notebook(self, user: str) -> Reply:
        """/notebook clear: empty the reader's notebook."""
        return self._reply(user, message_layout(f"笔记本已清空（{self.notebook.clear(user)} 段）。"))

    def export(self, user: str, *, today: datetime.date | None = None) -> tuple[Reply, list[ExportFile]]:
        """/export: the notebook as Word (with footnotes), Markdown, RIS and CSL-JSON, in the reader's script."""
        items, missing = self._saved(user)
        if not items:
            return self._reply(user, message_layout("笔记本是空的，没有可导出的段落。")), []
        script = self._script(user)
        files = export_files(items, script=script, today=today or datetime.date.today())
        skipped = f"（{missing} 段已不在索引中，略去）" if missing else ""
        text = f"已导出 {len(items)} 段{skipped}：Word 带脚注和参考文献表，Markdown，RIS 与 CSL-JSON 可导入 Zotero、EndNote、NoteExpress。"
        return self._reply(user, message_layout(text)), files

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
    first = answer.citations[0].number
    steps = [f"/context {first} 上下文", f"/cite {first} 引用", f"/save {first} 收藏"]
    if answer.offset + len(answer.hits) < answer.total:
        steps.insert(0, "more 更多结果")
    return "（" + " · ".join(steps) + "）"
