"""Wiring only: the Telegram Application with its handlers, over an engine and settings."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from telegram import BotCommand, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.engine import Engine
from bot.handlers import Handlers, on_error
from bot.settings import BotSettings
from bot.store import QuestionStore

logger = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("help", "用法、报告与地方 / how to ask"),
    BotCommand("sources", "报告列表 / the reports"),
    BotCommand("places", "地方与报告数 / places"),
    BotCommand("place", "某地的做法：/place 南山 [问题]"),
]


class AddressedToBot(filters.MessageFilter):
    """Group messages that mention the bot or reply to it; every private message."""

    def filter(self, message: Message) -> bool:
        if message.chat.type == "private":
            return True
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        mentions = message.parse_entities(["mention"]).values()
        return bool(bot.username) and f"@{bot.username}".lower() in (m.lower() for m in mentions)


async def _set_commands(application: Application) -> None:  # type: ignore[type-arg]
    # A menu is a nicety: a Bot API server that lacks setMyCommands must not stop the bot.
    try:
        await application.bot.set_my_commands(COMMANDS)
    except TelegramError as error:
        logger.warning("could not set the command menu: %s", error)


def build_application(
    engine: Engine, settings: BotSettings, request: BaseRequest | None = None,
) -> Application:  # type: ignore[type-arg]
    """The bot: commands, questions, buttons and inline mode; `request` lets tests fake the HTTP layer."""
    if settings.token is None:
        raise ValueError("BotSettings.token is required to build the Telegram application")
    builder = (
        Application.builder()
        .token(settings.token.get_secret_value())
        .base_url(settings.base_url)
        .concurrent_updates(True)  # one slow question must not hold up other users
        .post_init(_set_commands)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    handlers = Handlers(
        engine, QuestionStore(settings.state_dir / "questions.jsonl"), page_size=settings.page_size,
        inline_results=settings.inline_results, context_radius=settings.context_radius,
    )
    questions = filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED
    if settings.group_mode == "addressed":
        questions = questions & AddressedToBot()
    application.add_handler(CommandHandler(["start", "help"], handlers.help))
    application.add_handler(CommandHandler("sources", handlers.sources))
    application.add_handler(CommandHandler("places", handlers.places))
    application.add_handler(CommandHandler("place", handlers.place))
    application.add_handler(MessageHandler(questions, handlers.question))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(InlineQueryHandler(handlers.inline))
    application.add_error_handler(on_error)
    return application


def run_application(engine: Engine, settings: BotSettings) -> None:
    """Runs the bot until interrupted: a webhook server when webhook_url is set, else long polling."""
    application = build_application(engine, settings)
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        application.run_webhook(
            listen=settings.webhook_listen, port=settings.webhook_port,
            url_path=urlparse(settings.webhook_url).path.lstrip("/"), webhook_url=settings.webhook_url,
            secret_token=secret, allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
