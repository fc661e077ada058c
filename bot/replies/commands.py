"""The command set both front ends share: plain values in, a Reply (layout, buttons, hint) out.

bot/telegram_bot/handlers.py (Telegram) and bot/terminal/chat.py only read input, call these, and render what comes back,
so a command behaves the same in both. Each reply is in the reader's language (/language) and script
(/script); both settings are kept per reader.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from bot.replies.callbacks import Button, answer_buttons, place_buttons, practice_buttons
from bot.replies.engine import Engine, suggestions
from bot.readers.export import ExportFile, Labels, NoteItem, export_files
from bot.replies.i18n import LANGUAGE_WORDS, Language, error_text, language_from_code, text
from bot.replies.layout import (
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
from bot.readers.notebook import NotebookStore, passage_digest, saved_chunk, saved_copy, saved_document
from bot.readers.prefs import PrefsStore
from bot.replies.query import Query
from index.errors import QaError
from index.answer.cite import CitationSystem
from index.records import Answer, Chunk
from index.text.script import question_script, resolve_script

# What a reader may type after /script, in either language.
SCRIPT_WORDS = {
    "auto": "auto", "自动": "auto", "自動": "auto",
    "simplified": "simplified", "简体": "simplified", "簡體": "simplified", "简": "simplified", "s": "simplified",
    "traditional": "traditional", "繁体": "traditional", "繁體": "traditional", "繁": "traditional",
    "t": "traditional", "original": "original", "原文": "original", "report": "original",
}
_SCRIPT_WORD = {"zh": {"auto": "auto", "simplified": "简体", "traditional": "繁体", "original": "原文"},
                "en": {"auto": "auto", "simplified": "simplified", "traditional": "traditional", "original": "original"}}


PLACES_WITHIN = 12
# A button's passage moved when a paragraph was inserted or removed above it: it is looked for this many
# passages either side (one report's few edits between rebuilds), else the reader is told it changed.
MOVED_WITHIN = 5


@dataclass(frozen=True, slots=True)
class Reply:
    """What a command shows: a layout, buttons under it (Telegram), and a hint line (terminal)."""

    layout: Layout
    buttons: tuple[tuple[Button, ...], ...] = ()
    hint: str = ""


class Commands:
    """Every command of the assistant, over one engine, the readers' settings and their notebooks."""

    def __init__(self, engine: Engine, prefs: PrefsStore, *, notebook: NotebookStore | None = None,
                 page_size: int = 3, context_radius: int = 1, citation_system: CitationSystem = "numeric") -> None:
        self.engine = engine
        self.prefs = prefs
        self.notebook = notebook or NotebookStore(None)
        self.page_size = page_size
        self.context_radius = context_radius
        self.citation_system = citation_system

    def language(self, user: str) -> Language:
        """The reader's language: chosen with /language, else Chinese."""
        return "en" if self.prefs.get(user).language == "en" else "zh"

    def meet(self, user: str, language_code: str | None) -> None:
        """First contact: take the reader's language from Telegram's language_code unless already chosen."""
        if not self.prefs.get(user).language and language_code is not None:
            self.prefs.update(user, language=language_from_code(language_code))

    def script_for(self, user: str, question: str = "") -> str:
        """The script a reader's passages are shown in, for this question (inline mode too)."""
        return self._script(user, question)

    def _script(self, user: str, question: str = "") -> str:
        prefs = self.prefs.get(user)
        asked = question_script(question)
        if asked and asked != prefs.last_script:
            self.prefs.update(user, last_script=asked)
        return resolve_script(prefs.script, question, fallback=prefs.last_script or "simplified")

    def _reply(self, user: str, layout: Layout, *, question: str = "", buttons: Sequence[Sequence[Button]] = (),
               hint: str = "", script: str | None = None) -> Reply:
        shown = script or self._script(user, question)
        return Reply(for_reader(layout, shown), tuple(tuple(row) for row in buttons), hint)

    def _say(self, user: str, key: str, **values: object) -> Reply:
        return self._reply(user, message_layout(text(key, self.language(user), **values)))

    def notice(self, user: str, key: str) -> Reply:
        """A fixed notice (an expired button, an apology) in the reader's language."""
        return self._say(user, key)

    def error(self, user: str, error: QaError) -> Reply:
        """An expected error's message, written for users, in the reader's language."""
        return self._reply(user, message_layout(error_text(error, self.language(user))))

    def help(self, user: str, *, surface: Surface, bot_username: str = "") -> Reply:
        """/start and /help: what the reports cover and how to ask."""
        layout = help_layout(reports=len(self.engine.documents()), places=self.engine.places(),
                             topics=self.engine.topics(), surface=surface, bot_username=bot_username,
                             language=self.language(user))
        return self._reply(user, layout)

    def sources(self, user: str) -> Reply:
        """/sources: the reports answers are drawn from."""
        return self._reply(user, sources_layout(self.engine.documents(), language=self.language(user)))

    def places(self, user: str) -> Reply:
        """/places: places with report counts, a button for each."""
        places = self.engine.places()
        return self._reply(user, places_layout(places, language=self.language(user)), buttons=place_buttons(places))

    def place(self, user: str, place: str) -> Reply:
        """/place 南山: a digest of a place: its named practices with the passage behind each, its reports,
        and the places under it that the reports mention."""
        summary = self.engine.place_summary(place)
        layout = place_layout(summary, within=summary.within[:PLACES_WITHIN], language=self.language(user))
        return self._reply(user, layout, buttons=practice_buttons([(p.name, p.chunk_id) for p in summary.digest]))

    def ask(self, user: str, query: Query, *, offset: int = 0, key: str = "", limit: int | None = None,
            script: str | None = None) -> tuple[Answer, Reply]:
        """A question's page of passages; `key` (a stored question) puts paging buttons under it.

        limit: passages on the page (default page_size); script: this page's script instead of the reader's.
        """
        answer = self.engine.answer(query.question, place=query.place, offset=offset, limit=limit or self.page_size)
        language = self.language(user)
        if answer.abstained:
            topics, places = suggestions(self.engine)
            layout = answer_layout(answer, topics=topics, places=places, language=language)
            return answer, self._reply(user, layout, question=query.question, script=script)
        buttons = answer_buttons(answer, key, language=language) if key else []
        return answer, self._reply(user, answer_layout(answer, language=language), question=query.question,
                                   buttons=buttons, hint=next_steps(answer, language), script=script)

    def _passage(self, chunk_id: str, digest: str) -> tuple[Chunk, bool]:
        """The passage a button was made for (found nearby if it moved), and whether it changed since."""
        chunk = self.engine.chunk(chunk_id)
        if not digest or passage_digest(chunk.text).startswith(digest):
            return chunk, False
        for near in self.engine.neighbours(chunk_id, radius=MOVED_WITHIN):
            if passage_digest(near.text).startswith(digest):
                return near, False
        return chunk, True

    def _changed(self, user: str, reply: Reply, changed: bool) -> Reply:
        if not changed:
            return reply
        notice = message_layout(text("passage_changed", self.language(user)))
        return Reply(for_reader(notice, self._script(user)) + reply.layout, reply.buttons, reply.hint)

    def context(self, user: str, chunk_id: str, *, digest: str = "") -> Reply:
        """The passages around a passage in its report; `digest` (from a button) tells an edited report."""
        chunk, changed = self._passage(chunk_id, digest)
        neighbours = self.engine.neighbours(chunk.chunk_id, radius=self.context_radius)
        layout = context_layout(chunk.chunk_id, neighbours, self.engine.document(chunk.doc_id),
                                language=self.language(user))
        return self._changed(user, self._reply(user, layout), changed)

    def cite(self, user: str, chunk_id: str, *, digest: str = "", today: datetime.date | None = None) -> Reply:
        """A passage quoted with its in-text citation, and its report's GB/T 7714 reference."""
        chunk, changed = self._passage(chunk_id, digest)
        layout = cite_layout(chunk, self.engine.document(chunk.doc_id), accessed=today or datetime.date.today(),
                             language=self.language(user), system=self.citation_system,
                             script=self._script(user))
        return self._changed(user, self._reply(user, layout), changed)

    def save(self, user: str, chunk_id: str, *, digest: str = "", question: str = "",
             today: datetime.date | None = None) -> Reply:
        """Save a copy of a passage to the reader's notebook (the day saved is cited as the access date)."""
        chunk, changed = self._passage(chunk_id, digest)  # an unknown passage says so before anything is saved
        if changed:
            return self._say(user, "passage_changed_save")
        saved_on = (today or datetime.date.today()).isoformat()
        entry = saved_copy(chunk, self.engine.document(chunk.doc_id), question=question, saved_on=saved_on)
        outcome = self.notebook.add(user, entry)
        return self._say(user, outcome, n=len(self.notebook.entries(user)))

    def _saved(self, user: str) -> tuple[list[NoteItem], int, int, int]:
        """The reader's saved passages as saved, and how many are gone (old entries without a copy),
        changed or no longer in the index since."""
        items: list[NoteItem] = []
        missing = changed = gone = 0
        for entry in self.notebook.entries(user):
            saved_on = datetime.date.fromisoformat(entry.saved_on) if entry.saved_on else datetime.date.today()
            chunk, document = saved_chunk(entry), saved_document(entry)
            try:
                current = self.engine.chunk(entry.chunk_id)
            except QaError:  # the index was rebuilt without it
                current = None
            if chunk is None or document is None:  # saved before notebooks kept copies: the index's text
                if current is None:
                    missing += 1
                    continue
                chunk, document = current, self.engine.document(current.doc_id)
            elif current is None:
                gone += 1
            elif passage_digest(current.text) != entry.digest:
                changed += 1
            items.append(NoteItem(chunk, document, saved_on))
        return items, missing, changed, gone

    def _with_changes(self, user: str, reply: Reply, changed: int, gone: int) -> Reply:
        if not changed and not gone:
            return reply
        notice = message_layout(text("notebook_changed", self.language(user), changed=changed, gone=gone))
        return Reply(reply.layout + for_reader(notice, self._script(user)), reply.buttons, reply.hint)

    def show_notebook(self, user: str, *, surface: Surface) -> Reply:
        """/notebook: the passages a reader saved, as saved, oldest first."""
        items, missing, changed, gone = self._saved(user)
        layout = notebook_layout([(i.chunk, i.document) for i in items], missing=missing, surface=surface,
                                 language=self.language(user))
        return self._with_changes(user, self._reply(user, layout), changed, gone)

    def unsave(self, user: str, chunk_id: str) -> Reply:
        """Take one passage out of the reader's notebook."""
        if self.notebook.remove(user, chunk_id):
            return self._say(user, "removed", n=len(self.notebook.entries(user)))
        return self._say(user, "not_in_notebook")

    def clear_notebook(self, user: str) -> Reply:
        """/notebook clear: empty the reader's notebook."""
        return self._say(user, "notebook_cleared", n=self.notebook.clear(user))

    def export(self, user: str, *, today: datetime.date | None = None) -> tuple[Reply, list[ExportFile]]:
        """/export: the notebook as saved, as Word (with footnotes), Markdown, RIS and CSL-JSON, in the reader's script."""
        items, missing, changed, gone = self._saved(user)
        if not items:
            return self._say(user, "nothing_to_export"), []
        language = self.language(user)
        script = self._script(user)
        labels = Labels(title=text("export_title", language), references=text("export_references", language),
                        source=text("export_source", language), exported=text("export_date", language),
                        quotes=text("export_quotes", language, name=text(
                            f"script_{script}" if script in ("simplified", "traditional") else "script_as_reported",
                            language)),
                        original=text("original_source", language), doubtful=text("doubtful", language))
        files = export_files(items, script=script, today=today or datetime.date.today(), labels=labels,
                             system=self.citation_system, language=language)
        skipped = text("export_skipped", language, n=missing) if missing else ""
        reply = self._say(user, "exported", n=len(items), skipped=skipped)
        return self._with_changes(user, reply, changed, gone), files

    def script(self, user: str, argument: str) -> Reply:
        """/script [auto|简体|繁体|原文]: the script passages and quotes are shown in, kept per user."""
        word = argument.strip()
        choice = SCRIPT_WORDS.get(word.lower())
        if word and choice is None:
            return self._say(user, "script_unknown", word=word)
        if choice is not None:
            self.prefs.update(user, script=choice)
        language, current = self.language(user), self.prefs.get(user).script
        lines = [text("script_now", language, name=text(f"script_{current}", language))]
        lines += [f"/script {_SCRIPT_WORD[language][name]} — {text(f'script_{name}', language)}"
                  for name in ("auto", "simplified", "traditional", "original") if name != current]
        return self._reply(user, message_layout("\n".join(lines)))

    def set_language(self, user: str, argument: str) -> Reply:
        """/language [zh|en]: the language of every label, help text and error, kept per user."""
        word = argument.strip()
        choice = LANGUAGE_WORDS.get(word.lower())
        if word and choice is None:
            return self._say(user, "language_unknown", word=word)
        if choice is not None:
            self.prefs.update(user, language=choice)
        return self._say(user, "language_now")


def next_steps(answer: Answer, language: str = "zh") -> str:
    """The hint under an answer on a terminal: how to page on and how to see context or a citation."""
    if not answer.hits:
        return ""
    first = answer.citations[0].number
    steps = [text(key, language, n=first) for key in ("hint_context", "hint_cite", "hint_save")]
    if answer.offset + len(answer.hits) < answer.total:
        steps.insert(0, text("hint_more", language))
    return ("（" + " · ".join(steps) + "）") if language != "en" else "(" + " · ".join(steps) + ")"
