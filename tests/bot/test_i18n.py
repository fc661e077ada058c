"""Texts around the passages: counts read right in English."""

from __future__ import annotations

import pytest

from bot.replies.i18n import error_text, text
from index.errors import IndexMissingError, QuestionTooLongError, UnknownItemError


def test_english_counts_agree_with_their_noun() -> None:
    assert text("reports_count", "en", n=1) == "1 report"
    assert text("reports_count", "en", n=21) == "21 reports"
    assert text("notebook_title", "en", n=1) == "Notebook: 1 passage"
    assert text("reports_count", "zh", n=1) == "共 1 份报告"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_engine_errors_are_worded_from_their_code_and_fields_not_their_message(language: str) -> None:
    # The engine's message is Chinese prose for logs and the CLI; the front end never parses it.
    place = UnknownItemError("(any message)", kind="place", place="火星")
    too_long = QuestionTooLongError("(any message)", chars=9000, limit=2000)

    assert "火星" in error_text(place, language) and "/places" in error_text(place, language)
    assert "9000" in error_text(too_long, language) and "2000" in error_text(too_long, language)
    assert "(any message)" not in error_text(place, language) + error_text(too_long, language)
    assert error_text(IndexMissingError("请先运行 make run。"), language) == "请先运行 make run。"  # the operator's words
