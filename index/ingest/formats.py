"""Text out of Markdown, .docx and .pdf reports, for ingest.

python-docx and pypdf share this module: each is a small file-format reader used by one function.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import docx
import pypdf
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from index.errors import UnreadableFileError

MB = 1024 * 1024

_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-{2,})[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)")
_BLOCKQUOTE = re.compile(r"^ {0,3}(?:>[ \t]?)+")
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def extract_markdown(text: str) -> str:
    """Markdown without its markup: heading text on its own line, links and emphasis as plain words."""
    lines = []
    for line in text.split("\n"):
        if _FENCE.match(line) or _SETEXT_UNDERLINE.match(line):
            continue
        heading = _ATX_HEADING.match(line)
        if heading:
            line = heading.group(1)
        line = _BULLET.sub(r"\1", _BLOCKQUOTE.sub("", line))
        lines.append(_STRONG.sub(r"\2", _LINK.sub(r"\1", _IMAGE.sub(r"\1", line))))
    return "\n".join(lines)


def extract_docx(data: bytes, *, max_unpacked_bytes: int = 256 * MB) -> str:
    """Paragraphs of a .docx body in order, each table cell as its own line; refuses zip bombs."""
    check_unpacked_size(data, max_unpacked_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError) as error:
        raise UnreadableFileError("corrupt .docx: not a zip archive") from error
    except KeyError as error:  # a zip without word/document.xml and friends
        raise UnreadableFileError("corrupt .docx: missing document part") from error
    return "\n".join(_docx_lines(document.iter_inner_content()))


def check_unpacked_size(data: bytes, max_bytes: int) -> None:
    """Refuse a zip archive whose members unpack to more than max_bytes, before anything unpacks it.

    The sizes come from the archive's directory; zipfile stops reading a member at its declared size
    (and fails its CRC check), so a member that lies about its size cannot unpack to more either.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise UnreadableFileError("corrupt .docx: not a zip archive") from error
    if unpacked > max_bytes:
        raise UnreadableFileError(
            f"unpacks to {unpacked / MB:.0f} MB, over the limit of {max_bytes / MB:.0f} MB (a zip bomb?)"
        )


def _docx_lines(blocks: Iterator[Paragraph | Table]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        else:
            yield from _table_lines(block)


def _table_lines(table: Table) -> Iterator[str]:
    for row in table.rows:
        seen: list[object] = []  # holding the elements keeps lxml's proxies, so `is` is reliable
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; print it once.
            if any(cell._tc is tc for tc in seen):
                continue
            seen.append(cell._tc)
            yield from _docx_lines(cell.iter_inner_content())


def extract_pdf(data: bytes, *, max_text_bytes: int = 256 * MB) -> str:
    """The text layer of a PDF, pages joined by newlines; scanned PDFs raise UnreadableFileError.

    pypdf caps each decompressed stream itself (75 MB); the text gathered over all pages is capped here.
    """
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFileError("encrypted PDF")
        pages: list[str] = []
        size = 0
        for page in reader.pages:
            pages.append(page.extract_text())
            size += len(pages[-1].encode("utf-8", errors="replace"))
            if size > max_text_bytes:
                raise UnreadableFileError(f"PDF text exceeds the limit of {max_text_bytes / MB:.0f} MB")
    except (FileNotDecryptedError, DependencyError) as error:
        raise UnreadableFileError("encrypted PDF") from error
    except PdfReadError as error:
        raise UnreadableFileError(f"corrupt .pdf: {_first_line(error)}") from error
    text = "\n".join(pages)
    if not text.strip():
        raise UnreadableFileError("PDF has no text layer (scanned images?)")
    return text


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:120]
