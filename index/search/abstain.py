"""Whether to say that nothing in the reports answers a question, and why (pure)."""

from __future__ import annotations

from index.search.calibration import Abstention

NO_MATCH = "no_match"  # no passage is near the question at all
OFF_TOPIC = "off_topic"  # near passages exist, but none holds what the question is about
NOTHING_IN_SCOPE = "nothing_in_scope"  # the place the search was limited to has no passages


def abstention_reason(*, english: bool, cosine: float, coverage: float, thresholds: Abstention) -> str:
    """NO_MATCH or OFF_TOPIC when the evidence is too weak to cite anything, "" when passages may be shown.

    cosine is the best dense match near the top (of the question itself for English questions, whose
    glossary expansions would flatter it); coverage the best share of the question's topic held by
    one of the top passages. A question naming a covered place is never refused whatever this says
    (the searcher shows its passages under a notice instead).
    """
    t = thresholds
    if english:
        if cosine < t.english_min_cosine:
            return NO_MATCH
        if cosine >= t.english_confident_cosine:
            return ""
        return OFF_TOPIC if coverage < t.english_min_coverage else ""
    if cosine < t.min_cosine:
        return NO_MATCH
    if cosine >= t.confident_cosine:
        return ""
    return OFF_TOPIC if coverage < t.min_coverage else ""
