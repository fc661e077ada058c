"""What every web route needs: the shared Web state, the reader making a request, and the access-token form."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bot.replies.commands import Commands
from bot.replies.i18n import text
from bot.replies.layout import Layout
from bot.replies.questions import QuestionStore
from bot.web.settings import WebSettings

T = TypeVar("T")


@dataclass
class Web:
    """What every handler needs: the shared commands, the settings, the templates and the engine slots."""

    commands: Commands
    settings: WebSettings
    templates: Jinja2Templates
    questions: QuestionStore
    slots: asyncio.Semaphore = field(init=False)
    # A notice for a reader's next page ("saved", "removed"): forms post, then redirect (post/redirect/get), so
    # the back button never asks to send a form again. Memory only: a notice not shown by a restart is moot.
    notices: dict[str, Layout] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.slots = asyncio.Semaphore(self.settings.max_concurrent_answers)

    async def call(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Runs a command that searches (an answer, a place digest) in a worker thread, at most
        max_concurrent_answers at once: the engine is CPU-bound, so more would only slow each down."""
        async with self.slots:
            return await asyncio.to_thread(work, *args, **kwargs)

    async def light(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Runs a command that only looks things up (a passage, the places, the notebook) in a worker thread,
        without waiting for an answer slot, so reading never queues behind other clients' questions."""
        return await asyncio.to_thread(work, *args, **kwargs)


def web_of(request: Request) -> Web:
    """The app's Web, for a handler."""
    web: Web = request.app.state.web
    return web


def reader_of(request: Request) -> str:
    """The storage key of the reader making this request (set by the middleware)."""
    key: str = request.state.reader
    return key


def login_page(request: Request, language: str, *, message: str = "web_need_token") -> HTMLResponse:
    """The access-token form a browser gets while the site needs a token it has not given."""
    web = web_of(request)
    response: HTMLResponse = web.templates.TemplateResponse(
        request, "login.html", {"t": lambda key, **values: text(key, language, **values), "lang": _lang(language),
                                "message": text(message, language)}, status_code=401)
    return response


def _lang(language: str) -> str:
    return "en" if language == "en" else "zh-Hans"
