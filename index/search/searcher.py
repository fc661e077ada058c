"""HybridSearcher: dense and keyword candidates, judged, fused, scoped and de-duplicated into hits."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
import numpy.typing as npt

from index.chunk.cut import index_text
from index.text.clean import fold
from index.text.doubtful import doubtful_wording
from index.places.gazetteer import PlaceGazetteer, warm_up
from index.places.finder import most_specific
from index.store.passages import Records
from index.records import Hit, Understanding
from index.search import abstain
from index.search.calibration import CENTROID_SAMPLE, DUPLICATE_BIGRAMS, GENERAL_WORD_IDF, MAX_HITS, Calibration
from index.search.distinct import bears_practice, bigrams, distinct_rows
from index.search.evidence import (
    Concept, best_of, covered_share, folded_sentences, question_concepts, topic_concepts, whole_tokens, without_places,
)
from index.search.fusion import above_floor, fuse
from index.search.protocols import KeywordSearch, QueryEncoder, VectorSearch
from index.search.question import Query, analyse_question, without_place_names
from index.search.scope import PlaceScope, missing_years, place_scope
from index.text.chinese import years_in

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Ranked hits for one question (none when abstaining), and what the engine understood of it."""

    query: Query
    hits: tuple[Hit, ...]
    abstained: bool
    understood: Understanding = Understanding()


class Searcher(Protocol):
    """What the answer engine needs from search."""

    def search(self, question: str, *, k: int, place: str | None = None) -> SearchResult: ...


@dataclass(frozen=True, slots=True)
class Candidates:
    """The passages proposed for a question (as row numbers) and the evidence on each."""

    query: Query
    evidence: Mapping[str, Mapping[int, float]]  # per kind (vector, keyword, sentence), a score per row
    cosines: Mapping[int, float]  # best cosine with the question or its Chinese expansion
    sentences: Mapping[int, tuple[int, int, float]]  # best sentence (start, end, share of question weight)
    on_topic: Mapping[int, float]  # share of the question's topic (no places, figures or reasons) held
    question_cosine: float  # best cosine of the question itself, without Chinese expansions
    boosted: frozenset[int]  # rows about a place the question names
    phrased: frozenset[int]  # rows holding a quoted or corpus-named phrase of the question
    in_year: frozenset[int]  # rows mentioning a year the question asks about
    broad: bool  # the question names a place and little else: its practices lead
    understood: Understanding
    topic: Sequence[Concept] = ()  # the question's topic concepts, heaviest word first when a notice names one
    practiced: frozenset[int] = frozenset()  # for a broad question, rows introducing one of the place's practices


class HybridSearcher:
    """Searches passages with a question in Chinese (either script) or English."""

    def __init__(self, records: Records, vectors: VectorSearch, keywords: KeywordSearch, encoder: QueryEncoder,
                 *, gazetteer: PlaceGazetteer | None = None, calibration: Calibration = Calibration()) -> None:
        self._records = records
        self._chunks = chunks = records.chunks
        self._vectors = vectors
        self._keywords = keywords
        self._encoder = encoder
        self._calibration = calibration
        self._terms = frozenset(keywords.words)
        self.gazetteer = gazetteer or PlaceGazetteer(records.covered_places())
        self._folded = lru_cache(maxsize=20_000)(lambda row: fold(index_text(chunks[row])))
        self._years = lru_cache(maxsize=20_000)(lambda row: years_in(self._folded(row)))
        # Splitting and folding a passage's sentences (OpenCC) was a third of a warm answer's ranking.
        self._sentences = lru_cache(maxsize=20_000)(lambda row: folded_sentences(chunks[row].text))
        self._shape = lru_cache(maxsize=20_000)(lambda row: bigrams(self._folded(row)))  # likewise for duplicates
        self._practice = lru_cache(maxsize=20_000)(lambda row: bears_practice(chunks[row].text))
        self._doubtful = lru_cache(maxsize=20_000)(self._wording_of)
        self._recent = lru_cache(maxsize=256)(lambda question, place: self.gather(question, place=place))
        # The national place names in pinyin and the general word table serve the first questions that
        # name a place; load them off the path of any question.
        threading.Thread(target=self._warm_up, name="search-warm-up", daemon=True).start()

    @property
    def encoder(self) -> QueryEncoder:
        """What embeds questions, for benchmarks that time each stage."""
        return self._encoder

    @property
    def vectors(self) -> VectorSearch:
        """The vector search proposing candidates, for benchmarks that time each stage."""
        return self._vectors

    @property
    def keywords(self) -> KeywordSearch:
        """The keyword search proposing candidates, for benchmarks that time each stage."""
        return self._keywords

    def forget_recent(self) -> None:
        """Empties the cache of recent questions, so a benchmark times a repeated question as a new one."""
        self._recent.cache_clear()

    def _wording_of(self, row: int) -> str:
        chunk = self._chunks[row]
        document = self._records.document(chunk.doc_id)
        return doubtful_wording(chunk.text, document_kind=document.kind if document else "")

    def _warm_up(self) -> None:
        warm_up()
        self._keywords.general_idf("的")

    def _mask(self, places: Sequence[str]) -> npt.NDArray[np.bool_]:
        allowed = np.zeros(len(self._chunks), dtype=bool)
        for place in places:
            allowed[self._records.rows_about(place)] = True
        return allowed

    def _vector_ranking(self, vector: npt.NDArray[np.float32], allowed: npt.NDArray[np.bool_] | None) -> list[int]:
        k = self._calibration.candidates
        if allowed is None:
            return [row for row, _ in self._vectors.search(vector, k)]
        rows = np.flatnonzero(allowed)
        scores = self._vectors.scores(vector, rows.tolist())
        return [int(rows[i]) for i in np.argsort(-scores, kind="stable")[:k]]

    def gather(self, question: str, *, place: str | None = None) -> Candidates:
        """Everything known about the candidate passages for a question (none when nothing can match)."""
        query = analyse_question(question, self.gazetteer, self._keywords.romanised, self._keywords.english,
                                 dictionary_terms=self._calibration.english_dictionary_terms)
        scope = place_scope(query, self.gazetteer)
        allowed = None
        if place:
            limit = self.gazetteer.resolve(place)
            allowed = self._mask(limit)
            query = dataclasses.replace(query, places=tuple(dict.fromkeys((*limit, *query.places))))
            scope = PlaceScope(query.places, ())
            if not allowed.any():
                return self._nothing(query, Understanding(query.is_english, query.places,
                                                          abstention=abstain.NOTHING_IN_SCOPE))
        elif scope.nearest:
            allowed = self._mask(scope.nearest)

        keywords = self._keywords
        tokens = list(dict.fromkeys(keywords.tokens(query.keyword_text)))
        concepts = question_concepts(query, tokens, keywords.idf, keywords.max_idf(), keywords.tokens)
        # The question without its place names judges the topic: a named place lifts every cosine with
        # its own report, whether or not the report treats the topic (垃圾分类 in 南山区).
        # English questions keep their own cosine: their thresholds were set with the place in.
        topic_text = without_place_names(query) if query.places and not query.is_english else query.text
        judge_apart = topic_text != query.text  # embedded only when it differs: one question, one embedding
        # An English question's Chinese terms are embedded after the question itself, not alone: the words around
        # them say which sense is meant (pooled English MRR@5 0.823 -> 0.832 against the terms alone).
        texts = [query.text, *([topic_text] if judge_apart else []),
                 *([query.embedding_text] if query.expansions else [])]
        vectors = self._encoder.encode_queries(texts)
        question_vector = vectors[0]
        topic_vector = vectors[1] if judge_apart else question_vector
        expansion_vectors = [vectors[-1]] if query.expansions else []
        k = self._calibration.candidates
        keyword_hits = dict(keywords.search(tokens, k, allowed))
        proposed = [self._vector_ranking(question_vector, allowed), list(keyword_hits)]
        proposed.extend(self._vector_ranking(v, allowed) for v in expansion_vectors)
        rows = list(dict.fromkeys(r for ranking in proposed for r in ranking))
        cosines = dict(zip(rows, self._vectors.scores(topic_vector, rows).tolist()))
        question_cosine = max(cosines.values(), default=0.0)
        for expansion_vector in expansion_vectors:
            extra = self._vectors.scores(expansion_vector, rows).tolist()
            cosines = {row: max(c, e) for (row, c), e in zip(cosines.items(), extra)}
        evidence: dict[str, Mapping[int, float]] = {"vector": cosines, "keyword": keyword_hits}

        judged = without_places(concepts, query)
        topic = topic_concepts(judged, query)
        sentences = {row: best_of(self._sentences(row), len(self._chunks[row].text), judged) for row in rows}
        on_topic = {row: covered_share(self._folded(row), topic) for row in rows}
        evidence["sentence"] = {row: share for row, (_, _, share) in sentences.items()}

        # "Jiangxinyuan community in Hanyang": the most specific place named is what the question is about.
        boost_places = set(most_specific(scope.boost))
        missing_topic: tuple[str, ...] = ()
        if scope.boost and allowed is None:
            # Even when the place's reports seem not to treat the topic, its own passages lead (the notice
            # says so): the reader asked about that place and judges whether they serve.
            # A dictionary sense is a guess at what an English word meant (邻居 for "neighbour", 典型 for
            # "model"): it never claims the place's reports leave a topic out.
            stated = [c for c in topic if c[0] not in query.translated]
            missing_topic = self._topic_missing_in(scope.boost, stated, tokens, [question_vector, *expansion_vectors], rows)
        boosted = frozenset(r for r in rows if boost_places & set(self._chunks[r].places))
        # A practice the corpus names ("跟党一起创业", "一小区一专员") is asked about by name, quoted or not.
        named_practices = [t for t in keywords.tokens(query.folded) if len(t) >= 4 and t in self._terms
                           and t not in query.place_forms]
        phrases = {*query.phrases, *named_practices}
        phrased = frozenset(r for r in rows if any(p in self._folded(r) for p in phrases))

        years_missing: tuple[int, ...] = ()
        in_year: frozenset[int] = frozenset()
        if query.years:
            wanted = set(query.years)
            in_year = frozenset(r for r in rows if wanted & self._years(r))
            years_missing = self._years_missing(query.years, scope.boost or scope.nearest)

        understood = Understanding(
            query.is_english, query.places, scope.not_covered, scope.nearest, scope.region, query.years,
            years_missing, missing_topic)
        broad = bool(scope.boost) and not missing_topic and self._is_broad(topic, query)
        practiced = self._practice_rows(boost_places, boosted, rows) if broad else frozenset()
        # A bare place, or one with words of any text, has no topic to match: the passages that sum the place
        # up (nearest the mean of its passages, as in centroid summarisation) serve best.
        if broad and (central := self._centrality(boost_places, rows)):
            evidence["vector"] = central
        return Candidates(query, evidence, cosines, sentences, on_topic, question_cosine, boosted, phrased,
                          in_year, broad, understood, topic, practiced)

    def _centrality(self, places: Iterable[str], rows: Sequence[int]) -> dict[int, float]:
        """Each row's cosine with the mean of the places' passages: a broad question's best passages sum up the place."""
        about = np.flatnonzero(self._mask(list(places)))
        if not len(about):
            return {}
        about = about[np.linspace(0, len(about) - 1, min(len(about), CENTROID_SAMPLE)).astype(int)]
        centroid = self._vectors.vectors(about.tolist()).mean(axis=0)
        centroid /= float(np.linalg.norm(centroid)) or 1.0
        return dict(zip(rows, self._vectors.scores(centroid, rows).tolist()))

    def _nothing(self, query: Query, understood: Understanding) -> Candidates:
        return Candidates(query, {}, {}, {}, {}, 0.0, frozenset(), frozenset(), frozenset(), False, understood)

    def _topic_missing_in(self, places: Sequence[str], topic: Sequence[Concept], tokens: Sequence[str],
                          vectors: Sequence[npt.NDArray[np.float32]], others: Sequence[int]) -> tuple[str, ...]:
        """The question's heaviest topic word when other reports use it but the named places' passages never do.

        Words no passage holds are left to the dense match (everyday wording: 跑腿小哥 for 快递骑手).
        It counts only when the passages elsewhere hold clearly more of the question's topic than the
        place's best ones, and the place's best passage does not match the question clearly better
        than those holding the word (so 物业公司, where the place's report says 物业企业, is no near miss).
        """
        mask = self._mask(places)
        absent = []
        specific = self._calibration.near_miss.specific_idf
        for forms, weight in topic:
            # Words of any text ("经验", "做法", "资源") are no topic a report could leave out.
            if not forms or max(self._keywords.general_idf(f) for f in forms) < specific:
                continue
            holders = [r for r in self._holding(forms, None) if not mask[r]]
            if holders and not self._holding(forms, mask, partly=True):
                absent.append((weight, forms, holders))
        if not absent:
            return ()
        near = self._calibration.near_miss
        k = self._calibration.candidates
        own = {r for r, _ in self._keywords.search(tokens, k, mask)} | set(self._vector_ranking(vectors[0], mask)[:k])
        own_best = max((covered_share(self._folded(r), topic) for r in own), default=0.0)
        elsewhere = [r for r in others if not mask[r]]
        elsewhere_best = max((covered_share(self._folded(r), topic) for r in elsewhere), default=0.0)
        _, forms, holders = max(absent, key=lambda item: item[0])
        # An English question's Chinese glossary terms are compared too: they carry what it asks.
        place_cosine = max(float(self._vectors.scores(v, sorted(own)).max()) for v in vectors)
        holder_cosine = max(float(self._vectors.scores(v, holders).max()) for v in vectors)
        logger.debug("near miss? %s: topic held %.2f here, %.2f elsewhere; cosine %.3f here, %.3f with the word",
                     forms[0], own_best, elsewhere_best, place_cosine, holder_cosine)
        if elsewhere_best - own_best < near.coverage_gap:
            return ()
        if holder_cosine - place_cosine < -near.place_lead:
            return ()
        return (forms[0],)

    def _holding(self, forms: Sequence[str], mask: npt.NDArray[np.bool_] | None, *, partly: bool = False) -> list[int]:
        """Rows whose folded text holds one of the forms (among the masked rows, when a mask is given).

        partly: a long form also counts when two thirds of its words are there (社区书记 for 社区党委书记).
        """
        found: list[int] = []
        for form in forms:
            tokens = self._keywords.tokens(form)
            parts = whole_tokens([t for t in tokens if t != form])
            for row, _ in self._keywords.search(tokens, self._calibration.candidates, mask):
                text = self._folded(row)
                if form in text or (partly and len(parts) >= 3
                                    and sum(t in text for t in parts) >= 2 * len(parts) / 3):
                    found.append(row)
        return list(dict.fromkeys(found))

    def _years_missing(self, years: Sequence[int], places: Sequence[str]) -> tuple[int, ...]:
        # Worked out at build time for every passage (passage_years), so no passage is read here.
        return missing_years(years, [self._records.years_mentioned(years, places)])

    def _is_broad(self, topic: Sequence[Concept], query: Query) -> bool:
        """Whether a question names a place and asks nothing narrower than what it has done.

        "南山区", "What has Qixia done?", "拱墅区的经验", "深圳南山区在基层治理上有什么做法": beyond its places
        the question holds only words of any text (经验, 做法, 工作) or words so many of this corpus's passages
        hold that they are its theme (基层治理, 党建引领).
        """
        if query.uncovered or query.names or query.phrases or query.asks_number:
            return False  # a word it could not place, a person, a quoted name or a figure asks something narrower
        beyond = [forms for forms, _ in topic if forms and not query.place_forms & set(forms)]
        return all(any(self._general(form) for form in forms) for forms in beyond)

    def _general(self, form: str) -> bool:
        """A word of any text (jieba's general IDF), or one so many of this corpus's passages hold that it is its theme."""
        keywords = self._keywords
        return (self._of_any_text(form)
                or 0 < keywords.idf(form) < self._calibration.broad_idf_share * keywords.max_idf())

    def _of_any_text(self, form: str) -> bool:
        """Whether a word is one of any text (经验, 做法, 觉得): it asks about no topic (GENERAL_WORD_IDF)."""
        return self._keywords.general_idf(form) < GENERAL_WORD_IDF

    def _practice_rows(self, places: Iterable[str], about: frozenset[int], rows: Sequence[int]) -> frozenset[int]:
        """The candidate rows that introduce a practice the places' digests list (the passage first naming it);
        for places whose reports name none, their rows that name a practice or give a figure (bears_practice)."""
        listed = {self._records.row_of(p.chunk_id) for place in places
                  if (found := self._records.place_digest(place)) for p in found.digest}
        chosen = frozenset(r for r in rows if r in listed)
        return chosen or frozenset(r for r in rows if r in about and self._practice(r))

    def search(self, question: str, *, k: int, place: str | None = None) -> SearchResult:
        """Ranked, de-duplicated hits for a question, limited to a place when one is given."""
        # Paging asks the same question again: the second time costs no embedding or search.
        return self.rank(self._recent(question, place), k=k)

    def rank(self, found: Candidates, *, k: int, calibration: Calibration | None = None) -> SearchResult:
        """The hits for gathered candidates under a calibration (the searcher's own unless given: fitting passes others)."""
        c = calibration or self._calibration
        if not found.cosines:
            reason = found.understood.abstention or abstain.NO_MATCH
            return SearchResult(found.query, (), True, dataclasses.replace(found.understood, abstention=reason))
        # The words' evidence counts as far as the words were found: a paraphrase whose own words no report
        # uses matches passages on its generic words alone, and the dense match should lead it.
        lexical = max(found.on_topic.values(), default=0.0)
        ranked, fused = fuse(found.evidence, c.fusion, in_place=found.boosted, phrased=found.phrased,
                             in_year=found.in_year, practiced=found.practiced,
                             lexical=lexical, english=found.query.is_english)
        # Abstain on the strongest evidence anywhere near the top, not just in the first hit.
        cosine = found.question_cosine if found.query.is_english else max(found.cosines.values())
        coverage = max(found.on_topic[row] for row in ranked[:5])
        reason = abstain.abstention_reason(english=found.query.is_english, cosine=cosine, coverage=coverage,
                                           thresholds=c.abstention)
        understood = found.understood
        # An English question's coverage counts only glossary words, so it says little; its notice needs
        # the dense match itself to be far (NO_MATCH), where a Chinese question's coverage is evidence.
        weak = reason == abstain.NO_MATCH or (bool(reason) and not found.query.is_english)
        if reason and found.query.places:
            # A covered place is named: never refuse. Say in one line that its reports seem not to treat
            # the topic, and show the nearest passages, the place's own first, so the reader judges.
            logger.info("weak match on a covered place (%s): cosine %.3f, coverage %.2f", reason, cosine, coverage)
            if weak and not understood.topic_not_covered:
                understood = dataclasses.replace(understood, topic_not_covered=self._weakest_topic(found, ranked[:5]))
        elif reason:
            logger.info("abstained (%s): cosine %.3f, coverage %.2f", reason, cosine, coverage)
            return SearchResult(found.query, (), True, dataclasses.replace(understood, abstention=reason))
        relevant = above_floor(ranked, fused, c.relevance_floor)
        if understood.topic_not_covered and found.boosted:
            # The notice says the place's reports seem not to treat the topic: its own nearest passages come
            # first all the same, so the reader judges them, and other places' passages on the topic after.
            relevant = [r for r in ranked if r in found.boosted] + [r for r in relevant if r not in found.boosted]
        rows = distinct_rows(relevant, self._shape, threshold=DUPLICATE_BIGRAMS,
                             limit=max(k, MAX_HITS))
        hits = []
        for row in rows:
            chunk = self._chunks[row]
            start, end, _ = found.sentences[row]
            hits.append(Hit(chunk, round(fused[row], 6), chunk.text[start:end], start, end, self._doubtful(row)))
        return SearchResult(found.query, tuple(hits), False, understood)

    def _weakest_topic(self, found: Candidates, shown: Sequence[int]) -> tuple[str, ...]:
        """The question's heaviest specific topic word none of the shown passages holds: () when every such word
        is there, since then the passages may well treat the topic in other words; ("",) for an English question,
        whose untranslated words are stems ("featur") a notice cannot name."""
        if found.query.is_english:
            return ("",)
        for forms, _ in sorted(found.topic, key=lambda concept: -concept[1]):
            # Words of any text (觉得, 原本, 做法) are no topic: their absence says nothing about the reports.
            if not forms or all(self._of_any_text(f) for f in forms):
                continue
            if not any(f in self._folded(r) for f in forms for r in shown):
                return (forms[0],)
        return ()
