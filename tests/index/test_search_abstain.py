"""Abstention: the cosine and coverage bands, for Chinese and English questions (pure, table-driven)."""

from __future__ import annotations

import pytest

from index.search.abstain import NO_MATCH, OFF_TOPIC, abstention_reason
from index.search.calibration import Abstention

T = Abstention()


@pytest.mark.parametrize(
    ("english", "names_place", "cosine", "coverage", "expected"),
    [
        pytest.param(False, False, 0.79, 1.0, NO_MATCH, id="zh-far-from-everything"),
        pytest.param(False, False, 0.83, 0.2, OFF_TOPIC, id="zh-near-but-topic-missing"),
        pytest.param(False, False, 0.83, 0.5, "", id="zh-near-and-topic-held"),
        pytest.param(False, False, 0.87, 0.0, "", id="zh-confident-dense-match"),
        pytest.param(True, False, 0.70, 1.0, NO_MATCH, id="en-far"),
        pytest.param(True, False, 0.75, 0.1, OFF_TOPIC, id="en-untranslated-topic"),
        pytest.param(True, False, 0.75, 0.25, "", id="en-some-topic"),
        pytest.param(True, True, 0.79, 0.0, "", id="en-corpus-place-and-dense-agree"),
        pytest.param(True, True, 0.75, 0.05, OFF_TOPIC, id="en-corpus-place-alone-is-not-enough"),
    ],
)
def test_abstention_bands(english: bool, names_place: bool, cosine: float, coverage: float, expected: str) -> None:
    assert abstention_reason(english=english, names_place=names_place, cosine=cosine, coverage=coverage,
                             thresholds=T) == expected
