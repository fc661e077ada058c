"""A notebook export file as an HTTP download, picked by format name (docx, md, ris, csl)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.responses import Response

from bot.readers.export import ExportFile
from index.errors import QaError

# Format names in URLs -> the file extension export_files gives each format.
EXPORT_FORMATS = {"docx": ".docx", "md": ".md", "ris": ".ris", "csl": ".json"}


class UnknownFormatError(QaError):
    """An export format the notebook is not written in was asked for."""


def pick_file(files: Sequence[ExportFile], fmt: str) -> ExportFile:
    """The export file of a format; UnknownFormatError names the formats there are."""
    extension = EXPORT_FORMATS.get(fmt.lower())
    match = next((f for f in files if extension and f.name.endswith(extension)), None)
    if match is None:
        raise UnknownFormatError(f"没有“{fmt}”这种导出格式：可选 docx、md、ris、csl。"
                                 f"There is no export format “{fmt}”: choose docx, md, ris or csl.")
    return match


def export_response(files: Sequence[ExportFile], fmt: str) -> Response:
    """The file of a format as a download with its own name and media type."""
    file = pick_file(files, fmt)
    return Response(file.data, media_type=file.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.name}"'})
