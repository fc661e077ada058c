"""Wiring only: the Telegram Application with its handlers, over an engine and settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar
from urllib.parse import urlparse

from telegram import BotCommand, Message, Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.telegram_bot.access import Access, addressed_message
from bot.telegram_bot.admin import AdminHandlers, Stats
from bot.replies.commands import Commands
from bot.replies.engine import Engine
from bot.telegram_bot.handlers import Handlers
from bot.telegram_bot.limits import EngineSlots, FairUpdateProcessor, RateLimiter
from bot.replies.live import LiveEngine, watch_index
from bot.readers.notebook import NotebookStore
from bot.readers.prefs import PrefsStore
from bot.readers.state import install_secret
from bot.settings import BotSettings
from bot.replies.questions import QuestionStore
from bot.watchdog import SystemdNotifier, keep_alive, watchdog_interval_s
from index.answer.cite import CitationSystem

logger = logging.getLogger(__name__)
T = TypeVar("T")

# The command menu in each language; Telegram shows a user the one for their app's language.
COMMANDS = {
    "zh": [
        BotCommand("help", "用法、报告与地方"),
        BotCommand("sources", "报告列表"),
        BotCommand("places", "地方与报告数"),
        BotCommand("place", "某地的做法：/place 南山 [问题]"),
        BotCommand("notebook", "收藏的段落"),
        BotCommand("export", "导出 Word、Markdown、RIS、CSL-JSON"),
        BotCommand("script", "引文字体：简体、繁体、原文"),
        BotCommand("language", "界面语言：/language en"),
    ],
    "en": [
        BotCommand("help", "how to ask; reports and places"),
        BotCommand("sources", "the reports"),
        BotCommand("places", "places and their reports"),
        BotCommand("place", "a place's practices: /place Nanshan [question]"),
        BotCommand("notebook", "saved passages"),
        BotCommand("export", "Word, Markdown, RIS and CSL-JSON files"),
        BotCommand("script", "script of quotes: simplified, traditional, original"),
        BotCommand("language", "language: /language zh"),
    ],
}


class AddressedToBot(filters.MessageFilter):
    """Group messages that mention the bot or reply to it; every private message."""

    def filter(self, message: Message) -> bool:
        return addressed_message(message)


async def _set_commands(application: Application) -> None:  # type: ignore[type-arg]
    # A menu is a nicety: a Bot API server that lacks setMyCommands must not stop the bot.
    try:
        await application.bot.set_my_commands(COMMANDS["zh"])  # the default, and for Chinese apps
        await application.bot.set_my_commands(COMMANDS["en"], language_code="en")
    except TelegramError as error:
        logger.warning("could not set the command menu: %s", error)


def access_from(settings: BotSettings) -> Access:
    """The allowlist and admins of the settings; says loudly when the bot is open to anyone."""
    access = Access(users=settings.allowed_users, chats=settings.allowed_chats, admins=settings.admins)
    if access.is_open:
        logger.warning("NO ALLOWLIST: anyone who finds this bot can ask it questions; set [bot] allowed_users "
                       "or allowed_chats (BOT_ALLOWED_USERS='[123]') to restrict it")
    return access


def build_application(
    engine: Engine, settings: BotSettings, request: BaseRequest | None = None, *,
    citation_system: CitationSystem = "numeric",
) -> Application:  # type: ignore[type-arg]
    """The bot: commands, questions, buttons and inline mode; `request` lets tests fake the HTTP layer."""
    if settings.token is None:
        raise ValueError("BotSettings.token is required to build the Telegram application")
    access = access_from(settings)
    stats = Stats()
    processor = FairUpdateProcessor(  # one user's flood must not hold up other users
        access=access, limiter=RateLimiter(per_minute=settings.rate_per_minute, burst=settings.rate_burst),
        stats=stats, log_text=settings.log_text,
    )
    builder = (
        Application.builder()
        .token(settings.token.get_secret_value())
        .base_url(settings.base_url)
        .concurrent_updates(processor)
        .post_init(_set_commands)
    )
    if isinstance(engine, LiveEngine) and settings.reload_check_s > 0:
        builder = builder.post_init(_Watcher(engine, settings.reload_check_s).start).post_shutdown(_stop_watcher)
    if settings.telegram_rate_limit:
        builder = builder.rate_limiter(AIORateLimiter())  # type: ignore[arg-type]  # the builder is typed for no limiter
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    commands = Commands(engine, PrefsStore(settings.state_dir / "prefs.json"),
                        notebook=NotebookStore(settings.state_dir / "notebooks.json"), page_size=settings.page_size,
                        context_radius=settings.context_radius, citation_system=citation_system)
    handlers = Handlers(
        commands,
        QuestionStore(settings.state_dir / "questions.jsonl", secret=install_secret(settings.state_dir),
                      retention_days=settings.question_retention_days),
        inline_results=settings.inline_results, slots=EngineSlots(settings.max_concurrent_answers),
        inline_cache_s=access.inline_cache_s,
    )
    if isinstance(engine, LiveEngine):
        admin = AdminHandlers(engine, stats, access.is_admin)
        application.add_handler(CommandHandler("stats", admin.stats))
        application.add_handler(CommandHandler("reload", admin.reload))
    questions = filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED
    if settings.group_mode == "addressed":
        questions = questions & AddressedToBot()
    application.add_handler(CommandHandler(["start", "help"], handlers.help))
    application.add_handler(CommandHandler("sources", handlers.sources))
    application.add_handler(CommandHandler("places", handlers.places))
    application.add_handler(CommandHandler("place", handlers.place))
    application.add_handler(CommandHandler("script", handlers.script))
    application.add_handler(CommandHandler("language", handlers.language))
    application.add_handler(CommandHandler("notebook", handlers.notebook))
    application.add_handler(CommandHandler("export", handlers.export))
    application.add_handler(MessageHandler(questions, handlers.question))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(InlineQueryHandler(handlers.inline))
    application.add_error_handler(handlers.on_error)
    return application


_WATCHER = "index watcher"


class _Watcher:
    """post_init that also starts the task reloading the engine when the index is rebuilt."""

    def __init__(self, live: LiveEngine, interval_s: float) -> None:
        self._live = live
        self._interval_s = interval_s

    async def start(self, application: Application) -> None:  # type: ignore[type-arg]
        await _set_commands(application)
        application.bot_data[_WATCHER] = asyncio.create_task(watch_index(self._live, interval_s=self._interval_s))


async def _stop_watcher(application: Application) -> None:  # type: ignore[type-arg]
    task = application.bot_data.pop(_WATCHER, None)
    if isinstance(task, asyncio.Task):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# Backoff while the Bot API cannot be reached: 1 s, then half as long again each time, at most a minute
# (PTB's own polling loop grows 1.5x to 30 s; a minute keeps a long outage to one log line a minute).
RETRY_FIRST_S = 1.0
RETRY_GROWTH = 1.5
RETRY_MAX_S = 60.0
POLL_TIMEOUT_S = 30  # long-poll length: one getUpdates call per 30 s while idle
# On SIGTERM, answers in progress get this long to go out. A group's queue can hold minutes of replies
# at Telegram's 20 a minute (the probe's 16 group questions took 48 s); waiting them all out would
# outlast systemd's 90 s stop timeout and end in SIGKILL, so what is left is dropped, with a log line.
STOP_GRACE_S = 10.0
WEBHOOK_BOOTSTRAP_RETRIES = -1  # without end, like long polling's own backoff


class Backoff:
    """Waits between attempts to reach the Bot API, growing to RETRY_MAX_S; reset by a success."""

    def __init__(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._sleep = sleep
        self.delay_s = 0.0

    async def wait(self, what: str, error: Exception) -> None:
        """Logs one line saying what failed and when it is tried again, then waits."""
        self.delay_s = RETRY_FIRST_S if not self.delay_s else min(RETRY_MAX_S, self.delay_s * RETRY_GROWTH)
        logger.warning("%s: Bot API unreachable (%s: %s); retrying in %.0f s", what, type(error).__name__,
                       str(error).splitlines()[0] if str(error) else "", self.delay_s)
        await self._sleep(self.delay_s)

    def reset(self) -> None:
        """The Bot API answered."""
        self.delay_s = 0.0


async def _until_reached(call: Callable[[], Awaitable[T]], what: str, backoff: Backoff, stop: asyncio.Event) -> T | None:
    # InvalidToken (401/404) is not a network problem: it propagates at once and stops the bot.
    while not stop.is_set():
        try:
            result = await call()
        except NetworkError as error:  # TimedOut included
            await backoff.wait(what, error)
            continue
        backoff.reset()
        return result
    return None


async def serve_polling(application: Application, stop: asyncio.Event,  # type: ignore[type-arg]
                        backoff: Backoff | None = None) -> None:
    """Long polling until `stop` is set; retries an unreachable Bot API with backoff (at start too) and
    raises InvalidToken as soon as Telegram rejects the token, so a supervisor sees the bot exit."""
    backoff = backoff or Backoff()
    await _until_reached(application.initialize, "start", backoff, stop)
    if stop.is_set():
        await application.shutdown()
        return
    try:
        if application.post_init is not None:  # run_polling would call these; this loop replaces it
            await application.post_init(application)
        await _until_reached(application.bot.delete_webhook, "start", backoff, stop)
        await application.start()
        logger.info("polling %s for updates", application.bot.base_url.split("/bot", 1)[0])
        offset: int | None = None
        stopped = asyncio.create_task(stop.wait())
        while not stop.is_set():
            fetch = asyncio.create_task(application.bot.get_updates(
                offset=offset, timeout=POLL_TIMEOUT_S, allowed_updates=Update.ALL_TYPES))
            await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await fetch
                break
            try:
                updates = fetch.result()
            except NetworkError as error:
                await backoff.wait("polling", error)
                continue
            except RetryAfter as error:
                await asyncio.sleep(error.retry_after if isinstance(error.retry_after, (int, float))
                                    else error.retry_after.total_seconds())
                continue
            backoff.reset()
            for update in updates:
                await application.update_queue.put(update)
            if updates:
                offset = updates[-1].update_id + 1
        stopped.cancel()
        if offset is not None:  # confirm what was fetched, so a restart does not answer it twice
            with contextlib.suppress(TelegramError):
                await application.bot.get_updates(offset=offset, timeout=0)
    finally:
        if application.running:
            try:
                await asyncio.wait_for(application.stop(), STOP_GRACE_S)
            except TimeoutError:
                logger.warning("stopping: replies still waiting on Telegram after %.0f s are dropped", STOP_GRACE_S)
            if application.post_stop is not None:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on every platform
            loop.add_signal_handler(signum, stop.set)


async def _polling(application: Application) -> None:  # type: ignore[type-arg]
    stop = asyncio.Event()
    _stop_on_signals(stop)
    await serve_polling(application, stop)


_KEEP_ALIVE = "systemd watchdog"


def tell_systemd(application: Application, notifier: SystemdNotifier,  # type: ignore[type-arg]
                 environ: Mapping[str, str] = os.environ) -> None:
    """Chains onto post_init: READY=1 once the bot is initialised, then watchdog pings from its event loop."""
    started = application.post_init

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        if started is not None:
            await started(app)
        notifier.notify("READY=1")
        interval_s = watchdog_interval_s(environ)
        if interval_s is not None:
            app.bot_data[_KEEP_ALIVE] = asyncio.create_task(keep_alive(notifier, interval_s))

    application.post_init = post_init


def run_application(engine: Engine, settings: BotSettings, *, citation_system: CitationSystem = "numeric") -> None:
    """Runs the bot until interrupted: a webhook server when webhook_url is set, else long polling."""
    application = build_application(engine, settings, citation_system=citation_system)
    notifier = SystemdNotifier.from_environ()
    if notifier is not None:  # started by systemd as Type=notify (deploy/reports-qa-bot.service)
        tell_systemd(application, notifier)
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        application.run_webhook(
            listen=settings.webhook_listen, port=settings.webhook_port,
            url_path=urlparse(settings.webhook_url).path.lstrip("/"), webhook_url=settings.webhook_url,
            secret_token=secret, allowed_updates=Update.ALL_TYPES,
            # An unreachable Bot API at start is retried (PTB's bootstrap loop: 1 s growing 1.5x to 30 s,
            # a log line each); a rejected token still stops it at once (InvalidToken is not retried).
            bootstrap_retries=WEBHOOK_BOOTSTRAP_RETRIES,
        )
    else:
        asyncio.run(_polling(application))
