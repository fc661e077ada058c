"""`python -m bot check`: is this installation ready to serve? Settings, index, model, Telegram; for health checks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from pydantic import ValidationError

from bot.logs import RedactingFormatter
from bot.settings import BotSettings
from index.errors import QaError
from index.settings import IndexSettings

TELEGRAM_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report: what was checked, whether it passed, and what was found or is wrong."""

    name: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def check_settings() -> tuple[Check, IndexSettings | None, BotSettings | None]:
    """settings.toml, .env and the environment parse, with no unknown keys."""
    try:
        index, bot = IndexSettings(), BotSettings()
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return Check("settings", False, f"{where}: {first['msg']} (settings.toml or the environment)"), None, None
    detail = f"index {index.index_dir}, corpus {index.corpus_dir}"
    if not bot.allowed_users and not bot.allowed_chats:
        detail += "; no allowlist: anyone may use the bot"
    return Check("settings", True, detail), index, bot


def check_index(settings: IndexSettings) -> Check:
    """Every file of the index in use is there and as written."""
    from index.store.folder import check_index as verify

    try:
        manifest = verify(settings.index_dir, full=True)  # every byte: start-ups check only sizes of large files
    except QaError as error:
        return Check("index", False, str(error))
    return Check("index", True, f"{manifest.documents} reports, {manifest.passages} passages, "
                                f"built {manifest.built_at} with {manifest.model}")


def check_model(settings: IndexSettings) -> Check:
    """The configured model loads from disk and embeds a question with the index's dimension."""
    from index.model.embed import load_embedder
    from index.store.folder import read_manifest

    try:
        manifest = read_manifest(settings.index_dir)
        embedder = load_embedder(settings, indexed=(manifest.runtime, manifest.precision))
        vector = embedder.encode_queries(["党建引领基层治理"])
        expected = manifest.dimension
    except QaError as error:
        return Check("model", False, str(error))
    except Exception as error:  # a health check reports, it does not crash
        return Check("model", False, f"{type(error).__name__}: {error}")
    if vector.shape[1] != expected:
        return Check("model", False, f"embeds in {vector.shape[1]} dimensions, the index has {expected}; "
                                     "run `python -m index build`")
    return Check("model", True, f"{embedder.name} ({vector.shape[1]} dimensions)")


def check_telegram(settings: BotSettings, timeout_s: float = TELEGRAM_TIMEOUT_S) -> Check:
    """The Bot API answers getMe for the token (skipped, and passing, when no token is set: terminal use)."""
    if settings.token is None:
        return Check("telegram", True, "skipped: BOT_TOKEN is not set (terminal chat only)")
    token = settings.token.get_secret_value()
    redact = RedactingFormatter("%(message)s", [token]).redact
    try:
        username = asyncio.run(_get_me(token, settings.base_url, timeout_s))
    except Exception as error:  # InvalidToken, NetworkError, TimedOut…: each is one line here
        from telegram.error import InvalidToken

        if isinstance(error, InvalidToken):
            return Check("telegram", False, "BOT_TOKEN was rejected (401); get a new one from @BotFather")
        return Check("telegram", False, redact(f"{settings.base_url} unreachable: {type(error).__name__}: {error}"))
    return Check("telegram", True, f"@{username} via {settings.base_url}")


async def _get_me(token: str, base_url: str, timeout_s: float) -> str:
    from telegram import Bot
    from telegram.request import HTTPXRequest

    request = HTTPXRequest(connect_timeout=timeout_s, read_timeout=timeout_s)
    async with Bot(token, base_url=base_url, request=request) as bot:
        return bot.username


def run_checks(out: TextIO, *, model: bool = True, telegram: Callable[[BotSettings], Check] = check_telegram) -> int:
    """Prints one line per check; 0 when all pass, 1 otherwise (a container or systemd health check)."""
    settings_check, index_settings, bot_settings = check_settings()
    checks = [settings_check]
    if index_settings is not None and bot_settings is not None:
        checks.append(check_index(index_settings))
        if checks[-1].ok and model:
            checks.append(check_model(index_settings))
        checks.append(telegram(bot_settings))
    for check in checks:
        print(check, file=out)
    return 0 if all(c.ok for c in checks) else 1
