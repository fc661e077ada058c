"""`python -m bot` runs the Telegram bot; `python -m bot chat` the terminal chat. The only place logging is set."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.settings import MISSING_TOKEN_MESSAGE, BotSettings
from index.errors import QaError
from index.settings import IndexSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Cited answers from the reports.")
    parser.add_argument("mode", nargs="?", choices=["telegram", "chat"], default="telegram",
                        help="telegram (default; needs BOT_TOKEN) or chat (terminal)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Starts the chosen front end; returns the process exit status."""
    args = _parser().parse_args(argv)
    settings = BotSettings()
    if args.mode == "telegram" and settings.token is None:
        print(MISSING_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s",
                        level=logging.INFO if args.mode == "telegram" else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every getUpdates poll at INFO

    from index.answer import open_engine  # loads torch: only after the cheap checks above

    try:
        engine = open_engine(IndexSettings())
    except QaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.mode == "chat":
        from bot.terminal import run_chat

        return run_chat(engine, stdin=sys.stdin, stdout=sys.stdout, page_size=settings.page_size,
                        context_radius=settings.context_radius, ansi=sys.stdout.isatty(), prompt=sys.stdin.isatty())
    from bot.app import run_application

    run_application(engine, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
