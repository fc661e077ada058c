"""Runs the web app under uvicorn: the address from the settings, no access log, the index reloaded when rebuilt."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import uvicorn

from bot.replies.engine import Engine
from bot.replies.live import LiveEngine, watch_index
from bot.web.app import build_app
from bot.web.settings import WebSettings

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 30  # a loaded CI machine can take seconds to bind


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


class ServerThread:
    """The app served on 127.0.0.1 at a free port in a background thread: for browser tests, screenshots, load tests."""

    def __init__(self, app: object, *, host: str = "127.0.0.1") -> None:
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=0, access_log=False, log_config=None,  # type: ignore[arg-type]
                                                     lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.url = ""

    def __enter__(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the web server did not start")
            time.sleep(0.02)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=STARTUP_TIMEOUT_S)
