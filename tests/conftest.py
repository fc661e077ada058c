"""Shared fixtures: small indexes built once per session, engines loaded fresh per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.answer.engine import AnswerEngine, engine_from
from index.build.builder import build_index
from index.search.calibration import Abstention, Calibration
from index.settings import DEFAULT_MODEL_DIR, PROJECT_ROOT
from index.store.folder import load_index
from tests.fakes import FakeEmbedder

DATA = Path(__file__).parent / "data"
# Hashed bigrams give low cosines, so the fake engine never abstains; abstention is tested on the real model.
NEVER_ABSTAIN = Calibration(
    abstention=Abstention(min_cosine=-1.0, confident_cosine=-1.0, min_coverage=0.0, english_min_cosine=-1.0,
                          english_min_coverage=0.0),
    candidates=20,
)


@pytest.fixture(scope="session")
def fake_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of tests/data/corpus (three tiny reports) built with FakeEmbedder."""
    folder = tmp_path_factory.mktemp("fake-index") / "index"
    build_index(DATA / "corpus", folder, FakeEmbedder(), max_chars=360, min_chars=120, exact_search_max=50_000)
    return folder


@pytest.fixture
def fake_engine(fake_index_dir: Path) -> AnswerEngine:
    """A real AnswerEngine over the fake index, loaded fresh for each test."""
    stored = load_index(fake_index_dir, model=FakeEmbedder.name)
    return engine_from(stored, FakeEmbedder(), top_k=3, calibration=NEVER_ABSTAIN)


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    """The bundled 4-bit multilingual-e5-small on the default runtime, provisioned by `make test` (or here if missing)."""
    from index.model.embed import load_embedder
    from index.model.provision import provision_default_model
    from index.settings import IndexSettings

    return load_embedder(IndexSettings(embedding_model=str(provision_default_model(DEFAULT_MODEL_DIR))))


@pytest.fixture(scope="session")
def built_index_dir(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Path:  # type: ignore[no-untyped-def]
    """An index of the real corpus/ built with the real model, once per session."""
    folder = tmp_path_factory.mktemp("real-index") / "index"
    build_index(PROJECT_ROOT / "corpus", folder, real_embedder, max_chars=360, min_chars=120,
                exact_search_max=50_000)
    return folder


@pytest.fixture(scope="session")
def real_engine(built_index_dir: Path, real_embedder) -> AnswerEngine:  # type: ignore[no-untyped-def]
    """The engine users get: real model, real corpus, default thresholds."""
    return engine_from(load_index(built_index_dir, model=real_embedder.name), real_embedder)
