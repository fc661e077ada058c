"""Corpus folder -> SourceFile records, with a reason for every file left out (the only corpus reader)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path

from index.encoding import decode_text
from index.errors import UnreadableFileError
from index.formats import extract_docx, extract_markdown, extract_pdf
from index.records import Skipped, SourceFile
from index.webpage import decode_page, extract_page

__all__ = ["SUPPORTED_SUFFIXES", "decode_text", "read_corpus", "read_source"]

logger = logging.getLogger(__name__)

_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_FORMATS)
SIDECAR_SUFFIX = ".meta.toml"
PROVENANCE_NOTE = "README.md"  # at the corpus root: where the reports came from, not a report
MAX_FILE_BYTES = 256 * 1024 * 1024  # past this a "report" is an archive or a scan dump


def read_corpus(corpus_dir: Path) -> Iterator[SourceFile | Skipped]:
    """Every report under corpus_dir, recursively, sorted by relative path; unreadable ones as Skipped."""
    for relative in _report_paths(corpus_dir):
        suffix = Path(relative).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            yield Skipped(relative, _unsupported(suffix))
            continue
        try:
            yield read_source(corpus_dir / relative, corpus_dir)
        except UnreadableFileError as error:
            logger.info("skipping %s: %s", relative, error)
            yield Skipped(relative, str(error))


def read_source(path: Path, corpus_dir: Path) -> SourceFile:
    """One report as faithful text plus sidecar metadata; raises UnreadableFileError with a short reason."""
    relative = path.relative_to(corpus_dir).as_posix()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFileError(_unsupported(suffix))
    try:
        text, hints = _extract(_read_bytes(path), suffix)
    except UnreadableFileError:
        raise
    except OSError as error:
        raise UnreadableFileError(f"cannot open file: {error.strerror or type(error).__name__}") from error
    except Exception as error:  # a broken file must cost one Skipped, not the whole build
        logger.warning("unexpected error reading %s", relative, exc_info=True)
        reason = (str(error).strip().splitlines() or [""])[0][:120]
        detail = f"{type(error).__name__} {reason}".strip()
        raise UnreadableFileError(f"cannot read {suffix} file: {detail}") from error
    text = _normalise_newlines(text)
    if not text.strip():
        raise UnreadableFileError("empty file")
    return SourceFile(relative, text, _FORMATS[suffix], {**hints, **read_sidecar(path)})


def read_sidecar(report: Path) -> dict[str, object]:
    """Metadata from <name>.meta.toml or <name.ext>.meta.toml beside a report; {} if none or malformed."""
    meta: dict[str, object] = {}
    # The stem form first, so the more specific <name.ext>.meta.toml wins where both exist.
    for base in (report.stem, report.name):
        sidecar = report.with_name(base + SIDECAR_SUFFIX)
        if not sidecar.is_file():
            continue
        try:
            table = tomllib.loads(sidecar.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            logger.warning("ignoring malformed sidecar %s: %s", sidecar, error)
            continue
        meta.update({key: _plain(value) for key, value in table.items()})
    return meta


def _report_paths(corpus_dir: Path) -> Iterator[str]:
    found: list[str] = []  # relative paths only: a few MB even for hundreds of thousands of files
    for folder, dirs, files in os.walk(corpus_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(folder).relative_to(corpus_dir)
        found.extend((base / name).as_posix() for name in files if _is_candidate(name, base))
    yield from sorted(found)


def _is_candidate(name: str, folder: Path) -> bool:
    if name.startswith(".") or name.lower().endswith(SIDECAR_SUFFIX):
        return False
    return not (folder == Path(".") and name.lower() == PROVENANCE_NOTE.lower())


def _extract(data: bytes, suffix: str) -> tuple[str, dict[str, object]]:
    if suffix in {".html", ".htm"}:
        if not data.strip():
            raise UnreadableFileError("empty file")
        return extract_page(decode_page(data))
    if suffix == ".docx":
        return extract_docx(data), {}
    if suffix == ".pdf":
        return extract_pdf(data), {}
    text = decode_text(data)
    return (extract_markdown(text) if suffix == ".md" else text), {}


def _read_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnreadableFileError(f"file too large ({size // (1024 * 1024)} MB)")
    return path.read_bytes()


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _plain(value: object) -> object:
    # TOML dates (date = 2022-01-25, unquoted) become the ISO strings Document.date holds.
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _unsupported(suffix: str) -> str:
    return f"unsupported file type {suffix}" if suffix else "unsupported file type (no extension)"
