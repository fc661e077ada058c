"""Errors whose message is written for the person using the assistant."""

from __future__ import annotations


class QaError(Exception):
    """Base for expected failures. str(error) is safe to show users (the CLI and logs show it); a front end
    speaking the reader's language words it from code and fields instead, never by reading the message."""

    code = "error"

    def __init__(self, message: str = "", **fields: object) -> None:
        super().__init__(message)
        self.fields = fields


class EmptyQuestionError(QaError):
    """The question was blank or only punctuation."""

    code = "empty_question"


class QuestionTooLongError(QaError):
    """The question is longer than the engine accepts (fields: chars, limit)."""

    code = "question_too_long"


class IndexMissingError(QaError):
    """No usable index folder was found where settings point."""


class IndexMismatchError(QaError):
    """The index was built with another model or format than the one configured."""


class IndexDamagedError(QaError):
    """An index file is missing, truncated or altered; the message names it and the command that rebuilds."""


class IndexBusyError(QaError):
    """Another build holds the index folder's lock."""


class RuntimeSettingError(QaError):
    """The settings ask for a runtime, device or precision that cannot embed with this model."""


class ModelMissingError(QaError):
    """The embedding model could not be found locally."""


class UnknownItemError(QaError):
    """A passage, report or place that the index does not hold was asked for (code unknown_passage,
    unknown_report or unknown_place; field place for a place)."""

    code = "unknown_item"

    def __init__(self, message: str = "", *, kind: str = "item", **fields: object) -> None:
        super().__init__(message, **fields)
        self.code = f"unknown_{kind}"


class UnreadableFileError(QaError):
    """A corpus file could not be turned into text; the message is a short reason for the build summary."""
