"""What a passage holds of a question: its concepts, weighted by how informative they are (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from index.text.chinese import HAN_RUN
from index.text.chinese import split_sentences
from index.text.clean import fold
from index.search.question import Query

# A concept of the question: the forms that express it (any one will do) and how much it matters.
Concept = tuple[tuple[str, ...], float]
DIGITS = tuple("0123456789")
# Reports give reasons as 必要性, 意义, 要求 ("…的要求").
REASONS = ("必要性", "意义", "原因", "要求", "因为", "由于")


def covered_share(folded: str, concepts: Sequence[Concept]) -> float:
    """Share of the question's weight whose concepts appear in a folded text."""
    # Plain loops: this runs for every sentence of every candidate (about 300 times an answer), where
    # sum() over any() generators cost a sixth of the ranking.
    total = held = 0.0
    for forms, weight in concepts:
        total += weight
        for form in forms:
            if form in folded:
                held += weight
                break
    return held / total if total else 0.0


def folded_sentences(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, folded text) of each sentence of a passage: the same for every question, so worth keeping."""
    return tuple((start, end, fold(text[start:end])) for start, end in split_sentences(text))


def best_of(sentences: Sequence[tuple[int, int, str]], length: int,
            concepts: Sequence[Concept]) -> tuple[int, int, float]:
    """best_sentence over a passage of this length already split by folded_sentences."""
    best = (0, length, -1.0)
    for start, end, folded in sentences:
        share = covered_share(folded, concepts)
        if share > best[2]:
            best = (start, end, share)
    return best


def best_sentence(text: str, concepts: Sequence[Concept]) -> tuple[int, int, float]:
    """The sentence of a passage covering most of the question: (start, end, share of its weight)."""
    return best_of(folded_sentences(text), len(text), concepts)


def whole_tokens(tokens: Sequence[str]) -> list[str]:
    """Tokens that are not part of a longer token of the same question.

    jieba's search mode adds the parts of long words (南山区 -> 南山, 山区); counting those again
    would let a passage that only says 山区 look half as good as one about 南山区.
    """
    unique = list(dict.fromkeys(tokens))
    return [t for t in unique if not any(t != other and t in other for other in unique)]


def question_concepts(query: Query, tokens: Sequence[str], idf: Callable[[str], float], rarest: float,
                      han_tokens: Callable[[str], list[str]]) -> list[Concept]:
    """What a passage must hold to answer the question, each with its weight (IDF).

    A word no passage holds weighs as much as the rarest word: "上证指数" missing from every passage
    is evidence that the corpus cannot answer. An English question is judged by its glossary
    concepts (any synonym will do), its places, and the words the glossary could not translate.
    """

    def weight(forms: Sequence[str]) -> float:
        return max((idf(f) for f in forms if idf(f) > 0), default=rarest)

    # "How many" is answered by a figure: a passage or sentence holding digits covers that part.
    concepts: list[Concept] = [(DIGITS, rarest / 2)] if query.asks_number else []
    if query.asks_reason:
        concepts.append((REASONS, rarest / 2))
    if query.is_english:
        concepts.extend((forms, weight(forms)) for forms in query.concepts if forms not in query.translated)
        # A dictionary sense is a guess at an untranslated word: it may now be found, but weighs what the
        # untranslated word did (below), so a guess cannot carry a question the corpus does not answer.
        concepts.extend((forms, rarest / 2) for forms in query.translated)
        concepts.extend(((name,), weight((name,))) for name in query.names)
        for aliases in query.place_aliases:
            forms = tuple(a for a in aliases if len(a) >= 2)  # aliases are folded already (place_aliases)
            concepts.append((forms, weight(forms)))
        # Untranslatable words ("smartphone" beside "elderly") count at half weight, since the
        # dense match may still have understood them.
        concepts.extend(((), rarest / 2) for _ in query.uncovered)
        # Chinese typed into an English question ("What has Qixia done on 红色物业?") counts as such.
        cjk = " ".join(HAN_RUN.findall(query.folded))
        concepts.extend(((t,), idf(t) or rarest) for t in whole_tokens(han_tokens(cjk)))
        return concepts
    concepts.extend(((t,), idf(t) or rarest) for t in whole_tokens(tokens))
    return concepts


def without_places(concepts: Sequence[Concept], query: Query) -> list[Concept]:
    """The concepts minus the places the question names, which the place boost judges instead.

    The boost knows what a passage is about even where its text does not repeat the name
    ("全区划分网格1063个" in the 栖霞区 report).
    """
    return [c for c in concepts if not query.place_forms & set(c[0])] or list(concepts)


def topic_concepts(concepts: Sequence[Concept], query: Query) -> list[Concept]:
    """The concepts that say what the question is about, for deciding whether the corpus answers at all.

    A wish for a figure or a reason is no topic ("中国GDP增长多少" finds numbers everywhere, never GDP),
    and nor is a name spelled in pinyin ("Beijing" spells 北京 and 背景 alike).
    """
    named = set(query.names)
    return [c for c in concepts if c[0] not in (DIGITS, REASONS) and not named & set(c[0])] or list(concepts)
