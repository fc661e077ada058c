"""Telegram handlers: pull plain values out of an Update, call the engine off the event loop, send renders."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.replies.callbacks import Action, Button, decode_action
from bot.replies.commands import Commands, Reply
from bot.replies.query import Query, parse_query
from bot.replies.render import html_messages, render_inline, terminal_text
from bot.replies.questions import QuestionStore
from bot.telegram_bot.limits import EngineSlots
from index.errors import QaError

logger = logging.getLogger(__name__)



def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """Pure buttons as Telegram's inline keyboard (None when there are none)."""
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows])


async def send_parts(
    message: Message, parts: Sequence[str], *, markup: InlineKeyboardMarkup | None = None,
    quote: Message | None = None,
) -> None:
    """HTML parts into the message's chat; the first quotes `quote`, the last carries the buttons."""
    for i, part in enumerate(parts):
        reply = ReplyParameters(quote.message_id, allow_sending_without_reply=True) if quote and i == 0 else None
        await message.get_bot().send_message(
            message.chat.id, part, parse_mode=ParseMode.HTML, reply_parameters=reply,
            reply_markup=markup if i == len(parts) - 1 else None,
        )


async def show_typing(message: Message) -> None:
    """The typing indicator; a failure to show it must not stop the answer."""
    try:
        await message.reply_chat_action(ChatAction.TYPING)
    except TelegramError as error:
        logger.debug("typing indicator failed: %s", error)


def user_key(update: Update) -> str:
    """Whose settings apply: the sender, or the chat when Telegram names no sender."""
    if update.effective_user is not None:
        return str(update.effective_user.id)
    return f"chat:{update.effective_chat.id}" if update.effective_chat is not None else "anonymous"


class Handlers:
    """Telegram's side of the shared commands (bot/replies/commands.py): buttons, menus, typing, inline mode."""

    def __init__(self, commands: Commands, store: QuestionStore, *, inline_results: int,
                 slots: EngineSlots | None = None, inline_cache_s: int = 0) -> None:
        self._commands = commands
        self._store = store
        self._inline_results = inline_results
        self._slots = slots or EngineSlots(2)
        self._inline_cache_s = inline_cache_s

    async def _send(self, message: Message, reply: Reply, *, quote: Message | None = None) -> None:
        await send_parts(message, html_messages(reply.layout), markup=keyboard(reply.buttons), quote=quote)

    def _user(self, update: Update) -> str:
        # The first update from a reader sets their language from Telegram's language_code.
        user = user_key(update)
        if update.effective_user is not None:
            self._commands.meet(user, update.effective_user.language_code)
        return user

    async def _run(self, message: Message, user: str, call: Callable[[], Reply], *,
                   quote: Message | None = None) -> None:
        # Commands read the index (and may embed a question): off the event loop. Expected errors are
        # written for users and shown in their language.
        # The engine slot is held only while the engine works, not while Telegram's send limits are waited out.
        try:
            reply = await self._slots.run(call)
        except QaError as error:
            reply = await asyncio.to_thread(self._commands.error, user, error)
        await self._send(message, reply, quote=quote)

    async def _reply_answer(self, message: Message, user: str, query: Query, *, offset: int = 0,
                            quote: Message | None = None) -> None:
        await show_typing(message)

        def answer() -> Reply:
            key = self._store.remember(query, user)
            return self._commands.ask(user, query, offset=offset, key=key)[1]

        await self._run(message, user, answer, quote=quote)

    async def question(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A free-text question: the top passages, with context, cite and more-results buttons."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        query = parse_query(message.text, context.bot.username or "")
        await self._reply_answer(message, self._user(update), query, quote=message)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start and /help: what the reports cover and how to ask."""
        if (message := update.effective_message) is None:
            return
        user, name = self._user(update), context.bot.username or ""
        await self._run(message, user, lambda: self._commands.help(user, surface="telegram", bot_username=name))

    async def sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/sources: the reports answers are drawn from."""
        if (message := update.effective_message) is None:
            return
        user = self._user(update)
        await self._run(message, user, lambda: self._commands.sources(user))

    async def places(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/places: places with report counts, one tap button each."""
        if (message := update.effective_message) is None:
            return
        user = self._user(update)
        await self._run(message, user, lambda: self._commands.places(user))

    async def place(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/place 南山: its practices and reports; /place 南山 问题: a question limited to that place."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        user, query = self._user(update), parse_query(message.text, context.bot.username or "")
        if query.place is None:
            await self.places(update, context)
        elif query.question:
            await self._reply_answer(message, user, query, quote=message)
        else:
            place = query.place
            await self._run(message, user, lambda: self._commands.place(user, place))

    async def script(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/script [auto|简体|繁体|原文]: which script passages and quotes are shown in."""
        if (message := update.effective_message) is None:
            return
        user, argument = self._user(update), " ".join(context.args or [])
        await self._run(message, user, lambda: self._commands.script(user, argument))

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/language [zh|en]: the language of labels, help and errors; the command menu follows Telegram's."""
        if (message := update.effective_message) is None:
            return
        user, argument = self._user(update), " ".join(context.args or [])
        await self._run(message, user, lambda: self._commands.set_language(user, argument))

    async def notebook(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/notebook: the saved passages; /notebook clear empties the notebook."""
        if (message := update.effective_message) is None:
            return
        user, argument = self._user(update), " ".join(context.args or []).strip().lower()
        if argument in {"clear", "清空"}:
            await self._run(message, user, lambda: self._commands.clear_notebook(user))
        else:
            await self._run(message, user, lambda: self._commands.show_notebook(user, surface="telegram"))

    async def export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/export: the notebook as a .docx, a Markdown file, a .ris and a CSL-JSON file."""
        if (message := update.effective_message) is None:
            return
        user = self._user(update)
        reply, files = await self._slots.run(lambda: self._commands.export(user))
        await self._send(message, reply)
        for file in files:
            await message.get_bot().send_document(message.chat.id, document=file.data, filename=file.name)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on a button under an answer or a place list."""
        callback = update.callback_query
        if callback is None:
            return
        await callback.answer()  # first, whatever the data: a forged or stale button must not spin either
        message = callback.message if isinstance(callback.message, Message) else None
        action = decode_action(callback.data or "")
        if message is None or action is None:
            return
        user = self._user(update)
        if action.kind == "place":
            await self._run(message, user, lambda: self._commands.place(user, action.value))
        elif action.kind == "context":
            await self._run(message, user, lambda: self._commands.context(user, action.value, digest=action.digest))
        elif action.kind == "cite":
            await self._run(message, user, lambda: self._commands.cite(user, action.value, digest=action.digest))
        elif action.kind == "save":
            question = message.reply_to_message.text if message.reply_to_message else ""
            await self._run(message, user, lambda: self._commands.save(user, action.value, digest=action.digest,
                                                                       question=question or ""))
        else:
            await self._more(message, user, action, context)

    async def _more(self, message: Message, user: str, action: Action, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The store survives restarts; the quoted question is the fallback if its file was lost.
        question_message = message.reply_to_message
        query = self._store.recall(action.value)  # keys are keyed with the install's secret: not forgeable
        if query is None and question_message is not None and question_message.text:
            query = parse_query(question_message.text, context.bot.username or "")
        if query is None:
            await self._run(message, user, lambda: self._commands.notice(user, "stale_button"))
            return
        await self._reply_answer(message, user, query, offset=action.offset, quote=question_message)

    async def inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@bot 红色物业` in any chat: passages with their citations, ready to insert."""
        inline_query = update.inline_query
        if inline_query is None:
            return
        question = inline_query.query.strip()
        user = self._user(update)
        entries = []
        if question:
            try:
                answer = await self._slots.run(
                    lambda: self._commands.engine.answer(question, limit=self._inline_results))
                entries = render_inline(answer, language=self._commands.language(user),
                                        script=self._commands.script_for(user, question))
            except QaError as error:
                logger.info("inline query refused: %s", error)
        results = [
            InlineQueryResultArticle(
                e.result_id, e.title, InputTextMessageContent(e.html, parse_mode=ParseMode.HTML),
                description=e.description,
            )
            for e in entries
        ]
        # Personal: Telegram must never serve one reader's results to another typing the same words, and
        # with an allowlist they are not cached past what a removal from it may wait (see inline_cache_s).
        await inline_query.answer(results, cache_time=self._inline_cache_s, is_personal=True)


    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Logs an unexpected failure with its traceback and apologises in the reader's language, without internals."""
        await on_error(update, context, apology=lambda user: self._commands.notice(user, "apology"))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE,
                   apology: Callable[[str], Reply] | None = None) -> None:
    """Logs an unexpected failure with its traceback and apologises to the user without internals."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        reply = apology(user_key(update)) if apology else None
        text = terminal_text(reply.layout) if reply else "抱歉，处理这条消息时出了点问题，请稍后再试。"
        await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError:
        logger.exception("could not send the apology for update %s", update_id)
