"""Texts around the passages: counts read right in English."""

from __future__ import annotations

from bot.replies.i18n import text


def test_english_counts_agree_with_their_noun() -> None:
    assert text("reports_count", "en", n=1) == "1 report"
    assert text("reports_count", "en", n=21) == "21 reports"
    assert text("notebook_title", "en", n=1) == "Notebook: 1 passage"
    assert text("reports_count", "zh", n=1) == "共 1 份报告"
