"""Per-sender rate limits charged by work, and fair, bounded engine concurrency: one flood never holds up the others."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.telegram_bot.access import Access, Refusals, is_addressed, send_refusal
from bot.telegram_bot.admin import Stats

logger = logging.getLogger(__name__)
T = TypeVar("T")

SLOW_DOWN = "请稍等片刻再提问，您的消息太多了。You are sending messages too fast; please wait a moment."
SLOW_DOWN_SHORT = "请稍等 / slow down"
# Updates PTB may hold at once (queued on a user or an answer slot); past this PTB itself waits.
MAX_PENDING_UPDATES = 512

# What an update costs from its sender's budget, in questions. The budget guards the engine, so work
# costs and gestures do not: a reader who asks and then taps context, cite, save and more (issue 20's
# probe) spends 1 + 4 x 0.1, well within the default burst of 5, while 50 taps a minute still cost 5
# questions. An export renders four files (about one question's time with the fake and real engines).
COST_QUESTION = 1.0
COST_EXPORT = 1.0
COST_COMMAND = 0.2
COST_TAP = 0.1
# Inline mode sends one query per keystroke, so it has its own bucket: 30 keystrokes at once (a
# question typed at a normal pace), refilled at 60 a minute; running out never touches the question budget.
INLINE_BURST = 30
INLINE_PER_MINUTE = 60.0


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float
    warned_at: float = float("-inf")


class RateLimiter:
    """A token bucket per sender: `burst` questions at once, then one per 60/per_minute seconds."""

    def __init__(self, *, per_minute: float, burst: float, remembered: int = 10_000) -> None:
        self._rate_s = per_minute / 60.0
        self._burst = float(burst)
        self._remembered = remembered
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def allow(self, sender: int, now: float, cost: float = 1.0) -> bool:
        """Takes `cost` tokens for this sender if they are there; False means the update is over the limit."""
        bucket = self._buckets.get(sender)
        if bucket is None:
            bucket = self._buckets[sender] = _Bucket(self._burst, now)
            while len(self._buckets) > self._remembered:
                self._buckets.popitem(last=False)
        self._buckets.move_to_end(sender)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.at) * self._rate_s)
        bucket.at = now
        if bucket.tokens >= cost - 1e-9:
            bucket.tokens -= cost
            return True
        return False

    def should_warn(self, sender: int, now: float) -> bool:
        """True once per refill period of an over-limit streak: the friendly reply, not one per message."""
        bucket = self._buckets.get(sender)
        if bucket is None or now - bucket.warned_at < 1.0 / self._rate_s:
            return False
        bucket.warned_at = now
        return True


def update_cost(update: Update) -> float:
    """What an update costs from its sender's question budget (inline queries use their own bucket)."""
    if update.callback_query is not None:
        return COST_TAP
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    if not text.startswith("/"):
        return COST_QUESTION
    command, _, argument = text.partition(" ")
    name = command[1:].split("@", 1)[0].lower()
    if name == "export":
        return COST_EXPORT
    if name == "place" and len(argument.split()) > 1:  # /place 南山 问题: a question limited to a place
        return COST_QUESTION
    return COST_COMMAND


def sender_key(update: Update) -> int | None:
    """Whose budget an update spends: the chat posting as itself (a channel, an anonymous admin), else
    the user, else the chat; so a channel's sender-less posts are limited per channel."""
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


class EngineSlots:
    """At most `slots` engine calls at once, held only while the engine works, never while a reply
    waits for Telegram's per-chat send limit: a busy group's queue of messages cannot stall other chats."""

    def __init__(self, slots: int) -> None:
        self._slots = asyncio.Semaphore(slots)

    async def run(self, call: Callable[[], T]) -> T:
        """call() in a worker thread once a slot is free."""
        async with self._slots:
            return await asyncio.to_thread(call)


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
    """PTB's update processor with access control and rate limits in front of the handlers.

    Each sender has at most one update in progress (the rest wait their turn behind it); the engine's
    own slots (EngineSlots) bound the CPU work. Strangers get one refusal, over-limit senders one
    friendly notice, and neither reaches a handler; every button tap is answered, so no client spins.
    """

    def __init__(self, *, access: Access, limiter: RateLimiter, inline_limiter: RateLimiter | None = None,
                 stats: Stats | None = None, log_text: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(MAX_PENDING_UPDATES)
        self._access = access
        self._limiter = limiter
        self._inline = inline_limiter or RateLimiter(per_minute=INLINE_PER_MINUTE, burst=INLINE_BURST)
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
            if update.callback_query is not None:
                await send_refusal(update)  # a tap is always answered: an unanswered one spins in the client
            elif not is_addressed(update):
                return  # group chatter not meant for the bot gets no reply at all
            elif update.effective_message is None or user_id is None or self._refusals.due(user_id, now):
                await send_refusal(update)
            return
        sender = sender_key(update)
        if sender is not None and not self._access.is_admin(user_id) and not self._allow(update, sender, now):
            _close(coroutine)
            logger.info("rate-limited update %s from sender %s", update.update_id, sender)
            if update.inline_query is not None or update.callback_query is not None:
                await send_refusal(update, SLOW_DOWN, short=SLOW_DOWN_SHORT)
            elif self._limiter.should_warn(sender, now):
                await send_refusal(update, SLOW_DOWN)
            return
        if sender is None:
            await self._run(update, coroutine)
        else:
            await self._users.run(sender, lambda: self._run(update, coroutine))

    def _allow(self, update: Update, sender: int, now: float) -> bool:
        if update.inline_query is not None:
            return self._inline.allow(sender, now)
        return self._limiter.allow(sender, now, update_cost(update))

    async def _run(self, update: object, coroutine: Awaitable[Any]) -> None:
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
