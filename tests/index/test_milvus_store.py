"""The milvus backend against Milvus Lite: same candidates as the local indexes, same answers, same quality."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus", reason="the [milvus] extra is not installed")

from index.answer.engine import AnswerEngine, engine_from
from index.build.builder import build_index
from index.text.clean import fold
from index.errors import IndexMissingError
from index.answer.evaluate import engine_retriever, read_questions, run, score_by_kind
from index.store.milvus_store import MilvusStore, collection_name
from index.settings import PROJECT_ROOT, IndexSettings
from index.store.folder import StoredIndex, current_version, kept_versions, load_index
from tests.conftest import DATA, NEVER_ABSTAIN
from tests.fakes import FakeEmbedder

QUESTIONS = ["南山区怎么发动快递骑手参与治理", "栖霞区的物业服务", "how did Nanshan organise courier riders", "小区专员"]


def _build(folder: Path, milvus: MilvusStore) -> None:
    build_index(DATA / "corpus", folder, FakeEmbedder(), max_chars=360, min_chars=120, exact_search_max=50_000,
                publish=milvus.publisher(exact_max=50_000))
    milvus.keep_only(kept_versions(folder))


@pytest.fixture(scope="module")
def milvus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MilvusStore]:
    store = MilvusStore(str(tmp_path_factory.mktemp("milvus") / "milvus.db"))
    yield store
    store.close()


@pytest.fixture(scope="module")
def milvus_index(tmp_path_factory: pytest.TempPathFactory, milvus: MilvusStore) -> Path:
    folder = tmp_path_factory.mktemp("milvus-index") / "index"
    _build(folder, milvus)
    return folder


@pytest.fixture
def stored(milvus_index: Path) -> StoredIndex:
    return load_index(milvus_index, model=FakeEmbedder.name)


def _opened(milvus: MilvusStore, folder: Path, stored: StoredIndex):  # type: ignore[no-untyped-def]
    return milvus.open(current_version(folder).name, stored.keywords, passages=len(stored.chunks))


@pytest.mark.parametrize("question", QUESTIONS)
def test_vector_search_returns_the_local_exact_ranking(milvus: MilvusStore, milvus_index: Path,
                                                        stored: StoredIndex, question: str) -> None:
    vectors, _ = _opened(milvus, milvus_index, stored)
    query = FakeEmbedder().encode_queries([question])[0]

    remote, local = vectors.search(query, 5), stored.vectors.search(query, 5)

    assert [r for r, _ in remote] == [r for r, _ in local]
    assert np.allclose([s for _, s in remote], [s for _, s in local], atol=1e-5)
    rows = [0, 2, 1]
    assert np.allclose(vectors.scores(query, rows), stored.vectors.scores(query, rows), atol=1e-5)


@pytest.mark.parametrize("question", QUESTIONS[:2] + QUESTIONS[3:])
def test_bm25_full_text_search_puts_the_same_passage_first(milvus: MilvusStore, milvus_index: Path,
                                                           stored: StoredIndex, question: str) -> None:
    _, keywords = _opened(milvus, milvus_index, stored)
    tokens = keywords.tokens(fold(question))

    remote, local = keywords.search(tokens, 5), stored.keywords.search(tokens, 5)

    assert remote and remote[0][0] == local[0][0]
    assert {r for r, _ in remote} == {r for r, _ in local}


def test_bm25_search_keeps_to_the_allowed_rows(milvus: MilvusStore, milvus_index: Path, stored: StoredIndex) -> None:
    _, keywords = _opened(milvus, milvus_index, stored)
    tokens = keywords.tokens(fold("南山区快递骑手 物业 小区"))
    best = keywords.search(tokens, 5)[0][0]
    allowed = np.ones(len(stored.chunks), dtype=bool)
    allowed[best] = False

    found = keywords.search(tokens, 5, allowed)

    assert found and best not in {r for r, _ in found}
    assert keywords.search(tokens, 5, np.zeros(len(stored.chunks), dtype=bool)) == []
    assert keywords.search(["词表里没有的词"], 5) == []


@pytest.mark.parametrize("question", QUESTIONS)
def test_engine_on_milvus_answers_as_the_local_one(milvus: MilvusStore, milvus_index: Path,
                                                   stored: StoredIndex, question: str) -> None:
    local = engine_from(stored, FakeEmbedder(), top_k=3, calibration=NEVER_ABSTAIN)
    remote = engine_from(stored, FakeEmbedder(), top_k=3, calibration=NEVER_ABSTAIN,
                         backend=_opened(milvus, milvus_index, stored))

    assert [h.chunk.chunk_id for h in remote.answer(question).hits] == \
        [h.chunk.chunk_id for h in local.answer(question).hits]


def test_a_rebuild_keeps_only_the_collections_of_versions_on_disk(milvus: MilvusStore, tmp_path: Path) -> None:
    folder = tmp_path / "index"
    for _ in range(3):
        _build(folder, milvus)

    ours = {collection_name(v) for v in kept_versions(folder)}
    assert len(ours) == 2 and ours <= set(milvus.collections())
    assert collection_name(current_version(folder).name) in ours


def test_a_failed_publish_leaves_the_previous_version_in_use(milvus: MilvusStore, tmp_path: Path) -> None:
    folder = tmp_path / "index"
    _build(folder, milvus)
    before = current_version(folder).name

    def refuse(version: str, stored: StoredIndex) -> None:
        raise ConnectionError("milvus went away")

    with pytest.raises(ConnectionError):
        build_index(DATA / "corpus", folder, FakeEmbedder(), max_chars=360, min_chars=120, exact_search_max=50_000,
                    publish=refuse)

    assert current_version(folder).name == before
    assert kept_versions(folder) == [before]


def test_an_index_built_without_milvus_says_what_to_run(milvus: MilvusStore, fake_index_dir: Path) -> None:
    stored = load_index(fake_index_dir)

    with pytest.raises(IndexMissingError, match="reports-qa build"):
        _opened(milvus, fake_index_dir, stored)


def test_milvus_uri_is_a_project_file_unless_it_names_a_server() -> None:
    assert IndexSettings(milvus_uri="var/m.db").milvus_uri == str(PROJECT_ROOT / "var" / "m.db")
    assert IndexSettings(milvus_uri="http://milvus:19530").milvus_uri == "http://milvus:19530"
    assert IndexSettings(backend="milvus").backend == "milvus"


@pytest.fixture(scope="module")
def real_milvus(tmp_path_factory: pytest.TempPathFactory, built_index_dir: Path) -> Iterator[MilvusStore]:
    """The real corpus's index written into Milvus Lite once (its vectors as built, no re-embedding)."""
    store = MilvusStore(str(tmp_path_factory.mktemp("real-milvus") / "milvus.db"))
    store.write(current_version(built_index_dir).name, load_index(built_index_dir), exact_max=50_000)
    yield store
    store.close()


@pytest.mark.slow
@pytest.mark.parametrize("questions", ["dev_questions.jsonl", "questions.jsonl"])
def test_quality_on_milvus_is_within_002_mrr_of_the_local_backend(
        real_milvus: MilvusStore, built_index_dir: Path, real_embedder,  # type: ignore[no-untyped-def]
        real_engine: AnswerEngine, questions: str) -> None:
    milvus = real_milvus
    stored = load_index(built_index_dir, model=real_embedder.name)
    on_milvus = engine_from(stored, real_embedder, backend=_opened(milvus, built_index_dir, stored))
    path = PROJECT_ROOT / "eval" / questions

    local = score_by_kind(run(read_questions(path), engine_retriever(real_engine)))
    remote = score_by_kind(run(read_questions(path), engine_retriever(on_milvus)))

    assert abs(remote["all"].mrr10 - local["all"].mrr10) <= 0.02
    assert remote["all"].hit5 >= local["all"].hit5 - 0.02
    assert remote["out_of_corpus"].abstained == local["out_of_corpus"].abstained


def test_a_closed_milvus_lite_file_can_be_opened_by_another_process(milvus_index: Path, stored: StoredIndex,
                                                                   tmp_path: Path) -> None:
    uri = str(tmp_path / "again.db")
    first = MilvusStore(uri)
    first.write(current_version(milvus_index).name, stored, exact_max=50_000)
    first.close()  # a build closes before the bot, another process, opens the file

    opened = subprocess.run(
        [sys.executable, "-c", f"from index.store.milvus_store import MilvusStore; s = MilvusStore({uri!r}); "
                               "print(','.join(s.collections())); s.close()"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)

    assert opened.stdout.strip() == collection_name(current_version(milvus_index).name)
