"""Hybrid passage search: dense and keyword rankings fused, then steered by places and best sentences."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np
import numpy.typing as npt

from index.chunk import index_text, split_sentences
from index.clean import fold
from index.embed import Embedder
from index.places import place_aliases
from index.query import PlaceGazetteer, Query, analyse_question
from index.records import Hit
from index.store import StoredIndex

logger = logging.getLogger(__name__)

RRF_K = 60  # the usual constant (Cormack, Clarke & Büttcher 2009)
RELEVANCE_FLOOR = 0.5  # hits scoring under this share of the best one are not offered, even when paging
MAX_HITS = 20  # most passages one question pages through
DUPLICATE_BIGRAMS = 0.6  # Jaccard of character bigrams past which two hits count as one


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When to say nothing in the corpus answers: calibrated on out-of-corpus questions."""

    min_cosine: float = 0.80  # below this, the best passage is not about the question at all
    confident_cosine: float = 0.86  # above this, the dense match alone is enough
    min_coverage: float = 0.4  # share of the question's topic weight found in one of the best passages
    # English questions meet Chinese passages at lower cosines, and their untranslatable words make
    # coverage an underestimate: they abstain only when nothing of them is found.
    english_min_cosine: float = 0.72
    english_min_coverage: float = 0.2
    english_place_cosine: float = 0.78
    english_place_coverage: float = 0.1


@dataclass(frozen=True, slots=True)
class Ranking:
    """How the candidate rankings are fused and boosted."""

    # Dense and keyword search are equals; the best-sentence and coverage rankings favour passages
    # where the question's words meet, in one sentence or at all.
    weights: Mapping[str, float] = field(default_factory=lambda: {
        "vector": 1.0, "keyword": 0.75, "expansion": 0.2, "sentence": 1.0, "coverage": 0.0})
    place_boost: float = 1.6  # a passage about the place the question names beats an equal one elsewhere
    phrase_boost: float = 1.4  # a passage holding a quoted phrase of the question
    rrf_k: int = RRF_K


@dataclass(frozen=True, slots=True)
class Candidates:
    """The passages proposed for a question (as row numbers) and what is known about each."""

    query: Query
    rankings: Mapping[str, Sequence[int]]
    cosines: Mapping[int, float]  # best cosine with the question or its Chinese expansion
    sentences: Mapping[int, tuple[int, int, float]]  # best sentence (start, end, share of question weight)
    coverage: Mapping[int, float]  # share of the question's keyword weight found in the passage
    in_place: frozenset[int]  # rows about a place the question names
    phrased: frozenset[int]  # rows holding a quoted phrase of the question
    question_cosine: float  # best cosine of the question itself, without Chinese expansions
    on_topic: Mapping[int, float]  # like coverage, counting only the topic (no places, no figures wanted)


def rank_candidates(found: Candidates, ranking: Ranking) -> tuple[list[int], dict[int, float]]:
    """Candidate rows best first, with their fused scores."""
    fused = reciprocal_rank_fusion(found.rankings, weights=ranking.weights, k=ranking.rrf_k)
    for row in fused:
        if row in found.in_place:
            fused[row] *= ranking.place_boost
        if row in found.phrased:
            fused[row] *= ranking.phrase_boost
    return sorted(fused, key=lambda r: -fused[r]), fused


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Ranked hits for one question, or an abstention."""

    query: Query
    hits: tuple[Hit, ...]
    abstained: bool


class Searcher(Protocol):
    """What the answer engine needs from search."""

    def search(self, question: str, *, k: int, place: str | None = None) -> SearchResult: ...


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[int]], *, weights: Mapping[str, float],
                           k: int = RRF_K) -> dict[int, float]:
    """Fuses ranked lists of row numbers: each list adds weight / (k + rank) to its rows."""
    fused: dict[int, float] = {}
    for name, rows in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, row in enumerate(rows, start=1):
            fused[row] = fused.get(row, 0.0) + weight / (k + rank)
    return fused


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of a text, for near-duplicate checks."""
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap of two sets, 0 when both are empty."""
    return len(a & b) / len(a | b) if a or b else 0.0


# A concept of the question: the forms that express it (any one will do) and how much it matters.
Concept = tuple[tuple[str, ...], float]
DIGITS = tuple("0123456789")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
REASONS = ("必要性", "意义", "原因", "要求", "因为", "由于")


def covered_share(folded: str, concepts: Sequence[Concept]) -> float:
    """Share of the question's weight whose concepts appear in a folded text."""
    total = sum(weight for _, weight in concepts)
    if total == 0:
        return 0.0
    return sum(weight for forms, weight in concepts if any(f in folded for f in forms)) / total


def best_sentence(text: str, concepts: Sequence[Concept]) -> tuple[int, int, float]:
    """The sentence of a passage covering most of the question: (start, end, share of its weight)."""
    best = (0, len(text), -1.0)
    for start, end in split_sentences(text):
        share = covered_share(fold(text[start:end]), concepts)
        if share > best[2]:
            best = (start, end, share)
    return best


class HybridSearcher:
    """Searches a loaded index with a question in Chinese (either script) or English."""

    def __init__(self, stored: StoredIndex, embedder: Embedder, *, candidates: int = 50,
                 thresholds: Thresholds = Thresholds(), ranking: Ranking = Ranking()) -> None:
        self._stored = stored
        self._embedder = embedder
        self._candidates = candidates
        self._thresholds = thresholds
        self._ranking = ranking
        self._terms = frozenset(stored.keywords.words)
        self.gazetteer = PlaceGazetteer(p for c in stored.chunks for p in c.places)
        self._rows_by_place: dict[str, list[int]] = {}
        for row, chunk in enumerate(stored.chunks):
            for place in chunk.places:
                self._rows_by_place.setdefault(place, []).append(row)
        self._folded = lru_cache(maxsize=20_000)(lambda row: fold(index_text(stored.chunks[row])))
        self._recent = lru_cache(maxsize=256)(lambda question, place: self.gather(question, place=place))

    def _rows_about(self, places: Sequence[str]) -> npt.NDArray[np.bool_]:
        allowed = np.zeros(len(self._stored.chunks), dtype=bool)
        for place in places:
            allowed[self._rows_by_place.get(place, [])] = True
        return allowed

    def _vector_ranking(self, vector: npt.NDArray[np.float32], allowed: npt.NDArray[np.bool_] | None) -> list[int]:
        if allowed is None:
            return [row for row, _ in self._stored.vectors.search(vector, self._candidates)]
        rows = np.flatnonzero(allowed)
        scores = self._stored.vectors.scores(vector, rows.tolist())
        return [int(rows[i]) for i in np.argsort(-scores)[: self._candidates]]

    def gather(self, question: str, *, place: str | None = None) -> Candidates:
        """Everything known about the candidate passages for a question (none when nothing can match)."""
        query = analyse_question(question, self.gazetteer, self._stored.keywords.romanised)
        allowed = None
        if place:
            scope = self.gazetteer.resolve(place)
            allowed = self._rows_about(scope) if scope else np.zeros(len(self._stored.chunks), dtype=bool)
            query = dataclasses.replace(query, places=tuple(dict.fromkeys((*scope, *query.places))))
            if not allowed.any():
                return Candidates(query, {}, {}, {}, {}, frozenset(), frozenset(), 0.0, {})

        keywords = self._stored.keywords
        tokens = list(dict.fromkeys(keywords.tokens(query.keyword_text)))
        concepts = self._concepts(query, tokens)
        vectors = self._embedder.encode_queries([query.text, " ".join(query.expansions)] if query.expansions
                                                else [query.text])
        rankings: dict[str, list[int]] = {
            "vector": self._vector_ranking(vectors[0], allowed),
            "keyword": [row for row, _ in keywords.search(tokens, self._candidates, allowed)],
        }
        if query.expansions:
            rankings["expansion"] = self._vector_ranking(vectors[1], allowed)
        rows = list(dict.fromkeys(r for ranking in rankings.values() for r in ranking))
        cosines = dict(zip(rows, self._stored.vectors.scores(vectors[0], rows).tolist()))
        question_cosine = max(cosines.values(), default=0.0)
        if query.expansions:
            extra = self._stored.vectors.scores(vectors[1], rows).tolist()
            cosines = {row: max(c, e) for (row, c), e in zip(cosines.items(), extra)}
        # Places are left to the place boost, which knows what a passage is about even where its text
        # does not repeat the name ("全区划分网格1063个" in the 栖霞区 report).
        place_forms = {fold(a) for p in query.places for a in place_aliases(p)}
        concepts = [c for c in concepts if not place_forms & set(c[0])] or concepts
        sentences = {row: best_sentence(self._stored.chunks[row].text, concepts) for row in rows}
        coverage = {row: covered_share(self._folded(row), concepts) for row in rows}
        # Whether the corpus answers at all is judged on the topic alone: a wish for a figure is no
        # answer ("中国GDP增长多少" finds numbers everywhere, never GDP).
        # Names spelled in pinyin are no topic either ("Beijing" spells 北京 and 背景 alike).
        named = set(query.names)
        topic = [c for c in concepts if c[0] not in (DIGITS, REASONS) and not named & set(c[0])] or concepts
        on_topic = {row: covered_share(self._folded(row), topic) for row in rows}
        rankings["sentence"] = sorted(rows, key=lambda r: (-sentences[r][2], -cosines[r]))
        rankings["coverage"] = sorted(rows, key=lambda r: (-coverage[r], -cosines[r]))
        wanted = set(query.places)
        in_place = frozenset(r for r in rows if wanted & set(self._stored.chunks[r].places))
        # A practice the corpus names ("跟党一起创业", "一小区一专员") is asked about by name, quoted or not.
        named_practices = [t for t in keywords.tokens(query.folded) if len(t) >= 4 and t in self._terms
                           and t not in place_forms]
        phrases = {*query.phrases, *named_practices}
        phrased = frozenset(r for r in rows if any(p in self._folded(r) for p in phrases))
        return Candidates(query, rankings, cosines, sentences, coverage, in_place, phrased, question_cosine, on_topic)

    def search(self, question: str, *, k: int, place: str | None = None) -> SearchResult:
        """Ranked, de-duplicated hits for a question, limited to a place when one is given."""
        # Paging asks the same question again: the second time costs no embedding or search.
        found = self._recent(question, place)
        if not found.cosines:
            return SearchResult(found.query, (), True)
        ranked, fused = rank_candidates(found, self._ranking)
        # Abstain on the strongest evidence anywhere near the top, not just in the first hit.
        cosine = max(found.cosines.values())
        coverage = max(found.on_topic[row] for row in ranked[:5])
        if self._abstains(found.query, found.question_cosine if found.query.is_english else cosine, coverage):
            logger.info("abstained on %r (cosine %.3f, coverage %.2f)", question, cosine, coverage)
            return SearchResult(found.query, (), True)
        # Past half the best fused score, hits share little with the question: paging stops there.
        floor = RELEVANCE_FLOOR * fused[ranked[0]]
        relevant = [row for row in ranked if fused[row] >= floor]
        hits = self._distinct_hits(relevant, fused, found.sentences, limit=max(k, MAX_HITS))
        return SearchResult(found.query, tuple(hits), False)

    def _concepts(self, query: Query, tokens: Sequence[str]) -> list[Concept]:
        """What a passage must hold to answer the question, each with its weight (IDF).

        A word no passage holds weighs as much as the rarest word: "上证指数" missing from every passage
        is evidence that the corpus cannot answer. An English question is judged by its glossary
        concepts (any synonym will do), its places, and the words the glossary could not translate.
        """
        keywords = self._stored.keywords
        rarest = keywords.max_idf()

        def weight(forms: Sequence[str]) -> float:
            return max((keywords.idf(f) for f in forms if keywords.idf(f) > 0), default=rarest)

        # "How many" is answered by a figure: a passage or sentence holding digits covers that part.
        concepts: list[Concept] = [(DIGITS, rarest / 2)] if query.asks_number else []
        if query.asks_reason:  # reports give reasons as 必要性, 意义, 要求 ("…的要求")
            concepts.append((REASONS, rarest / 2))
        if query.is_english:
            concepts.extend((forms, weight(forms)) for forms in query.concepts)
            concepts.extend(((name,), weight((name,))) for name in query.names)
            for place in query.places:
                forms = tuple(fold(a) for a in place_aliases(place) if len(a) >= 2)
                concepts.append((forms, weight(forms)))
            # Untranslatable words ("smartphone" beside "elderly") count at half weight, since the
            # dense match may still have understood them.
            concepts.extend(((), rarest / 2) for _ in query.uncovered)
            # Chinese typed into an English question ("What has Qixia done on 红色物业?") counts as such.
            cjk = " ".join(_CJK_RUN.findall(query.folded))
            concepts.extend(self._word_concepts(list(dict.fromkeys(keywords.tokens(cjk)))))
            return concepts
        concepts.extend(self._word_concepts(tokens))
        return concepts

    def _word_concepts(self, tokens: Sequence[str]) -> list[Concept]:
        """One concept per whole keyword token (the question's tokens, without repeats)."""
        keywords = self._stored.keywords
        # jieba's search mode adds the parts of long words (南山区 -> 南山, 山区); counting those again
        # would let a passage that only says 山区 look half as good as one about 南山区.
        whole = [t for t in tokens if not any(t != other and t in other for other in tokens)]
        return [((t,), keywords.idf(t) or keywords.max_idf()) for t in whole]

    def _abstains(self, query: Query, cosine: float, coverage: float) -> bool:
        t = self._thresholds
        if query.is_english:
            if cosine < t.english_min_cosine:
                return True
            # Naming a district of the corpus ("Xihu", "Qixia") is evidence of topic when the dense
            # match agrees, even if the glossary could not translate the rest.
            if query.places and (cosine >= t.english_place_cosine or coverage >= t.english_place_coverage):
                return False
            return coverage < t.english_min_coverage
        if cosine < t.min_cosine:
            return True
        if cosine >= t.confident_cosine:
            return False
        return coverage < t.min_coverage

    def _distinct_hits(self, ranked: Sequence[int], fused: Mapping[int, float],
                       sentences: Mapping[int, tuple[int, int, float]], *, limit: int) -> list[Hit]:
        hits: list[Hit] = []
        seen: list[frozenset[str]] = []
        for row in ranked:
            shape = bigrams(self._folded(row))
            if any(jaccard(shape, other) >= DUPLICATE_BIGRAMS for other in seen):
                continue
            seen.append(shape)
            chunk = self._stored.chunks[row]
            start, end, _ = sentences[row]
            hits.append(Hit(chunk, round(fused[row], 6), chunk.text[start:end], start, end))
            if len(hits) >= limit:
                break
        return hits
