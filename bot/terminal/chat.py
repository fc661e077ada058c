"""The terminal chat: the bot's answers and commands, read line by line from stdin (a tty or a pipe)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.replies.commands import Commands
from bot.replies.engine import Engine
from bot.replies.i18n import text
from bot.replies.layout import Layout, message_layout
from bot.terminal.line_input import LineReader, StreamReader
from bot.readers.notebook import NotebookStore
from bot.readers.prefs import PrefsStore
from bot.replies.query import Query, parse_query
from bot.replies.render import terminal_text
from index.answer.cite import CitationSystem
from index.errors import QaError, UnknownItemError

QUIT = {"/quit", "/exit", "quit", "exit"}
MORE = {"more", "/more", "更多"}
USER = "terminal"  # the one reader of a terminal chat, whose settings live with the bot's


@dataclass
class ChatSession:
    """One terminal conversation: the last question, where its paging stands and the passages shown."""

    commands: Commands
    query: Query | None = None
    next_offset: int = 0
    shown: dict[int, str] = field(default_factory=dict)  # citation number -> chunk id

    def ask(self, query: Query, offset: int = 0) -> tuple[Layout, str]:
        """An answer page for a query, remembering it for `more`, `/context N` and `/cite N`."""
        answer, reply = self.commands.ask(USER, query, offset=offset)
        if offset == 0:
            self.query, self.shown = query, {}
        self.next_offset = answer.offset + len(answer.hits)
        self.shown.update({c.number: c.chunk_id for c in answer.citations})
        return reply.layout, reply.hint

    def export(self, folder: str) -> tuple[Layout, str]:
        """Write the notebook's files into a folder (default: ./notebook) and say where they are."""
        reply, files = self.commands.export(USER)
        if not files:
            return reply.layout, ""
        target = Path(folder).expanduser() if folder else Path.cwd() / "notebook"
        try:
            target.mkdir(parents=True, exist_ok=True)
            for file in files:
                (target / file.name).write_bytes(file.data)
        except OSError as error:
            reason = error.strerror or str(error)
            return message_layout(text("cannot_write", self.commands.language(USER), path=target, reason=reason)), ""
        return reply.layout, "\n".join(str(target / file.name) for file in files)

    def _passage(self, argument: str) -> str:
        number = int(argument) if argument.strip().isdigit() else 0
        if number not in self.shown:
            raise UnknownItemError(text("no_result", self.commands.language(USER), n=argument.strip() or "?"))
        return self.shown[number]

    def respond(self, line: str) -> tuple[Layout, str]:
        """The reply to one input line (a question or a command) and a hint to print under it."""
        command, _, argument = line.partition(" ")
        command = command.lower()
        if command in {"/help", "/start", "help"}:
            return self.commands.help(USER, surface="terminal").layout, ""
        if command == "/sources":
            return self.commands.sources(USER).layout, ""
        if command == "/places":
            return self.commands.places(USER).layout, ""
        if command == "/language":
            return self.commands.set_language(USER, argument).layout, ""
        if command == "/script":
            return self.commands.script(USER, argument).layout, ""
        if command == "/place":
            query = parse_query(line)
            if query.place is None:
                return self.commands.places(USER).layout, ""
            if not query.question:
                return self.commands.place(USER, query.place).layout, ""
            return self.ask(query)
        if command in MORE:
            if self.query is None:
                return message_layout(text("ask_first", self.commands.language(USER))), ""
            return self.ask(self.query, self.next_offset)
        if command == "/context":
            return self.commands.context(USER, self._passage(argument)).layout, ""
        if command == "/cite":
            return self.commands.cite(USER, self._passage(argument)).layout, ""
        if command == "/save":
            question = self.query.question if self.query else ""
            return self.commands.save(USER, self._passage(argument), question=question).layout, ""
        if command == "/notebook":
            if argument.strip().lower() in {"clear", "清空"}:
                return self.commands.clear_notebook(USER).layout, ""
            return self.commands.show_notebook(USER, surface="terminal").layout, ""
        if command == "/export":
            return self.export(argument.strip())
        return self.ask(parse_query(line))


def run_chat(engine: Engine, *, stdin: TextIO, stdout: TextIO, page_size: int = 3, context_radius: int = 1,
             ansi: bool = False, prompt: bool = False, prefs: PrefsStore | None = None,
             notebook: NotebookStore | None = None, reader: LineReader | None = None,
             citation_system: CitationSystem = "numeric") -> int:
    """Answers each line until end of input, /quit or Ctrl-C at the prompt; prompts only when a person types.

    Ctrl-C while an answer is being found abandons that answer and gives the prompt back.
    """
    commands = Commands(engine, prefs or PrefsStore(None), notebook=notebook, page_size=page_size,
                        context_radius=context_radius, citation_system=citation_system)
    session = ChatSession(commands)
    reader = reader or StreamReader(stdin, stdout, show_prompt=prompt)
    if prompt:
        stdout.write(text("banner", commands.language(USER)) + "\n")
    try:
        while True:
            try:
                line = reader.read("\n> " if prompt else "")
            except KeyboardInterrupt:  # Ctrl-C at the prompt: leave quietly, no traceback
                stdout.write("\n")
                return 0
            if line is None or line.strip().lower() in QUIT:
                return 0
            if not line.strip():
                continue
            try:
                layout, hint = session.respond(line.strip())
            except QaError as error:  # expected: its message is written for users
                layout, hint = commands.error(USER, error).layout, ""
            except KeyboardInterrupt:
                layout, hint = message_layout(text("interrupted", commands.language(USER))), ""
            # A blank line separates replies when output goes to a pipe; the prompt does it on a tty.
            stdout.write(terminal_text(layout, ansi=ansi) + (f"\n{hint}" if hint else "") + ("\n" if prompt else "\n\n"))
            stdout.flush()
    finally:
        reader.close()
