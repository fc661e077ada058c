"""Abstention: the cosine and coverage bands, for Chinese and English questions (pure, table-driven)."""

from __future__ import annotations

import pytest

from index.search.abstain import NO_MATCH, OFF_TOPIC, abstention_reason
from index.search.calibration import Abstention

# Explicit bands, so the table tests the rule rather than whatever the fitting last chose.
T = Abstention(min_cosine=0.80, confident_cosine=0.86, min_coverage=0.4, english_min_cosine=0.72, english_min_coverage=0.2,
               english_confident_cosine=0.88)


@pytest.mark.parametrize(
    ("english", "cosine", "coverage", "expected"),
    [
        pytest.param(False, 0.79, 1.0, NO_MATCH, id="zh-far-from-everything"),
        pytest.param(False, 0.83, 0.2, OFF_TOPIC, id="zh-near-but-topic-missing"),
        pytest.param(False, 0.83, 0.5, "", id="zh-near-and-topic-held"),
        pytest.param(False, 0.87, 0.0, "", id="zh-confident-dense-match"),
        pytest.param(True, 0.70, 1.0, NO_MATCH, id="en-far"),
        pytest.param(True, 0.75, 0.1, OFF_TOPIC, id="en-untranslated-topic"),
        pytest.param(True, 0.75, 0.25, "", id="en-some-topic"),
        pytest.param(True, 0.89, 0.0, "", id="en-confident-dense-match"),
    ],
)
def test_abstention_bands(english: bool, cosine: float, coverage: float, expected: str) -> None:
    assert abstention_reason(english=english, cosine=cosine, coverage=coverage,
                             thresholds=T) == expected
