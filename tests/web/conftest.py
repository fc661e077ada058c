"""Fixtures for the web app's tests: the app over FakeEngine, reader state in tmp_path, a client per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.web.app import build_app
from bot.web.settings import WebSettings
from tests.fakes import FakeEngine


@pytest.fixture
def web_settings(tmp_path: Path) -> WebSettings:
    return WebSettings(state_dir=tmp_path / "web", page_size=2, rate_per_minute=6000, rate_burst=1000)


@pytest.fixture
def web_app(web_settings: WebSettings) -> FastAPI:
    return build_app(FakeEngine(), web_settings)


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app, client=("127.0.0.1", 50000)) as test_client:
        yield test_client
