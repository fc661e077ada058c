"""`python -m bot check`: is this installation ready to serve? The same checks the bot's start makes
(settings, state folder, index, model, Telegram), each one line; for health checks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from pydantic import ValidationError
from pydantic_settings import SettingsError

from bot.logs import RedactingFormatter
from bot.readers.state import private_dir, write_private
from bot.settings import BotSettings
from index.errors import QaError
from index.settings import IndexSettings, settings_error_line

if TYPE_CHECKING:
    from bot.replies.live import LiveEngine

TELEGRAM_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report: what was checked, whether it passed, and what was found or is wrong."""

    name: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


class SettingsProblem(Exception):
    """The settings cannot be used; the message is one line naming the setting and where to fix it."""


def load_settings() -> tuple[IndexSettings, BotSettings]:
    """Both settings classes from settings.toml, .env and the environment; SettingsProblem, never a value."""
    try:
        return IndexSettings(), BotSettings()
    except (ValidationError, SettingsError, ValueError, KeyError, OSError) as error:  # TOMLDecodeError: ValueError
        raise SettingsProblem(settings_error_line(error)) from None


def check_settings() -> tuple[Check, IndexSettings | None, BotSettings | None]:
    """settings.toml, .env and the environment parse, with no unknown keys and no secret in settings.toml."""
    try:
        index, bot = load_settings()
    except SettingsProblem as error:
        return Check("settings", False, str(error)), None, None
    detail = f"index {index.index_dir}, corpus {index.corpus_dir}"
    if not bot.allowed_users and not bot.allowed_chats:
        detail += "; no allowlist: anyone may use the bot"
    return Check("settings", True, detail), index, bot


def check_state(settings: BotSettings) -> Check:
    """The state folder (readers' notebooks, settings, questions) can be created private and written."""
    probe = settings.state_dir / ".write-check"
    try:
        private_dir(settings.state_dir)
        write_private(probe, b"ok")
        probe.unlink()
    except OSError as error:
        return Check("state", False, f"cannot write {settings.state_dir} ({error.strerror or error}); make it a "
                                     "writable folder or set BOT_STATE_DIR to one")
    return Check("state", True, f"{settings.state_dir} (owner-only)")


def check_index(settings: IndexSettings) -> Check:
    """Every file of the index in use is there and as written, and its records agree with its manifest."""
    from index.store.folder import check_index as verify
    from index.store.folder import read_records

    try:
        manifest = verify(settings.index_dir, full=True)  # every byte: start-ups check only sizes of large files
        read_records(settings.index_dir).close()  # the counts the bot's start compares with the manifest
    except QaError as error:
        return Check("index", False, str(error))
    except OSError as error:
        return Check("index", False, f"cannot read {settings.index_dir} ({error.strerror or error}); "
                                     "set INDEX_INDEX_DIR or run `reports-qa build`")
    return Check("index", True, f"{manifest.documents} reports, {manifest.passages} passages, "
                                f"built {manifest.built_at} with {manifest.model}")


def open_live_engine(settings: IndexSettings) -> LiveEngine:
    """The engine over the index in use, reloadable, exactly as the bot starts it; the model is loaded
    once and kept across reloads. QaError when the index or model cannot serve."""
    from bot.replies.engine import Engine
    from bot.replies.live import IndexInfo, LiveEngine
    from index.answer.engine import open_engine  # loads the model runtime: only after the cheap checks
    from index.model.embed import load_embedder
    from index.store.folder import check_index as verify
    from index.store.folder import index_version, read_manifest

    manifest = verify(settings.index_dir)  # a missing or damaged index is reported before the model load
    embedder = load_embedder(settings, indexed=(manifest.runtime, manifest.precision))

    def load() -> tuple[Engine, IndexInfo]:
        version = index_version(settings.index_dir)
        engine = open_engine(settings, embedder=embedder)
        manifest = read_manifest(settings.index_dir)
        return engine, IndexInfo(version, manifest.documents, manifest.passages, manifest.built_at)

    return LiveEngine(load, lambda: index_version(settings.index_dir))


def check_model(settings: IndexSettings) -> Check:
    """The engine opens the way the bot opens it: model loaded, index loaded, a question embedded."""
    try:
        live = open_live_engine(settings)
    except QaError as error:
        return Check("model", False, str(error))
    except Exception as error:  # a health check reports, it does not crash
        return Check("model", False, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    live.close()
    return Check("model", True, f"index and model open: {live.info.documents} reports, {live.info.passages} passages")


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
        checks.append(check_state(bot_settings))
        checks.append(check_index(index_settings))
        if checks[-1].ok and model:
            checks.append(check_model(index_settings))
        checks.append(telegram(bot_settings))
    for check in checks:
        print(check, file=out)
    return 0 if all(c.ok for c in checks) else 1
