"""Checks that eval/questions.jsonl is well formed and its gold substrings exist in the corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path

import opencc
import pytest

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "eval" / "questions.jsonl"
CORPUS = ROOT / "corpus"
KINDS = frozenset(
    {"fact", "keyword", "paraphrase", "english", "traditional", "place", "out_of_corpus"}
)
# Pinyin glosses that some scraped pages put after each character, e.g. 區(qū) -> 區.
PINYIN_GLOSS = re.compile(r"\((?:[a-zǜ-ͯāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]{1,7})\)")


def _questions() -> list[dict[str, object]]:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def folded_corpus() -> str:
    to_simplified = opencc.OpenCC("t2s")
    texts = (
        to_simplified.convert(PINYIN_GLOSS.sub("", path.read_text(encoding="utf-8")))
        for path in sorted(CORPUS.glob("*.txt"))
    )
    return "\n".join(texts)


def test_every_question_has_the_expected_fields() -> None:
    malformed = [
        entry
        for entry in _questions()
        if set(entry) != {"q", "gold", "kind"}
        or not isinstance(entry["q"], str)
        or not entry["q"].strip()
        or not isinstance(entry["gold"], list)
        or not all(isinstance(gold, str) and gold for gold in entry["gold"])
    ]

    assert malformed == []


def test_kinds_come_from_the_allowed_set() -> None:
    unknown = [entry for entry in _questions() if entry["kind"] not in KINDS]

    assert unknown == []


def test_only_out_of_corpus_questions_lack_gold() -> None:
    mismatched = [
        entry for entry in _questions() if (entry["kind"] == "out_of_corpus") == bool(entry["gold"])
    ]

    assert mismatched == []


def test_questions_are_not_repeated() -> None:
    questions = [entry["q"] for entry in _questions()]

    assert len(questions) == len(set(questions))


def test_every_gold_substring_occurs_in_the_folded_corpus(folded_corpus: str) -> None:
    missing = [
        (entry["q"], gold)
        for entry in _questions()
        for gold in entry["gold"]  # type: ignore[attr-defined]
        if gold not in folded_corpus
    ]

    assert missing == []


# Every kind any set of eval/ uses: a line without one would be scored as an answerable question.
ALL_KINDS = KINDS | {"broad", "no_place", "inner_place", "other_place", "other_year", "off_topic_place"}


@pytest.mark.parametrize("path", sorted((ROOT / "eval").glob("*.jsonl")), ids=lambda p: p.name)
def test_every_set_gives_every_question_a_known_kind(path: Path) -> None:
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    assert [e["q"] for e in entries if e.get("kind") not in ALL_KINDS] == []
    assert [e["q"] for e in entries if not e["gold"] and e["kind"] in KINDS - {"out_of_corpus"}] == []
