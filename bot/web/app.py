"""The web app's wiring: access checks, rate limits, reader cookies, privacy-safe logs, errors; pages and API mounted.

Handlers stay thin over the shared commands (bot/replies/commands.py); every engine call runs off the
event loop (asyncio.to_thread) behind a semaphore, so one slow answer never stalls other clients.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from bot.replies.commands import Commands
from bot.replies.engine import Engine
from bot.replies.i18n import error_text, text
from bot.readers.state import install_secret
from bot.replies.questions import QuestionStore
from bot.readers.notebook import NotebookStore
from bot.readers.prefs import PrefsStore
from bot.web.access import (
    ACCESS_COOKIE,
    READER_COOKIE,
    READER_HEADER,
    Allowlist,
    ClientLimiter,
    access_cookie_value,
    is_reader_id,
    new_reader_id,
    reader_key,
    token_matches,
)
from bot.web.api import router as api_router
from bot.web.context import Web, login_page, reader_of, web_of
from bot.web.pages import message_page
from bot.web.pages import router as page_router
from bot.web.settings import WebSettings
from index.errors import EmptyQuestionError, QaError, QuestionTooLongError, UnknownItemError

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
# Paths that need neither the access token nor a rate-limit token: the page's own assets and the login form.
OPEN_PREFIXES = ("/static/", "/login", "/healthz")
READER_COOKIE_MAX_AGE_S = 400 * 24 * 3600  # the longest browsers keep a cookie (RFC 6265bis); a notebook outlives a year


def is_api(request: Request) -> bool:
    """True for JSON API paths, whose errors are JSON rather than pages."""
    return request.url.path.startswith("/api/")


def status_of(error: QaError) -> int:
    """The HTTP status for an expected error: 404 for unknown items, 422 for unusable questions, else 400."""
    if isinstance(error, UnknownItemError):
        return 404
    if isinstance(error, (EmptyQuestionError, QuestionTooLongError)):
        return 422
    return 400


def _log_path(path: str) -> str:
    # Logs name the kind of request, never what it was about: "/api/places/南山" is logged as "/api/places/…".
    parts = path.strip("/").split("/")
    keep = 2 if parts[0] == "api" else 1
    return "/" + "/".join(parts[:keep]) + ("/…" if len(parts) > keep else "")


def build_app(engine: Engine, settings: WebSettings, *, commands: Commands | None = None,
              clock: Callable[[], float] = time.monotonic) -> FastAPI:
    """The web app over an engine: pages at /, the JSON API at /api (OpenAPI description at /api/openapi.json)."""

    commands = commands or Commands(
        engine, PrefsStore(settings.state_dir / "prefs.json"),
        notebook=NotebookStore(settings.state_dir / "notebooks.json"), page_size=settings.page_size,
        context_radius=settings.context_radius)
    # No /docs or /redoc: FastAPI's Swagger UI loads scripts from a CDN, and every asset here is served locally.
    app = FastAPI(title="reports-qa", version="1", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  description="Cited passages from Chinese reports on party-building-led grassroots governance.")
    # Questions asked on the page live here, so an answer's URL holds a key, never the question itself.
    questions = QuestionStore(settings.state_dir / "questions.jsonl", secret=install_secret(settings.state_dir))
    app.state.web = Web(commands, settings, Jinja2Templates(directory=HERE / "templates"), questions)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api_router)
    app.include_router(page_router)
    allowlist = Allowlist(settings.allowed_clients)
    limiter = ClientLimiter(per_minute=settings.rate_per_minute, burst=settings.rate_burst)
    token = settings.access_token.get_secret_value() if settings.access_token else None

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        path = request.url.path
        host = request.client.host if request.client else None
        # An API client serving many people names each with X-Reader; a browser carries its cookie.
        presented = request.headers.get(READER_HEADER) or request.cookies.get(READER_COOKIE) or ""
        fresh = "" if is_reader_id(presented) else new_reader_id()
        request.state.reader = reader_key(fresh or presented)
        web = web_of(request)
        is_open = path.startswith(OPEN_PREFIXES)
        if not is_open and not is_api(request):
            # A browser's first page takes its language from Accept-Language, as the bot takes Telegram's
            # language_code; API clients say theirs with PUT /api/settings, so a client that keeps no cookie
            # never adds a reader to the settings file on each call.
            web.commands.meet(request.state.reader, request.headers.get("accept-language"))
        language = web.commands.language(request.state.reader)
        if not allowlist.allows(host):
            response = refusal(request, 403, text("web_refused", language))
        elif token is not None and not is_open and not _has_token(request, token):
            response = login_page(request, language) if not is_api(request) else refusal(
                request, 401, text("web_need_token", language))
        elif not is_open and not limiter.allow(host or "", clock()):
            response = refusal(request, 429, text("web_slow_down", language))
            response.headers["Retry-After"] = str(limiter.retry_after_s(host or ""))
        else:
            try:
                response = await call_next(request)
            except Exception:  # logged for the operator; the client gets an apology, never the error's text
                logger.exception("unexpected error on %s %s", request.method, _log_path(path))
                response = refusal(request, 500, text("apology", language), code="internal_error")
        if fresh and not is_open:
            response.set_cookie(READER_COOKIE, fresh, max_age=READER_COOKIE_MAX_AGE_S, httponly=True,
                                samesite="lax", secure=settings.secure_cookies)
        if not path.startswith("/static/"):
            logger.info("%s %s %d in %.0f ms", request.method, _log_path(path), response.status_code,
                        (time.perf_counter() - started) * 1000)
        return response

    @app.exception_handler(QaError)
    async def expected(request: Request, error: QaError) -> Response:
        message = error_text(error, web_of(request).commands.language(reader_of(request)))
        return refusal(request, status_of(error), message, code=error.code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        return refusal(request, 422, describe_invalid(error), code="InvalidRequest")

    @app.exception_handler(404)
    async def not_found(request: Request, error: Exception) -> Response:
        language = web_of(request).commands.language(reader_of(request))
        return refusal(request, 404, text("web_not_found", language), code="NotFound")

    return app


def _has_token(request: Request, token: str) -> bool:
    authorization = request.headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and token_matches(value.strip(), token):
        return True
    return token_matches(request.cookies.get(ACCESS_COOKIE), access_cookie_value(token))


def describe_invalid(error: RequestValidationError) -> str:
    """One line naming each field that was wrong: "top_k: Input should be less than or equal to 20"."""
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path"))
        problems.append(f"{where or 'request'}: {item.get('msg', 'invalid')}")
    return "; ".join(problems) or "invalid request"


def refusal(request: Request, status: int, message: str, *, code: str = "") -> Response:
    """An error as JSON {"error", "code"} for the API, or as a page with the message for a browser."""
    if is_api(request):
        return JSONResponse({"error": message, "code": code or str(status)}, status_code=status)
    return message_page(request, message, status=status)
