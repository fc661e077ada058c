"""Per-user rate limits and fair, bounded concurrency: one user's flood never holds up the others."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.telegram_bot.access import Access, Refusals, is_addressed, send_refusal
from bot.telegram_bot.admin import Stats

logger = logging.getLogger(__name__)

SLOW_DOWN = "请稍等片刻再提问，您的消息太多了。You are sending messages too fast; please wait a moment."
# Updates PTB may hold at once (queued on a user or an answer slot); past this PTB itself waits.
MAX_PENDING_UPDATES = 512


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float
    warned_at: float = float("-inf")


class RateLimiter:
    """A token bucket per user: `burst` messages at once, then one per 60/per_minute seconds."""

    def __init__(self, *, per_minute: float, burst: int, remembered: int = 10_000) -> None:
        self._rate_s = per_minute / 60.0
        self._burst = float(burst)
        self._remembered = remembered
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def allow(self, user_id: int, now: float) -> bool:
        """Takes a token for this user if one is left; False means the message is over the limit."""
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(self._burst, now)
            while len(self._buckets) > self._remembered:
                self._buckets.popitem(last=False)
        self._buckets.move_to_end(user_id)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.at) * self._rate_s)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        return False

    def should_warn(self, user_id: int, now: float) -> bool:
        """True once per refill period of an over-limit streak: the friendly reply, not one per message."""
        bucket = self._buckets.get(user_id)
        if bucket is None or now - bucket.warned_at < 1.0 / self._rate_s:
            return False
        bucket.warned_at = now
        return True


class _UserQueue:
    """One lock per user with a count of holders and waiters, dropped when nobody needs it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def run(self, user_id: int, work: Callable[[], Awaitable[None]]) -> None:
        lock, users = self._locks.get(user_id, (asyncio.Lock(), 0))
        self._locks[user_id] = (lock, users + 1)
        try:
            async with lock:
                await work()
        finally:
            lock, users = self._locks[user_id]
            if users == 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (lock, users - 1)


class FairUpdateProcessor(BaseUpdateProcessor):
    """PTB's update processor with access control, rate limits and fairness in front of the engine.

    Each user has at most one update in progress (the rest wait their turn behind it), and at most
    `slots` updates run at once; so a user's flood costs any other user at most one answer's wait.
    Strangers get one refusal, over-limit users one friendly notice, and neither reaches a handler.
    """

    def __init__(self, *, access: Access, limiter: RateLimiter, slots: int, stats: Stats | None = None,
                 log_text: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(MAX_PENDING_UPDATES)
        self._access = access
        self._limiter = limiter
        self._slots = asyncio.Semaphore(slots)
        self._users = _UserQueue()
        self._refusals = Refusals()
        self._stats = stats
        self._log_text = log_text
        self._clock = clock

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Refuse, rate-limit or run one update; called by PTB for every update."""
        if not isinstance(update, Update):
            await self._run(update, coroutine)
            return
        user = update.effective_user
        user_id = user.id if user is not None else None
        now = self._clock()
        if not self._access.allows_update(update):
            _close(coroutine)
            logger.info("refused update %s from user %s", update.update_id, user_id)
            if not is_addressed(update):
                return  # group chatter not meant for the bot gets no reply at all
            if update.effective_message is None or user_id is None or self._refusals.due(user_id, now):
                await send_refusal(update)
            return
        if user_id is not None and not self._access.is_admin(user_id) and not self._limiter.allow(user_id, now):
            _close(coroutine)
            logger.info("rate-limited update %s from user %s", update.update_id, user_id)
            if update.inline_query is not None or update.callback_query is not None:
                await send_refusal(update, SLOW_DOWN)
            elif self._limiter.should_warn(user_id, now):
                await send_refusal(update, SLOW_DOWN)
            return
        if user_id is None:
            await self._run(update, coroutine)
        else:
            await self._users.run(user_id, lambda: self._run(update, coroutine))

    async def _run(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self._slots:
            started = time.perf_counter()
            await coroutine
            seconds = time.perf_counter() - started
        if not isinstance(update, Update):
            return
        kind = update_kind(update)
        user = update.effective_user
        logger.info("update %s (%s) from user %s handled in %.0f ms", update.update_id, kind,
                    user.id if user else None, seconds * 1000)
        if self._log_text and update.effective_message is not None and update.effective_message.text:
            logger.info("update %s text: %r", update.update_id, update.effective_message.text)
        if self._stats is not None and kind in QUESTION_KINDS:
            self._stats.record(seconds)


QUESTION_KINDS = frozenset({"question", "inline", "button"})


def update_kind(update: Update) -> str:
    """What an update asks for, for logs and statistics: question, command, button, inline or other."""
    if update.inline_query is not None:
        return "inline"
    if update.callback_query is not None:
        return "button"
    message = update.effective_message
    if message is not None and message.text:
        return "command" if message.text.startswith("/") else "question"
    return "other"


def _close(coroutine: Awaitable[Any]) -> None:
    # The update is not processed: close its coroutine so Python does not warn it was never awaited.
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
