"""Who may use the bot: allowed users and chats, admins, and the one polite refusal strangers get."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable

from telegram import InlineQueryResultsButton, Message, Update
from telegram.error import TelegramError

logger = logging.getLogger(__name__)

REFUSAL = "抱歉，这个机器人只对授权用户开放。Sorry, this bot is open to authorised users only."
REFUSAL_SHORT = "仅限授权用户 / authorised users only"
# A stranger who keeps writing is told once per this many seconds, so refusals cannot be used to flood.
REFUSAL_INTERVAL_S = 600.0
# Inline results are personal either way (is_personal); with an allowlist Telegram may not cache them at
# all, so a reader taken off the list gets nothing more the moment the bot restarts with it. An open bot
# lets each reader's results be cached 300 s (Telegram's default), sparing the engine repeated keystrokes.
INLINE_CACHE_OPEN_S = 300
INLINE_CACHE_ALLOWLIST_S = 0


class Access:
    """The allowlist from settings: empty lists mean everyone may ask; admins may always."""

    def __init__(self, *, users: Iterable[int] = (), chats: Iterable[int] = (), admins: Iterable[int] = ()) -> None:
        self._users = frozenset(users)
        self._chats = frozenset(chats)
        self._admins = frozenset(admins)

    @property
    def is_open(self) -> bool:
        """True when no allowlist is set: anyone who finds the bot can use it."""
        return not self._users and not self._chats

    @property
    def inline_cache_s(self) -> int:
        """How long Telegram may keep a reader's inline results for that reader."""
        return INLINE_CACHE_OPEN_S if self.is_open else INLINE_CACHE_ALLOWLIST_S

    def is_admin(self, user_id: int | None) -> bool:
        """Whether this user may see /stats and run /reload."""
        return user_id is not None and user_id in self._admins

    def allows(self, user_id: int | None, chat_id: int | None) -> bool:
        """Whether a message from this user in this chat is answered (chat_id None for inline queries)."""
        if self.is_open or self.is_admin(user_id):
            return True
        return (user_id is not None and user_id in self._users) or (chat_id is not None and chat_id in self._chats)

    def allows_update(self, update: object) -> bool:
        """allows() for whatever user and chat an update comes from."""
        if not isinstance(update, Update):
            return True
        user = update.effective_user
        chat = update.effective_chat
        return self.allows(user.id if user else None, chat.id if chat else None)


def is_addressed(update: Update) -> bool:
    """Whether a refusal would answer something said to the bot: a private chat, a command, a mention,
    a reply to the bot, a button or an inline query; not chatter in a group the bot merely sits in."""
    message = update.effective_message
    if update.inline_query is not None or update.callback_query is not None or message is None:
        return True
    return (message.text or "").startswith("/") or addressed_message(message)


def addressed_message(message: Message) -> bool:
    """The one rule for a message said to the bot: in a private chat, a reply to the bot, or a mention of it.

    A mention is a Telegram mention entity naming the bot, so an address quoted inside a word or a URL is not one.
    """
    if message.chat.type == "private":
        return True
    bot = message.get_bot()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    mentions = message.parse_entities(["mention"]).values()
    return bool(bot.username) and f"@{bot.username}".lower() in (m.lower() for m in mentions)


class Refusals:
    """Sends strangers the refusal, at most once per REFUSAL_INTERVAL_S each, and nothing else."""

    def __init__(self, *, interval_s: float = REFUSAL_INTERVAL_S, remembered: int = 10_000) -> None:
        self._interval_s = interval_s
        self._remembered = remembered
        self._last: OrderedDict[int, float] = OrderedDict()

    def due(self, user_id: int, now: float) -> bool:
        """True when this stranger has not been told within the interval (and marks them told)."""
        last = self._last.get(user_id)
        if last is not None and now - last < self._interval_s:
            return False
        self._last[user_id] = now
        self._last.move_to_end(user_id)
        while len(self._last) > self._remembered:
            self._last.popitem(last=False)
        return True


async def send_refusal(update: Update, text: str = REFUSAL, *, short: str = REFUSAL_SHORT) -> None:
    """The one reply a refused update gets, in the form its kind allows (message, button tap, inline query);
    `short` is what fits the inline button."""
    try:
        if update.inline_query is not None:
            button = InlineQueryResultsButton(text=short, start_parameter="access")
            await update.inline_query.answer([], cache_time=0, is_personal=True, button=button)
        elif update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=False)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
    except TelegramError as error:
        logger.info("could not send a refusal: %s", error)
