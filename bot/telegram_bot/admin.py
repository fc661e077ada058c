"""Admin commands: /stats (what is served and how fast) and /reload (pick up a rebuilt index now)."""

from __future__ import annotations

import asyncio
import datetime
import threading
from collections import deque
from collections.abc import Callable, Sequence

from telegram import Update
from telegram.ext import ContextTypes

from bot.replies.layout import Layout, message_layout
from bot.replies.live import LiveEngine
from bot.replies.render import html_messages
from index.errors import QaError

# Latency percentiles are over the most recent answers: enough for p99, a few KB of memory.
LATENCY_WINDOW = 2000
NOT_ADMIN = "这个命令仅限管理员使用。This command is for the bot's admins."


class Stats:
    """Questions answered since start and the latency of the most recent ones; safe across threads."""

    def __init__(self, *, window: int = LATENCY_WINDOW) -> None:
        self._latencies: deque[float] = deque(maxlen=window)
        self._answered = 0
        self._lock = threading.Lock()
        self.started = datetime.datetime.now(datetime.timezone.utc)

    def record(self, seconds: float) -> None:
        """One answered question and how long it took."""
        with self._lock:
            self._answered += 1
            self._latencies.append(seconds)

    @property
    def answered(self) -> int:
        """Questions answered since the bot started."""
        return self._answered

    def percentiles(self, points: Sequence[float] = (50, 95, 99)) -> dict[float, float]:
        """Latency in seconds at each percentile (nearest rank) of the recent window; {} before any answer."""
        with self._lock:
            ordered = sorted(self._latencies)
        if not ordered:
            return {}
        return {p: ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] for p in points}


def age(built_at: str, now: datetime.datetime) -> str:
    """How long ago an ISO time was, as "3 d 4 h", "5 h 2 min" or "12 min"; "?" if it cannot be read."""
    try:
        then = datetime.datetime.fromisoformat(built_at)
    except ValueError:
        return "?"
    if then.tzinfo is None:
        then = then.replace(tzinfo=datetime.timezone.utc)
    minutes = max(0, int((now - then).total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def stats_layout(*, documents: int, passages: int, built_at: str, version: str, stats: Stats,
                 now: datetime.datetime) -> Layout:
    """The /stats reply: index size and age, questions answered, latency percentiles."""
    latency = stats.percentiles()
    timing = " · ".join(f"p{p:g} {seconds * 1000:.0f} ms" for p, seconds in latency.items()) or "—"
    return message_layout("\n".join([
        f"报告 reports: {documents} · 段落 passages: {passages}",
        f"索引 index: {version or '—'}，建于 built {built_at} ({age(built_at, now)} ago)",
        f"已回答 questions answered: {stats.answered}（since {stats.started:%Y-%m-%d %H:%M} UTC）",
        f"用时 latency: {timing}",
    ]))


class AdminHandlers:
    """/stats and /reload, for admins only; others are told the command is not theirs."""

    def __init__(self, live: LiveEngine, stats: Stats, is_admin: Callable[[int | None], bool]) -> None:
        self._live = live
        self._stats = stats
        self._is_admin = is_admin

    async def _reply(self, update: Update, layout: Layout) -> None:
        message = update.effective_message
        if message is None:
            return
        for part in html_messages(layout):
            await message.reply_html(part)

    def _admin(self, update: Update) -> bool:
        user = update.effective_user
        return self._is_admin(user.id if user else None)

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/stats: reports, passages, index age, questions answered and latency percentiles."""
        if not self._admin(update):
            await self._reply(update, message_layout(NOT_ADMIN))
            return
        info = self._live.info
        layout = stats_layout(documents=info.documents, passages=info.passages, built_at=info.built_at,
                              version=info.version, stats=self._stats,
                              now=datetime.datetime.now(datetime.timezone.utc))
        await self._reply(update, layout)

    async def reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/reload: load the index in use now; questions in flight finish on the old one."""
        if not self._admin(update):
            await self._reply(update, message_layout(NOT_ADMIN))
            return
        try:
            info = await asyncio.to_thread(self._live.reload)
        except QaError as error:
            await self._reply(update, message_layout(f"重新加载失败，原索引继续服务。Reload failed; the previous index "
                                                     f"keeps serving.\n{error}"))
            return
        await self._reply(update, message_layout(
            f"已重新加载 reloaded: {info.version} · {info.documents} reports · {info.passages} passages"
        ))
