"""`python -m bot` runs the Telegram bot; `python -m bot chat` the terminal chat. The only place logging is set."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from bot.replies.engine import Engine
from bot.replies.live import IndexInfo, LiveEngine
from bot.logs import configure_logging
from bot.settings import MISSING_TOKEN_MESSAGE, BotSettings
from index.errors import QaError
from index.logs import add_logging_options, chosen_level
from index.settings import IndexSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reports-qa-bot", description="Cited answers from the reports "
                                     "(also `python -m bot`).")
    add_logging_options(parser)
    parser.add_argument("mode", nargs="?", choices=["telegram", "chat", "check"], default="telegram",
                        help="telegram (default; needs BOT_TOKEN), chat (terminal) or check (health check)")
    parser.add_argument("--no-model", action="store_true",
                        help="check: skip loading the model (a cheap periodic health check)")
    return parser


def _chat(engine: Engine, settings: BotSettings) -> int:
    from bot.terminal.line_input import LineReader, ReadlineReader, completions, use_colour
    from bot.readers.notebook import NotebookStore
    from bot.readers.prefs import PrefsStore
    from bot.terminal.chat import run_chat

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    reader: LineReader | None = None
    if interactive:
        def complete(line: str, word: str) -> list[str]:
            return completions(line, word, places=[name for name, _ in engine.places()])

        try:
            reader = ReadlineReader(settings.state_dir / "terminal-history", complete)
        except ImportError:  # no readline on this platform: plain input still works
            reader = None
    return run_chat(engine, stdin=sys.stdin, stdout=sys.stdout, page_size=settings.page_size,
                    context_radius=settings.context_radius, ansi=use_colour(sys.stdout.isatty(), os.environ),
                    prompt=sys.stdin.isatty(), prefs=PrefsStore(settings.state_dir / "terminal-prefs.json"),
                    notebook=NotebookStore(settings.state_dir / "terminal-notebook.json"), reader=reader)


def main(argv: Sequence[str] | None = None) -> int:
    """Starts the chosen front end; returns the process exit status."""
    args = _parser().parse_args(argv)
    try:
        level = chosen_level(args, default=logging.INFO if args.mode == "telegram" else logging.WARNING)
    except QaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.mode == "check":
        from bot.check import run_checks

        return run_checks(sys.stdout, model=not args.no_model)
    settings = BotSettings()
    if args.mode == "telegram" and settings.token is None:
        print(MISSING_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    token = settings.token.get_secret_value() if settings.token else ""
    secrets = [token, settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""]
    configure_logging(level=level, secrets=secrets)

    index_settings = IndexSettings()
    try:
        engine = _open(index_settings)
    except QaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.mode == "chat":
        return _chat(engine, settings)
    from telegram.error import InvalidToken

    from bot.telegram_bot.app import run_application

    try:
        run_application(engine, settings)
    except InvalidToken:
        print("error: Telegram rejected BOT_TOKEN (401 Unauthorized); get a new token from @BotFather.",
              file=sys.stderr)
        return 1
    except Exception:  # logged through the redacting formatter, never printed raw with the token in it
        logging.getLogger(__name__).exception("the bot stopped")
        return 1
    return 0


def _open(settings: IndexSettings) -> LiveEngine:
    """The engine over the index in use, reloadable; the model is loaded once and kept across reloads."""
    from index.answer.engine import open_engine  # loads the model runtime: only after the cheap checks above
    from index.model.embed import load_embedder
    from index.store.folder import check_index, index_version, read_manifest

    manifest = check_index(settings.index_dir)  # a missing or damaged index is reported before the model load
    embedder = load_embedder(settings, indexed=(manifest.runtime, manifest.precision))

    def load() -> tuple[Engine, IndexInfo]:
        version = index_version(settings.index_dir)
        engine = open_engine(settings, embedder=embedder)
        manifest = read_manifest(settings.index_dir)
        return engine, IndexInfo(version, manifest.documents, manifest.passages, manifest.built_at)

    return LiveEngine(load, lambda: index_version(settings.index_dir))


if __name__ == "__main__":
    sys.exit(main())
