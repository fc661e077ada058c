"""Telegram handlers: pull plain values out of an Update, call the engine off the event loop, send renders."""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Sequence

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

from bot.callbacks import Action, Button, answer_buttons, decode_action, place_buttons
from bot.engine import Engine, suggestions
from bot.layout import cite_layout, context_layout, help_layout, message_layout, place_layout, places_layout
from bot.layout import sources_layout
from bot.query import Query, parse_query
from bot.render import html_messages, render_answer, render_inline
from bot.store import QuestionStore
from index.errors import QaError
from index.records import Answer

logger = logging.getLogger(__name__)

APOLOGY = "抱歉，处理这条消息时出了点问题，请稍后再试。Sorry, something went wrong; please try again."
STALE_BUTTON = "这个按钮对应的问题已找不到，请重新提问。This button has expired; please ask again."


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


class Handlers:
    """The bot's commands, questions, buttons and inline queries over one engine."""

    def __init__(self, engine: Engine, store: QuestionStore, *, page_size: int, inline_results: int,
                 context_radius: int) -> None:
        self._engine = engine
        self._store = store
        self._page_size = page_size
        self._inline_results = inline_results
        self._context_radius = context_radius

    async def _answer(self, query: Query, offset: int, limit: int) -> tuple[Answer, list[str]]:
        answer = await asyncio.to_thread(self._engine.answer, query.question, place=query.place, offset=offset,
                                         limit=limit)
        if not answer.abstained:
            return answer, render_answer(answer)
        topics, places = await asyncio.to_thread(suggestions, self._engine)
        return answer, render_answer(answer, topics=topics, places=places)

    async def _reply_answer(self, message: Message, query: Query, *, offset: int = 0,
                            quote: Message | None = None) -> None:
        await show_typing(message)
        try:
            answer, parts = await self._answer(query, offset, self._page_size)
        except QaError as error:  # expected: its message is written for users
            await send_parts(message, html_messages(message_layout(str(error))), quote=quote)
            return
        key = await asyncio.to_thread(self._store.remember, query)
        await send_parts(message, parts, markup=keyboard(answer_buttons(answer, key)), quote=quote)

    async def question(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A free-text question: the top passages, with context, cite and more-results buttons."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        await self._reply_answer(message, parse_query(message.text, context.bot.username or ""), quote=message)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start and /help: what the reports cover and how to ask."""
        if (message := update.effective_message) is None:
            return
        documents, places, topics = await asyncio.gather(
            asyncio.to_thread(self._engine.documents), asyncio.to_thread(self._engine.places),
            asyncio.to_thread(self._engine.topics),
        )
        layout = help_layout(reports=len(documents), places=places, topics=topics, surface="telegram",
                             bot_username=context.bot.username or "")
        await send_parts(message, html_messages(layout))

    async def sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/sources: the reports answers are drawn from."""
        if (message := update.effective_message) is None:
            return
        documents = await asyncio.to_thread(self._engine.documents)
        await send_parts(message, html_messages(sources_layout(documents)))

    async def places(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/places: places with report counts, one tap button each."""
        if (message := update.effective_message) is None:
            return
        places = await asyncio.to_thread(self._engine.places)
        await send_parts(message, html_messages(places_layout(places)), markup=keyboard(place_buttons(places)))

    async def place(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/place 南山: its practices and reports; /place 南山 问题: a question limited to that place."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        query = parse_query(message.text, context.bot.username or "")
        if query.place is None:
            await self.places(update, context)
        elif query.question:
            await self._reply_answer(message, query, quote=message)
        else:
            await self._show_place(message, query.place)

    async def _show_place(self, message: Message, place: str) -> None:
        try:
            summary = await asyncio.to_thread(self._engine.place_summary, place)
        except QaError as error:
            await send_parts(message, html_messages(message_layout(str(error))))
            return
        await send_parts(message, html_messages(place_layout(summary)))

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on a button under an answer or a place list."""
        callback = update.callback_query
        if callback is None:
            return
        await callback.answer()
        message = callback.message if isinstance(callback.message, Message) else None
        action = decode_action(callback.data or "")
        if message is None or action is None:
            return
        try:
            await self._act(message, action, context)
        except QaError as error:
            await send_parts(message, html_messages(message_layout(str(error))))

    async def _act(self, message: Message, action: Action, context: ContextTypes.DEFAULT_TYPE) -> None:
        if action.kind == "place":
            await self._show_place(message, action.value)
        elif action.kind == "context":
            chunk = await asyncio.to_thread(self._engine.chunk, action.value)
            neighbours = await asyncio.to_thread(self._engine.neighbours, chunk.chunk_id, radius=self._context_radius)
            document = await asyncio.to_thread(self._engine.document, chunk.doc_id)
            await send_parts(message, html_messages(context_layout(chunk.chunk_id, neighbours, document)))
        elif action.kind == "cite":
            chunk = await asyncio.to_thread(self._engine.chunk, action.value)
            document = await asyncio.to_thread(self._engine.document, chunk.doc_id)
            layout = cite_layout(chunk, document, accessed=datetime.date.today())
            await send_parts(message, html_messages(layout))
        else:
            await self._more(message, action, context)

    async def _more(self, message: Message, action: Action, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The store survives restarts; the quoted question is the fallback if its file was lost.
        question_message = message.reply_to_message
        query = self._store.recall(action.value)
        if query is None and question_message is not None and question_message.text:
            query = parse_query(question_message.text, context.bot.username or "")
        if query is None:
            await send_parts(message, html_messages(message_layout(STALE_BUTTON)))
            return
        await self._reply_answer(message, query, offset=action.offset, quote=question_message)

    async def inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@bot 红色物业` in any chat: passages with their citations, ready to insert."""
        inline_query = update.inline_query
        if inline_query is None:
            return
        question = inline_query.query.strip()
        entries = []
        if question:
            try:
                answer = await asyncio.to_thread(self._engine.answer, question, limit=self._inline_results)
                entries = render_inline(answer)
            except QaError as error:
                logger.info("inline query refused: %s", error)
        results = [
            InlineQueryResultArticle(
                e.result_id, e.title, InputTextMessageContent(e.html, parse_mode=ParseMode.HTML),
                description=e.description,
            )
            for e in entries
        ]
        await inline_query.answer(results, cache_time=300)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs an unexpected failure with its traceback and apologises to the user without internals."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        await context.bot.send_message(update.effective_chat.id, APOLOGY)
    except TelegramError:
        logger.exception("could not send the apology for update %s", update_id)
