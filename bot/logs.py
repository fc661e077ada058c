"""Logging for the bot process: the token never reaches a log line, whoever logs it (PTB, httpx, us)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from index.logs import LOG_FORMAT

REDACTED = "<redacted>"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then replaces every secret in the whole line, traceback included.

    PTB puts the token in InvalidToken messages and httpx in request URLs (…/bot<token>/getMe);
    redacting the finished text catches them wherever they sit: message, arguments or exception.
    """

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        # Longest first, so a secret containing another is replaced whole; the bot id alone is public.
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """text with each secret replaced by REDACTED."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record, secrets redacted."""
        return self.redact(super().format(record))


def configure_logging(*, level: int, secrets: Iterable[str]) -> logging.Handler:
    """Root logging to stderr through the redacting formatter; the one place the bot process sets logging up."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(LOG_FORMAT, secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every getUpdates poll at INFO
    return handler
