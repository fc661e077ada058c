"""The command set both front ends share: plain values in, a Reply (layout, buttons, hint) out.

bot/telegram_bot/handlers.py (Telegram) and bot/terminal/chat.py only read input, call these, and render what comes back,
so a command behaves the same in both. Each reply is in the reader's language (/language) and script
(/script); both settings are kept per reader.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.replies.callbacks import Button, answer_buttons, place_buttons, practice_buttons
from bot.replies.engine import Engine, suggestions
from bot.readers.export import ExportFile, Labels, NoteItem, export_files
from bot.replies.i18n import LANGUAGE_WORDS, Language, error_text, language_from_code, text
from bot.replies.layout import (
    Layout,
    Practice,
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
from bot.readers.notebook import MAX_SAVED, NotebookStore, Saved
from bot.readers.prefs import PrefsStore
from bot.replies.query import Query
from index.chunk.cut import split_sentences
from index.text.clean import fold
from index.errors import QaError
from index.records import Answer, PlaceSummary
from index.text.script import resolve_script, script_of

# What a reader may type after /script, in either language.
SCRIPT_WORDS = {
    "auto": "auto", "自动": "auto", "自動": "auto",
    "simplified": "simplified", "简体": "simplified", "簡體": "simplified", "简": "simplified", "s": "simplified",
    "traditional": "traditional", "繁体": "traditional", "繁體": "traditional", "繁": "traditional",
    "t": "traditional", "original": "original", "原文": "original", "report": "original",
}
_SCRIPT_WORD = {"zh": {"auto": "auto", "simplified": "简体", "traditional": "繁体", "original": "原文"},
                "en": {"auto": "auto", "simplified": "simplified", "traditional": "traditional", "original": "original"}}


# A digest lists this many named practices, most mentioned first: one phone screen; the rest are a
# `/place 南山 <question>` away.
DIGEST_PRACTICES = 8
PLACES_WITHIN = 12
_FIGURE = re.compile(r"[0-9+%]|^[一二三四五六七八九十百千两几]+[项个条类大种]")
# Named practices in the reports are short ("五邻营造", "网格议事日", "三联三领三服务", "组织部长访村居书记",
# 4–9 characters); quoted slogans run longer or list clauses ("推动社会治理重心向基层下移",
# "书记讲给书记听、书记做给书记看"), so a name over 10 characters or with a clause break is not listed.
PRACTICE_MAX_CHARS = 10
_CLAUSE_BREAK = re.compile(r"[、，,；;：:]")


def sentence_naming(text: str, name: str) -> str:
    """The sentence of a passage that names a practice (the passage's first sentence if none does)."""
    spans = split_sentences(text)
    for start, end in spans:
        if fold(name) in fold(text[start:end]):
            return text[start:end]
    return text[spans[0][0]:spans[0][1]] if spans else text


@dataclass(frozen=True, slots=True)
class Reply:
    """What a command shows: a layout, buttons under it (Telegram), and a hint line (terminal)."""

    layout: Layout
    buttons: tuple[tuple[Button, ...], ...] = ()
    hint: str = ""


class Commands:
    """Every command of the assistant, over one engine, the readers' settings and their notebooks."""

    def __init__(self, engine: Engine, prefs: PrefsStore, *, notebook: NotebookStore | None = None,
                 page_size: int = 3, context_radius: int = 1) -> None:
        self.engine = engine
        self.prefs = prefs
        self.notebook = notebook or NotebookStore(None)
        self.page_size = page_size
        self.context_radius = context_radius

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
        asked = script_of(question)
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
        practices = self._practices(summary)
        layout = place_layout(summary, practices=practices, within=summary.within[:PLACES_WITHIN],
                              language=self.language(user))
        return self._reply(user, layout, buttons=practice_buttons([(p.name, p.chunk_id) for p in practices]))

    def _practices(self, summary: PlaceSummary) -> list[Practice]:
        # The passage behind a name is the best answer to the quoted name in that place that contains it;
        # counted things ("十项举措", "1+3+N") are figures, not practices.
        found: list[Practice] = []
        home = summary.place.split("、")[0]
        for name in summary.practices:
            if _FIGURE.search(fold(name)) or len(name) > PRACTICE_MAX_CHARS or _CLAUSE_BREAK.search(name):
                continue
            try:
                answer = self.engine.answer(f"“{name}”", place=home, limit=3)
            except QaError:
                continue
            # A name in 《》 is a document's title (a policy, a plan), not a practice.
            hit = next((h for h in answer.hits if fold(name) in fold(h.chunk.text)
                        and f"《{fold(name)}》" not in fold(h.chunk.text)), None)
            if hit is not None:
                found.append(Practice(name, hit.chunk.chunk_id, sentence_naming(hit.chunk.text, name)))
            if len(found) == DIGEST_PRACTICES:
                break
        return found

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

    def context(self, user: str, chunk_id: str) -> Reply:
        """The passages around a passage in its report."""
        chunk = self.engine.chunk(chunk_id)
        neighbours = self.engine.neighbours(chunk.chunk_id, radius=self.context_radius)
        layout = context_layout(chunk.chunk_id, neighbours, self.engine.document(chunk.doc_id),
                                language=self.language(user))
        return self._reply(user, layout)

    def cite(self, user: str, chunk_id: str, *, today: datetime.date | None = None) -> Reply:
        """A passage quoted with its in-text citation, and its report's GB/T 7714 reference."""
        chunk = self.engine.chunk(chunk_id)
        layout = cite_layout(chunk, self.engine.document(chunk.doc_id), accessed=today or datetime.date.today(),
                             language=self.language(user))
        return self._reply(user, layout)

    def save(self, user: str, chunk_id: str, *, question: str = "", today: datetime.date | None = None) -> Reply:
        """Save a passage to the reader's notebook (the day saved is cited as the access date)."""
        chunk = self.engine.chunk(chunk_id)  # an unknown passage says so before anything is saved
        saved_on = (today or datetime.date.today()).isoformat()
        if self.notebook.add(user, Saved(chunk.chunk_id, question, saved_on)):
            return self._say(user, "saved", n=len(self.notebook.entries(user)))
        if len(self.notebook.entries(user)) >= MAX_SAVED:
            return self._say(user, "notebook_full", n=MAX_SAVED)
        return self._say(user, "already_saved")

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
        layout = notebook_layout([(i.chunk, i.document) for i in items], missing=missing, surface=surface,
                                 language=self.language(user))
        return self._reply(user, layout)

    def unsave(self, user: str, chunk_id: str) -> Reply:
        """Take one passage out of the reader's notebook."""
        if self.notebook.remove(user, chunk_id):
            return self._say(user, "removed", n=len(self.notebook.entries(user)))
        return self._say(user, "not_in_notebook")

    def clear_notebook(self, user: str) -> Reply:
        """/notebook clear: empty the reader's notebook."""
        return self._say(user, "notebook_cleared", n=self.notebook.clear(user))

    def export(self, user: str, *, today: datetime.date | None = None) -> tuple[Reply, list[ExportFile]]:
        """/export: the notebook as Word (with footnotes), Markdown, RIS and CSL-JSON, in the reader's script."""
        items, missing = self._saved(user)
        if not items:
            return self._say(user, "nothing_to_export"), []
        language = self.language(user)
        labels = Labels(*(text(key, language) for key in
                          ("export_title", "export_references", "export_source", "export_date")))
        files = export_files(items, script=self._script(user), today=today or datetime.date.today(), labels=labels)
        skipped = text("export_skipped", language, n=missing) if missing else ""
        return self._say(user, "exported", n=len(items), skipped=skipped), files

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
