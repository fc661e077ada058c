"""Settings: settings.toml, environment overrides, typos refused, paths anchored to the project."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from index.settings import PROJECT_ROOT, IndexSettings


def settings_from(toml: Path) -> type[IndexSettings]:
    class FromFile(IndexSettings):
        model_config = SettingsConfigDict(toml_file=toml, env_file=None)

    return FromFile


def test_values_come_from_the_index_table(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text('[index]\ntop_k = 7\nindex_dir = "elsewhere/index"\n[bot]\npage_size = 2\n', encoding="utf-8")

    settings = settings_from(toml)()

    assert settings.top_k == 7
    assert settings.index_dir == PROJECT_ROOT / "elsewhere" / "index"


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text("[index]\ntop_k = 7\n", encoding="utf-8")
    monkeypatch.setenv("INDEX_TOP_K", "9")

    assert settings_from(toml)().top_k == 9


def test_a_typo_in_the_file_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text("[index]\ntopk = 2\n", encoding="utf-8")

    with pytest.raises(ValidationError, match="topk"):
        settings_from(toml)()


def test_the_shipped_settings_file_loads() -> None:
    settings = IndexSettings()

    assert settings.corpus_dir == PROJECT_ROOT / "corpus"
    assert settings.embedding_model.endswith("models/multilingual-e5-small-q4")


def test_the_bundled_model_folder_is_found_from_any_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    assert IndexSettings(embedding_model="models/multilingual-e5-small-q4").embedding_model == str(
        PROJECT_ROOT / "models" / "multilingual-e5-small-q4")


def test_a_hub_model_name_is_kept_as_a_name() -> None:
    assert IndexSettings(embedding_model="BAAI/bge-m3").embedding_model == "BAAI/bge-m3"


def test_vector_index_kind_is_read_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text('[index]\nvector_index = "hnsw_sq8"\n', encoding="utf-8")
    assert settings_from(toml)().vector_index == "hnsw_sq8"

    monkeypatch.setenv("INDEX_VECTOR_INDEX", "ivf")
    with pytest.raises(ValidationError, match="vector_index"):
        settings_from(toml)()
