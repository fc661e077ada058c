"""Corpus folder -> SourceFile records, with a reason for every file left out (the only corpus reader)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import os
import stat
import time
import tomllib
from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path

from index.ingest.encoding import decode_text
from index.errors import UnreadableFileError
from index.ingest.formats import MB, extract_docx, extract_markdown, extract_pdf
from index.records import Skipped, SourceFile
from index.ingest.webpage import decode_page, extract_page

__all__ = ["SUPPORTED_SUFFIXES", "ReadLimits", "corpus_files", "decode_text", "display_path", "read_corpus",
           "read_source", "source_digest", "source_stamp"]

logger = logging.getLogger(__name__)

_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_FORMATS)
SIDECAR_SUFFIX = ".meta.toml"
PROVENANCE_NOTE = "README.md"  # at the corpus root: where the reports came from, not a report
MAX_SIDECAR_BYTES = 1 * MB  # a few lines of TOML
# A file changed this recently may be changed again within the same tick of its file system's clock
# without its times moving (FAT keeps modification times to 2 s; ext4, XFS, btrfs and tmpfs to the
# nanosecond), so its stamp is not trusted; git's index takes the same precaution against "racy" files.
SETTLED_NS = 3_000_000_000


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """How much a build may read: per file on disk, per file unpacked (.docx XML, .pdf text), and links."""

    max_file_bytes: int = 256 * MB  # past this a "report" is an archive or a scan dump
    max_unpacked_bytes: int = 256 * MB  # what a .docx unzips to or a .pdf yields as text
    follow_outside_links: bool = False  # symbolic links to files outside the corpus folder

    @classmethod
    def from_megabytes(cls, max_file_mb: float, max_unpacked_mb: float, follow_outside_links: bool) -> ReadLimits:
        """Limits as settings.toml gives them, in MB."""
        return cls(int(max_file_mb * MB), int(max_unpacked_mb * MB), follow_outside_links)


def read_corpus(corpus_dir: Path, limits: ReadLimits | None = None,
                only: Container[str] | None = None) -> Iterator[SourceFile | Skipped]:
    """Every report under corpus_dir, recursively, sorted by name; everything left out as Skipped with a reason.

    Only regular files are opened: a named pipe, device or socket would block or never end.
    only: the names (as shown) of the files to read; the others are passed over in silence.
    """
    limits = limits or ReadLimits()
    root = corpus_dir.resolve()
    for shown, path in _report_paths(corpus_dir):
        if only is not None and shown not in only:
            continue
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            yield Skipped(shown, _unsupported(suffix))
            continue
        reason = _unsafe(path, root, limits)
        if reason is None:
            try:
                yield read_source(path, corpus_dir, limits)
                continue
            except UnreadableFileError as error:
                reason = str(error)
        logger.info("skipping %s: %s", shown, reason)
        yield Skipped(shown, reason)


def read_source(path: Path, corpus_dir: Path, limits: ReadLimits | None = None) -> SourceFile:
    """One report as faithful text plus sidecar metadata; raises UnreadableFileError with a short reason."""
    limits = limits or ReadLimits()
    relative = display_path(path.relative_to(corpus_dir).as_posix())
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFileError(_unsupported(suffix))
    try:
        text, hints = _extract(read_regular_file(path, limits.max_file_bytes), suffix, limits)
    except UnreadableFileError:
        raise
    except OSError as error:
        raise UnreadableFileError(f"cannot open file: {error.strerror or type(error).__name__}") from error
    except MemoryError as error:
        raise UnreadableFileError("file too large to unpack in memory") from error
    except Exception as error:  # a broken file must cost one Skipped, not the whole build
        logger.warning("unexpected error reading %s", relative, exc_info=True)
        reason = (str(error).strip().splitlines() or [""])[0][:120]
        detail = f"{type(error).__name__} {reason}".strip()
        raise UnreadableFileError(f"cannot read {suffix} file: {detail}") from error
    text = _normalise_newlines(text)
    if not text.strip():
        raise UnreadableFileError("empty file")
    return SourceFile(relative, text, _FORMATS[suffix], {**hints, **read_sidecar(path)})


def corpus_files(corpus_dir: Path) -> list[tuple[str, Path]]:
    """(name as shown, path) of every file read_corpus would look at, in its order."""
    return list(_report_paths(corpus_dir))


def source_digest(path: Path, limits: ReadLimits | None = None) -> str:
    """SHA-256 of a report's bytes and of its sidecars', for incremental builds; "" when it cannot be read safely.

    "" never matches a stored digest, so such a file is read (and skipped with its reason) every build.
    """
    limits = limits or ReadLimits()
    if _unsafe(path, path.parent.resolve(), dataclasses.replace(limits, follow_outside_links=True)) is not None:
        return ""
    digest = hashlib.sha256()
    try:
        digest.update(read_regular_file(path, limits.max_file_bytes))
        for base in (path.stem, path.name):
            sidecar = path.with_name(base + SIDECAR_SUFFIX)
            digest.update(b"\0sidecar\0")
            if sidecar.is_file():
                digest.update(read_regular_file(sidecar, MAX_SIDECAR_BYTES))
    except (OSError, UnreadableFileError):
        return ""
    return digest.hexdigest()


def source_stamp(path: Path, now_ns: int | None = None) -> str:
    """How a report's file and sidecars look to stat (device, inode, size, type, times); "" when it cannot be trusted.

    An incremental build reuses a file's stored digest, without reading it, while its stamp is
    unchanged: a write changes the change time (ctime), which no program can set back, even when size
    and modification time are restored. A file changed less than SETTLED_NS before now_ns gets "".
    """
    now = time.time_ns() if now_ns is None else now_ns
    parts = []
    for candidate in (path, *(path.with_name(base + SIDECAR_SUFFIX) for base in (path.stem, path.name))):
        try:
            info = os.stat(candidate)
        except FileNotFoundError:
            parts.append("-")
            continue
        except OSError:
            return ""
        if max(info.st_mtime_ns, info.st_ctime_ns) > now - SETTLED_NS:
            return ""
        parts.append(f"{info.st_dev}:{info.st_ino}:{info.st_mode}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}")
    return "|".join(parts)


def display_path(path: str) -> str:
    """A file name as people should read it: names in GBK bytes (copied from Windows) decoded, others escaped.

    os.walk hands undecodable bytes over as surrogates, which no UTF-8 file (index, log, JSON) can hold.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(path)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="backslashreplace")


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most max_bytes; anything else raises UnreadableFileError.

    O_NONBLOCK keeps a named pipe that replaced a checked file from blocking open(); fstat on the open
    descriptor then decides, so nothing swapped in between the check and the read gets read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFileError(f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > max_bytes:
            raise UnreadableFileError(f"file too large ({_megabytes(info.st_size)}; the limit is {_megabytes(max_bytes)})")
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(max_bytes + 1)  # a file growing while read is still cut at the limit
        if len(data) > max_bytes:
            raise UnreadableFileError(f"file too large (over {_megabytes(max_bytes)})")
        return data
    finally:
        os.close(fd)


def _unsafe(path: Path, root: Path, limits: ReadLimits) -> str | None:
    """Why a listed file must not be opened (a link out of the corpus, not a regular file), or None."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            target = Path(os.path.realpath(path))
            if not limits.follow_outside_links and not target.is_relative_to(root):
                return "symbolic link to a file outside the corpus folder (not followed; see index.follow_outside_links)"
            info = os.stat(path)
    except OSError as error:
        return f"cannot open file: {error.strerror or type(error).__name__}"
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file ({_kind(info.st_mode)})"
    return None


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "folder")):
        if test(mode):
            return name
    return "special file"


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB"


def read_sidecar(report: Path) -> dict[str, object]:
    """Metadata from <name>.meta.toml or <name.ext>.meta.toml beside a report; {} if none or malformed."""
    meta: dict[str, object] = {}
    # The stem form first, so the more specific <name.ext>.meta.toml wins where both exist.
    for base in (report.stem, report.name):
        sidecar = report.with_name(base + SIDECAR_SUFFIX)
        if not sidecar.is_file():
            continue
        try:
            table = tomllib.loads(read_regular_file(sidecar, MAX_SIDECAR_BYTES).decode("utf-8-sig"))
        except (OSError, UnreadableFileError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            logger.warning("ignoring malformed sidecar %s: %s", sidecar, error)
            continue
        meta.update({key: _plain(value) for key, value in table.items()})
    return meta


def _report_paths(corpus_dir: Path) -> Iterator[tuple[str, Path]]:
    """(name to show, path to open) of every candidate file, sorted by the shown name."""
    found: list[str] = []  # relative paths only: a few MB even for hundreds of thousands of files
    # os.walk does not descend into linked folders (followlinks=False): a link cannot loop or leave.
    for folder, dirs, files in os.walk(corpus_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(folder).relative_to(corpus_dir)
        found.extend((base / name).as_posix() for name in files if _is_candidate(name, base))
    for relative in sorted(found, key=display_path):
        yield display_path(relative), corpus_dir / relative


def _is_candidate(name: str, folder: Path) -> bool:
    if name.startswith(".") or name.lower().endswith(SIDECAR_SUFFIX):
        return False
    return not (folder == Path(".") and name.lower() == PROVENANCE_NOTE.lower())


def _extract(data: bytes, suffix: str, limits: ReadLimits) -> tuple[str, dict[str, object]]:
    if suffix in {".html", ".htm"}:
        if not data.strip():
            raise UnreadableFileError("empty file")
        return extract_page(decode_page(data))
    if suffix == ".docx":
        return extract_docx(data, max_unpacked_bytes=limits.max_unpacked_bytes), {}
    if suffix == ".pdf":
        return extract_pdf(data, max_text_bytes=limits.max_unpacked_bytes), {}
    text = decode_text(data)
    return (extract_markdown(text) if suffix == ".md" else text), {}


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
