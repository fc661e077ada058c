"""The floor plan, checked from folder names: pipeline order, no import circles, heavy libraries behind one module.

Each package's folders are listed once below, in the order data meets them. A module may import its
own folder, any earlier folder, and the package's top-level base modules (records, errors, settings:
the nouns every stage shares); the top-level front door (cli, __main__, check) may import anything.
Function-level (lazy) imports count like any other.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.build.state import pipeline_files
from index.settings import PROJECT_ROOT

PIPELINE = {
    "index": ("text", "places", "ingest", "chunk", "model", "keywords", "store", "build", "search", "answer"),
    "bot": ("readers", "replies", "terminal", "telegram_bot", "web"),
}
# Libraries that live behind one folder each: only modules there may import them.
HEAVY = {
    "onnxruntime": ("index/model",), "torch": ("index/model",), "sentence_transformers": ("index/model",),
    "sentencepiece": ("index/model",), "faiss": ("index/store",), "pymilvus": ("index/store",),
    "jieba": ("index/keywords",), "opencc": ("index/text/script.py",), "lxml": ("index/ingest",),
    "telegram": ("bot/telegram_bot", "bot/__main__.py", "bot/check.py"),
    "fastapi": ("bot/web",), "starlette": ("bot/web",), "uvicorn": ("bot/web",), "jinja2": ("bot/web",),
}


def modules(package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of a package."""
    root = PROJECT_ROOT / package
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path) -> Iterator[str]:
    """Every module a file imports, at any depth of the code (lazy imports too), as dotted names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@functools.cache
def local_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (a name imported from a module counts as that module)."""
    known = {**modules("index"), **modules("bot")}
    return {name: {target for target in imports(path) if target in known and target != name} for name, path in known.items()}


def folder_of(module: str) -> tuple[str, str | None]:
    """(package, folder) of a dotted module name; folder None for a top-level module."""
    parts = module.split(".")
    return parts[0], (parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in PIPELINE[parts[0]]) else None)


def test_every_folder_is_in_the_pipeline_order() -> None:
    for package, order in PIPELINE.items():
        folders = {p.name for p in (PROJECT_ROOT / package).iterdir() if p.is_dir() and (p / "__init__.py").exists()}
        assert folders == set(order), f"{package}/: list new folders in PIPELINE, in pipeline order"


def test_init_files_hold_only_a_docstring() -> None:
    for package in PIPELINE:
        for path in (PROJECT_ROOT / package).rglob("__init__.py"):
            body = ast.parse(path.read_text(encoding="utf-8")).body
            assert len(body) == 1 and isinstance(body[0], ast.Expr), path


def test_no_upward_imports() -> None:
    graph = local_graph()
    upward = []
    for module, targets in graph.items():
        package, folder = folder_of(module)
        for target in targets:
            target_package, target_folder = folder_of(target)
            if target_package != package:
                if package == "index":  # index never imports the front ends
                    upward.append(f"{module} -> {target}")
                continue
            order = PIPELINE[package]
            if folder is None:
                continue  # the top-level front door (and base modules, checked below)
            if target_folder is not None and order.index(target_folder) > order.index(folder):
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_top_level_modules_are_either_base_or_front_door() -> None:
    # A top-level module that a folder imports (records, errors, settings, logs) must import no folder itself.
    graph = local_graph()
    used_by_folders = {t for m, ts in graph.items() if folder_of(m)[1] is not None for t in ts if folder_of(t)[1] is None}
    assert {m: sorted(t for t in graph[m] if folder_of(t)[1] is not None)
            for m in used_by_folders if any(folder_of(t)[1] is not None for t in graph[m])} == {}


def test_no_import_circles() -> None:
    graph = local_graph()
    circles = [sorted(c) for c in _strongly_connected(graph) if len(c) > 1]
    assert circles == []


@pytest.mark.parametrize("library", sorted(HEAVY))
def test_heavy_library_lives_behind_one_folder(library: str) -> None:
    homes = HEAVY[library]
    outside = []
    for package in PIPELINE:
        for name, path in modules(package).items():
            where = path.relative_to(PROJECT_ROOT).as_posix()
            if any(i == library or i.startswith(library + ".") for i in imports(path)) and not where.startswith(homes):
                outside.append(where)
    assert outside == []


def test_build_fingerprint_covers_every_module_of_the_reading_folders() -> None:
    # Folding (text/script.py) decides cached tokens and de-duplication keys: a hand-kept list once missed it.
    tracked = {p.relative_to(PROJECT_ROOT).as_posix() for p in pipeline_files()}

    assert {"index/text/script.py", "index/text/clean.py", "index/ingest/meta.py", "index/keywords/bm25.py",
            "index/build/state.py"} <= tracked
    for folder in ("text", "places", "ingest", "chunk", "keywords"):
        assert {p.relative_to(PROJECT_ROOT).as_posix() for p in (PROJECT_ROOT / "index" / folder).rglob("*.py")} <= tracked


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's components of a directed graph (iterative, so deep graphs do not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components
