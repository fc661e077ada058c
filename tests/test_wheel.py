"""The package as a newcomer installs it: a built wheel in a fresh venv answers a question from a tiny corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from index.logs import package_version
from index.model.provision import provision_default_model
from index.settings import DEFAULT_MODEL_DIR, PROJECT_ROOT
from tests.conftest import DATA

pytestmark = pytest.mark.wheel

LOCK = PROJECT_ROOT / "requirements.lock"
HEAVY = ("torch", "transformers", "sentence_transformers", "pymilvus")


def _run(*command: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True, env=env, cwd=cwd,
                          check=False)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _uv() -> str | None:
    """uv from this venv's [dev] set or PATH: it installs from its cache in seconds where pip takes a minute."""
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.is_file() else shutil.which("uv")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout."""
    out = tmp_path_factory.mktemp("dist")
    uv = _uv()
    if uv:  # the venvs of test-pythons and test-floors have uv but no pip
        _run(uv, "build", "--quiet", "--wheel", "--out-dir", out, PROJECT_ROOT)
    else:
        _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", out,
             PROJECT_ROOT)
    [built] = out.glob("reports_qa-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv of this Python holding the locked deploy set and the wheel, nothing else."""
    folder = tmp_path_factory.mktemp("venv") / "venv"
    python = folder / "bin" / "python"
    uv = _uv()
    if uv:
        _run(uv, "venv", "--quiet", "--python", sys.executable, folder)
        _run(uv, "pip", "install", "--quiet", "--python", python, "-r", LOCK, wheel)
    else:
        _run(sys.executable, "-m", "venv", folder)
        _run(python, "-m", "pip", "install", "--quiet", "-r", LOCK, wheel)
    return folder


def test_the_wheel_holds_every_module_of_both_packages(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())

    sources = {p.relative_to(PROJECT_ROOT).as_posix() for package in ("index", "bot")
               for p in (PROJECT_ROOT / package).rglob("*.py")}
    assert sources - names == set()
    assert not any(name.startswith(("tests/", "corpus/", "models/", "var/")) for name in names)


def test_the_installed_wheel_builds_an_index_and_answers_from_its_own_data_home(venv: Path, tmp_path: Path) -> None:
    home, corpus = tmp_path / "home", tmp_path / "reports"
    corpus.mkdir()
    shutil.copy(DATA / "corpus" / "nanshan.txt", corpus)
    # The provisioned model, as `reports-qa provision` leaves it in the data home (here it is shared, not
    # converted again: provisioning has its own tests).
    (home / "models").mkdir(parents=True)
    (home / "models" / DEFAULT_MODEL_DIR.name).symlink_to(provision_default_model(DEFAULT_MODEL_DIR))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INDEX_", "BOT_", "PYTHON"))}
    env["REPORTS_QA_HOME"] = str(home)
    bin_dir = venv / "bin"

    version = _run(bin_dir / "reports-qa", "--version", env=env, cwd=tmp_path)
    _run(bin_dir / "reports-qa", "build", "--corpus", corpus, env=env, cwd=tmp_path)
    answer = json.loads(_run(bin_dir / "reports-qa", "ask", "--json", "南山区怎么发动快递骑手参与治理", env=env, cwd=tmp_path))
    imported = _run(bin_dir / "python", "-c", "import importlib.util as u; print([m for m in "
                    f"{HEAVY!r} if u.find_spec(m)])", env=env, cwd=tmp_path)

    assert version.split() == ["reports-qa", package_version()]
    assert (home / "var" / "index" / "CURRENT").is_file()  # the data home, not site-packages
    assert answer["schema_version"] == 1 and answer["results"][0]["title"]
    assert "快递" in answer["results"][0]["text"] or "快遞" in answer["results"][0]["text"]
    assert imported.strip() == "[]"  # the default install has no torch, transformers or Milvus
