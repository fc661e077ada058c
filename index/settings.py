"""Settings for building and querying the index: settings.toml [index] plus INDEX_* env."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import tomllib

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
HOME_VARIABLE = "REPORTS_QA_HOME"


def data_home(environ: Mapping[str, str] = os.environ, package_root: Path = PROJECT_ROOT) -> Path:
    """The folder of settings.toml, corpus/, models/ and var/, for everyone who runs the assistant.

    REPORTS_QA_HOME when set; else the source checkout (a clone, editable installs included); else, for
    an installed wheel, the per-user data folder ($XDG_DATA_HOME/reports-qa, by default
    ~/.local/share/reports-qa), never site-packages.
    """
    if configured := environ.get(HOME_VARIABLE, "").strip():
        return Path(configured).expanduser().resolve()
    if (package_root / "pyproject.toml").is_file():
        return package_root
    # The XDG base directory rule; the assistant is deployed on Linux, so platformdirs would add nothing.
    xdg = environ.get("XDG_DATA_HOME", "").strip()
    return (Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share") / "reports-qa"


HOME = data_home()
DEFAULT_MODEL_DIR = HOME / "models" / "multilingual-e5-small-q4"


class TomlSettings(BaseSettings):
    """Base for each package's settings. Priority: init kwargs > env > .env > settings.toml > defaults."""

    # One .env serves every settings class: each reads only the keys with its own prefix (BOT_TOKEN is
    # not an unknown INDEX_ key), while a typo within its prefix (INDEX_TOPK) is still refused.
    model_config = SettingsConfigDict(
        toml_file=HOME / "settings.toml", extra="forbid", env_file=HOME / ".env",
        env_file_encoding="utf-8", env_ignore_empty=True, dotenv_filtering="match_prefix",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, dotenv_settings, TomlConfigSettingsSource(settings_cls))

    @model_validator(mode="after")
    def _anchor_paths(self) -> Any:
        # Relative paths in settings.toml or env mean "relative to the data home", not to the cwd.
        for name, value in list(self.__dict__.items()):
            if isinstance(value, Path) and not value.is_absolute():
                object.__setattr__(self, name, HOME / value)
        return self


def settings_error_line(error: Exception) -> str:
    """One line naming what is wrong in the settings and where to fix it, never the offending value
    (which may be a secret): for `error: …` at every entry point."""
    if isinstance(error, ValidationError):
        first = error.errors(include_input=False, include_url=False)[0]
        name = ".".join(str(part) for part in first["loc"])
        prefix = str(error.title).removesuffix("Settings").lower()  # IndexSettings -> index, BotSettings -> bot
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        return (f"setting {prefix}.{name}: {first['msg']}{more}; fix [{prefix}] {name} in settings.toml, "
                f"{prefix.upper()}_{name.upper()} in the environment or .env")
    if isinstance(error, tomllib.TOMLDecodeError):
        return f"settings.toml is not valid TOML ({error}); fix that line"
    if isinstance(error, KeyError):  # pydantic-settings: settings.toml lacks a [table]
        return f"settings: {error.args[0] if error.args else error}; add that table (it may be empty)"
    # pydantic-settings' SettingsError names the field and source; its cause may quote the value, so it is left out.
    return f"settings: {str(error).splitlines()[0] if str(error) else type(error).__name__}"


class IndexSettings(TomlSettings):
    """Where the corpus and index live, which model embeds, and how passages are cut and ranked."""

    model_config = SettingsConfigDict(toml_table_header=("index",), env_prefix="INDEX_")

    corpus_dir: Path = Field(default=HOME / "corpus", description="Where the reports live.")
    index_dir: Path = Field(default=HOME / "var" / "index", description="Built index folder.")
    embedding_model: str = Field(
        default=str(DEFAULT_MODEL_DIR),
        description="sentence-transformers model: a local folder, or a name already in the HF cache.",
    )
    @field_validator("embedding_model")
    @classmethod
    def _local_model_folder(cls, value: str) -> str:
        # "models/multilingual-e5-small-q4" and "BAAI/bge-m3" look alike: a folder of the data home wins.
        expanded = Path(value).expanduser()
        anchored = HOME / expanded
        if not expanded.is_absolute() and (anchored.is_dir() or anchored == DEFAULT_MODEL_DIR):
            return str(HOME / expanded)
        return str(expanded) if value.startswith("~") else value

    query_prompt: str | None = Field(
        default=None, description="Text put before questions; None uses the model's own 'query' prompt."
    )
    passage_prompt: str | None = Field(
        default=None, description="Text put before passages; None uses the model's own passage prompt."
    )
    runtime: Literal["auto", "onnx", "torch"] = Field(
        default="auto",
        description="onnx: ONNX Runtime on CPU (the bundled model, no torch); torch: sentence-transformers "
        "(any model, GPUs); auto: onnx where the model folder has ONNX graphs and the device is the CPU.",
    )
    precision: Literal["auto", "float32", "int8", "float16", "bfloat16"] = Field(
        default="auto",
        description="Weights that embed: int8/float32 on onnx, float32/float16/bfloat16 on torch; auto: the "
        "index's own for questions, else float32 on onnx, float16 on CUDA, the CPU's best on torch.",
    )
    question_arithmetic: Literal["int8", "float32"] = Field(
        default="int8",
        description="onnx with float32 passages: questions in int8 arithmetic over the same 4-bit weights "
        "(faster; every quality table within 0.01 of float32, docs/model.md 'Precision'), or float32 throughout.",
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto", description="auto: a CUDA GPU for builds when there is one, the CPU otherwise."
    )
    # 16: the 176 passages of corpus/ plus the other-district reports embed at 37/s in batches of 8 or 16
    # against 33/s in batches of 32 (ONNX float32 on 2 cores, three alternating runs each): a batch is
    # padded to its longest passage, and a small corpus's lengths vary within a batch. Passages of one
    # length (300 characters) embed at the same rate in batches of 4 to 32.
    batch_size: int = Field(default=16, ge=1, description="Passages embedded per batch on the CPU.")
    gpu_batch_size: int = Field(
        # 1024 fp16 passages of 300 characters per batch is what the H100 figure in issue 8 was measured with.
        default=1024, ge=1, description="Passages embedded per batch on a GPU.",
    )
    max_chunk_chars: int = Field(default=360, ge=80, description="Longest passage, in characters.")
    min_chunk_chars: int = Field(default=120, ge=1, description="Shorter paragraphs join a neighbour.")
    top_k: int = Field(default=5, ge=1, le=50, description="Passages cited per answer.")
    citation_system: Literal["numeric", "author-year"] = Field(
        default="numeric",
        description="GB/T 7714 citation system of /cite, exports and `ask`: numeric ([1] = reference list "
        "number) or author-year (（刘艳梅，2022）).",
    )
    candidates: int = Field(default=50, ge=5, description="Passages each retriever proposes for fusion.")
    exact_search_max: int = Field(
        default=20_000, ge=0, description="Past this many passages the vector index is HNSW, not exact."
    )
    vector_index: Literal["auto", "exact", "hnsw", "hnsw_sq8"] = Field(
        default="auto",
        description="auto: exact up to exact_search_max passages, HNSW beyond, HNSW over 8-bit vectors past "
        "index/store/vectors.py's QUANTISE_FROM; or one of exact, hnsw, hnsw_sq8 at any size. Rebuild after changing it.",
    )
    backend: Literal["local", "milvus"] = Field(
        default="local",
        description="local: FAISS and bm25s files in index_dir; milvus: vectors and BM25 full text in a Milvus "
        "collection at milvus_uri (passage records and word statistics stay in index_dir).",
    )
    milvus_uri: str = Field(
        default="var/milvus.db",
        description="A Milvus Lite file (relative to the data home) or a Milvus server, e.g. http://milvus:19530.",
    )

    @field_validator("milvus_uri")
    @classmethod
    def _local_milvus_file(cls, value: str) -> str:
        # A file path means Milvus Lite in this process; anchor it like the other paths.
        if "://" in value or Path(value).is_absolute():
            return value
        return str(HOME / value)

    max_question_chars: int = Field(default=2000, ge=10, description="Longer questions are refused.")
    max_file_mb: float = Field(
        default=100, gt=0, description="Corpus files larger than this on disk are skipped, unread."
    )
    max_unpacked_mb: float = Field(
        default=100, gt=0, description="A .docx unpacking to more, or a .pdf with more text, is skipped."
    )
    follow_outside_links: bool = Field(
        default=False, description="Follow symbolic links in the corpus folder to files outside it."
    )
