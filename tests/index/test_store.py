"""Specs for the index folder: always there and whole; damage and crashes reported in one line with the fix."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from index.build.builder import build_index
from index.cli import main
from index.errors import IndexBusyError, IndexDamagedError, IndexMismatchError, IndexMissingError, QaError
from index.settings import PROJECT_ROOT
from index.store.folder import (
    CURRENT,
    MANIFEST,
    build_lock,
    current_version,
    index_version,
    load_index,
    read_manifest,
    save_index,
)
from tests.fakes import FakeEmbedder

DATA = Path(__file__).parents[1] / "data"
INDEX_FILES = [
    "manifest.json", "passages.sqlite", "vectors/vectors.faiss", "keywords/data.csc.index.npy",
    "keywords/indices.csc.index.npy", "keywords/indptr.csc.index.npy", "keywords/params.index.json",
    "keywords/vocab.index.json", "keywords/words.json", "keywords/df.json", "keywords/counts.npy",
]


def build(index: Path, corpus: Path = DATA / "corpus") -> None:
    build_index(corpus, index, FakeEmbedder(), max_chars=360, min_chars=120, exact_search_max=1000)


@pytest.fixture
def index(fake_index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the session's fake index, free to damage."""
    copy = tmp_path / "index"
    shutil.copytree(fake_index_dir, copy)
    return copy


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def zero(path: Path) -> None:
    path.write_bytes(bytes(path.stat().st_size))


def garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x55
    path.write_bytes(bytes(data))


def delete(path: Path) -> None:
    path.unlink()


def test_the_index_files_named_here_are_all_the_files_a_build_writes(index: Path) -> None:
    version = current_version(index)

    written = {p.relative_to(version).as_posix() for p in version.rglob("*") if p.is_file()}

    assert written == set(INDEX_FILES)


@pytest.mark.parametrize("damage", [truncate, zero, garble, delete], ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", INDEX_FILES)
def test_every_kind_of_damage_to_every_file_is_one_line_naming_the_fix(
    index: Path, name: str, damage: Callable[[Path], None]
) -> None:
    damage(current_version(index) / name)

    with pytest.raises(QaError) as caught:
        load_index(index, model=FakeEmbedder.name)

    message = str(caught.value)
    assert isinstance(caught.value, IndexDamagedError | IndexMismatchError)
    assert "\n" not in message
    assert "reports-qa build" in message


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        pytest.param(b"v-20990101T000000000000000Z-1\n", IndexDamagedError, id="names-a-missing-version"),
        pytest.param(b"\xff\xfe\x00garbage", IndexDamagedError, id="garbled"),
        pytest.param(b"../../etc\n", IndexDamagedError, id="points-outside"),
    ],
)
def test_a_damaged_pointer_is_one_line_naming_the_fix(index: Path, pointer: bytes, expected: type) -> None:
    (index / CURRENT).write_bytes(pointer)

    with pytest.raises(expected, match=r"^[^\n]*reports-qa build[^\n]*$"):
        read_manifest(index)


def test_manifest_counts_are_checked_against_the_files(index: Path) -> None:
    version = current_version(index)
    manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    manifest["passages"] += 1
    (version / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(IndexDamagedError, match="passages.sqlite holds"):
        load_index(index)


def test_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="reports-qa build"):
        load_index(tmp_path / "nowhere")


def test_ask_on_a_damaged_index_prints_one_error_line_and_no_traceback(
    index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truncate(current_version(index) / "passages.sqlite")

    status = main(["ask", "--index", str(index), "南山区"])

    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1 and err.startswith("error: ") and "passages.sqlite" in err


def test_a_rebuild_switches_versions_and_keeps_only_the_previous_one(tmp_path: Path) -> None:
    index = tmp_path / "index"
    versions = []
    for _ in range(3):
        build(index)
        versions.append(index_version(index))

    on_disk = sorted(p.name for p in index.iterdir() if p.name.startswith("v-"))

    assert len(set(versions)) == 3
    assert on_disk == sorted(versions[1:])
    assert load_index(index).manifest.passages > 0


def test_a_format_1_folder_is_refused_with_the_fix_and_replaced_by_a_build(tmp_path: Path) -> None:
    index = tmp_path / "index"
    index.mkdir()
    (index / MANIFEST).write_text(json.dumps({"format_version": 1}), encoding="utf-8")
    (index / "chunks.jsonl").write_text("", encoding="utf-8")

    with pytest.raises(IndexMismatchError, match="reports-qa build"):
        read_manifest(index)
    build(index)

    assert sorted(p.name for p in index.iterdir() if not p.name.startswith("v-")) == [".lock", CURRENT]


def test_a_second_build_of_the_same_folder_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    index = tmp_path / "index"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from index.store.folder import build_lock\n"
         "with build_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)", str(index)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(IndexBusyError, match=f"pid {holder.pid}"):
            build(index)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    build(index)  # the lock went with the killed process

    assert load_index(index).manifest.passages > 0


def test_the_lock_is_reentrant_within_one_build(tmp_path: Path) -> None:
    with build_lock(tmp_path), build_lock(tmp_path):
        pass


# The switch's file-system steps, in order; the kill test stops the process after each of them.
SWAP_STEPS = ["version folder made", "version written", "pointer written", "pointer switched", "folder synced"]
_KILLED_SAVE = """
import os, sys
from pathlib import Path
from index.store import folder as store
from index.store.folder import load_index, save_index
index, stop = Path(sys.argv[1]), sys.argv[2]
stored = load_index(Path(sys.argv[3]))
def step(name):
    if name == stop or (stop == "removing" and name.startswith("removed")):
        os.kill(os.getpid(), 9)
save_index(index, stored, step=step)
"""


@pytest.mark.parametrize("stop", [*SWAP_STEPS, "removing"])
def test_a_build_killed_at_any_step_of_the_switch_leaves_a_whole_index(tmp_path: Path, stop: str) -> None:
    index, other = tmp_path / "index", tmp_path / "other"
    build(index)
    build(other, DATA / "other_districts")
    build(index)  # two versions on disk, so the killed save has an old one to remove
    before = read_manifest(index)

    killed = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(index), stop, str(other)], cwd=PROJECT_ROOT)
    after = load_index(index)
    build(index)  # the next build cleans what the killed one left

    assert killed.returncode == -signal.SIGKILL
    assert after.manifest.passages in {before.passages, read_manifest(other).passages}
    assert len([p for p in index.iterdir() if p.name.startswith("v-")]) == 2
    assert not [p for p in index.iterdir() if p.name.startswith(f"{CURRENT}.tmp")]


def test_a_build_killed_at_random_moments_always_leaves_a_whole_index(tmp_path: Path) -> None:
    index = tmp_path / "index"
    build(index)
    passages = read_manifest(index).passages
    script = ("import sys; from pathlib import Path; from index.build.builder import build_index; from tests.fakes import "
              "FakeEmbedder\nbuild_index(Path(sys.argv[1]), Path(sys.argv[2]), FakeEmbedder(), max_chars=360, "
              "min_chars=120, exact_search_max=1000)")
    for delay in (0.3, 0.8, 1.2, 1.6, 2.0, 2.5):
        process = subprocess.Popen([sys.executable, "-c", script, str(DATA / "corpus"), str(index)], cwd=PROJECT_ROOT)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()

        assert load_index(index).manifest.passages == passages
    build(index)

    assert len([p for p in index.iterdir() if p.name.startswith("v-")]) <= 2


def test_leftovers_of_format_1_builds_beside_the_folder_are_removed(tmp_path: Path) -> None:
    index = tmp_path / "index"
    (tmp_path / f".index.building-{os.getpid() + 1}").mkdir()
    (tmp_path / f".index.old-{os.getpid() + 2}").mkdir()

    build(index)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]
