"""`python -m bot` runs the Telegram bot; `python -m bot chat` the terminal chat; `python -m bot serve` the web app.

The only place logging is set."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.logs import configure_logging
from bot.replies.engine import Engine
from bot.settings import MISSING_TOKEN_MESSAGE, BotSettings
from index.answer.cite import CitationSystem
from index.errors import QaError
from index.logs import add_logging_options, chosen_level
from index.settings import IndexSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reports-qa-bot", description="Cited answers from the reports "
                                     "(also `python -m bot`).")
    add_logging_options(parser)
    parser.add_argument("mode", nargs="?", choices=["telegram", "chat", "check", "serve"], default="telegram",
                        help="telegram (default; needs BOT_TOKEN), chat (terminal), check (health check) "
                             "or serve (web page and HTTP API)")
    parser.add_argument("--no-model", action="store_true",
                        help="check: skip loading the model (a cheap periodic health check)")
    parser.add_argument("--host", help="serve: address to bind (default: settings.toml [web] host, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="serve: port to bind (default: settings.toml [web] port)")
    return parser


def _chat(engine: Engine, settings: BotSettings, citation_system: CitationSystem) -> int:
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
                    notebook=NotebookStore(settings.state_dir / "terminal-notebook.json"), reader=reader,
                    citation_system=citation_system)


def main(argv: Sequence[str] | None = None) -> int:
    """Starts the chosen front end; returns the process exit status (2: fix a setting, 1: cannot serve)."""
    args = _parser().parse_args(argv)
    try:
        level = chosen_level(args, default=logging.INFO if args.mode == "telegram" else logging.WARNING)
    except QaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.mode == "check":
        from bot.check import run_checks

        return run_checks(sys.stdout, model=not args.no_model)
    if args.mode == "serve":
        return _serve(args, level)
    from bot.check import SettingsProblem, check_state, load_settings, open_live_engine

    try:
        index_settings, settings = load_settings()
    except SettingsProblem as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.mode == "telegram" and settings.token is None:
        print(MISSING_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    token = settings.token.get_secret_value() if settings.token else ""
    secrets = [token, settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""]
    configure_logging(level=level, secrets=secrets)

    if args.mode == "telegram" and not (state := check_state(settings)).ok:  # the same check as `bot check`
        print(f"error: {state.detail}", file=sys.stderr)
        return 2
    try:
        engine = open_live_engine(index_settings)
    except QaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: cannot read {index_settings.index_dir} ({error.strerror or error}); set INDEX_INDEX_DIR "
              "to an index folder or run `reports-qa build`", file=sys.stderr)
        return 1
    try:
        if args.mode == "chat":
            return _chat(engine, settings, index_settings.citation_system)
        return _telegram(engine, settings, index_settings.citation_system)
    finally:
        engine.close()


def _telegram(engine: Engine, settings: BotSettings, citation_system: CitationSystem) -> int:
    from telegram.error import InvalidToken, NetworkError

    from bot.telegram_bot.app import run_application

    try:
        run_application(engine, settings, citation_system=citation_system)
    except InvalidToken:
        print("error: Telegram rejected BOT_TOKEN (401 Unauthorized); get a new token from @BotFather and set it "
              "in the environment or .env", file=sys.stderr)
        return 1
    except NetworkError as error:  # webhook mode: long polling retries instead
        print(f"error: Bot API at {settings.base_url} unreachable ({type(error).__name__}); check the network or "
              "BOT_BASE_URL", file=sys.stderr)
        return 1
    except Exception:  # logged through the redacting formatter, never printed raw with the token in it
        logging.getLogger(__name__).exception("the bot stopped")
        return 1
    return 0


def _serve(args: argparse.Namespace, level: int) -> int:
    from bot.check import open_live_engine
    from bot.web.serve import run_web
    from bot.web.settings import WebSettings

    overrides = {key: value for key, value in (("host", args.host), ("port", args.port)) if value is not None}
    try:
        web_settings = WebSettings(**overrides)
    except ValidationError as error:  # a bad value in settings.toml [web] or a WEB_* variable, named on one line
        problems = "; ".join(f"web {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        print(f"error: {problems}", file=sys.stderr)
        return 2
    token = web_settings.access_token.get_secret_value() if web_settings.access_token else ""
    configure_logging(level=level, secrets=[token])
    try:
        engine = open_live_engine(IndexSettings())
    except QaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        run_web(engine, web_settings)
    except (OSError, ValueError) as error:  # the port is taken, or allowed_clients holds something not an address
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0



def _exit(status: int) -> None:
    # `python -m bot check | head`: a closed pipe is the reader's choice, not an error to show.
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(status)


if __name__ == "__main__":
    try:
        _exit(main())
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
