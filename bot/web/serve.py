"""Runs the web app under uvicorn: the address from the settings, no access log, the index reloaded when rebuilt."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from bot.replies.engine import Engine
from bot.replies.live import LiveEngine, watch_index
from bot.web.app import build_app
from bot.web.settings import WebSettings

logger = logging.getLogger(__name__)


def uvicorn_config(engine: Engine, settings: WebSettings) -> uvicorn.Config:
    """uvicorn's settings for the app: no access log, since a request line can carry what a reader looked up."""
    trusted = ",".join(settings.trusted_proxies)
    return uvicorn.Config(
        build_app(engine, settings), host=settings.host, port=settings.port, access_log=False, log_config=None,
        proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None, server_header=False,
    )


async def _serve(engine: Engine, settings: WebSettings) -> None:
    server = uvicorn.Server(uvicorn_config(engine, settings))
    watcher = None
    if isinstance(engine, LiveEngine) and settings.reload_check_s > 0:
        watcher = asyncio.create_task(watch_index(engine, interval_s=settings.reload_check_s))
    try:
        await server.serve()
    finally:
        if watcher is not None:
            watcher.cancel()


def run_web(engine: Engine, settings: WebSettings) -> None:
    """Serves until interrupted (Ctrl-C or SIGTERM)."""
    logger.info("serving on http://%s:%d/ (API description at /api/openapi.json)", settings.host, settings.port)
    asyncio.run(_serve(engine, settings))
