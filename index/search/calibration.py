"""Every tuned constant of search, with the evidence for its value.

The ranking and abstention constants are fitted by benchmarks/fit_calibration.py: coordinate descent over
a small grid per constant on every question set of eval/ together (heldout3 to heldout8 each joined the pool
after its one untouched run), with 5-fold cross-validation reporting the figures of constants fitted without
each question (docs/quality.md). The values below are its fit on all questions; rerun it after adding questions.
The near-miss, broad-question and dictionary constants change what is gathered, so they are searched only
with --gathered (slow: a pass of embedding and keyword search per value), in every fold as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Candidates each ranking proposes: 50 holds every gold passage of the development sets in the dense
# or keyword top 50; more only adds passages the fusion then ranks low.
CANDIDATES = 50
MAX_HITS = 20  # most passages one question pages through
# Passages a broad question's place mean is taken over at most (an even sample of them): a cost bound for a
# place with very many passages, not fitted; no place of the question sets comes near it.
CENTROID_SAMPLE = 4096
# A word whose general-language IDF (jieba's table) is under this is a word of any text: it asks about no
# topic, so it neither makes a question narrower than "what has X done" nor is named by a notice. 经验 5.7,
# 特点 5.4, 做法 6.6, 治理 6.7 sit under it; topic words above (花园 7.3, 停车 8.1, 电梯 8.9, 快递 10.0).
# Fixed by that gap, not fitted: near_miss.specific_idf, which the fit moves, decides only near misses
# (at its fitted 6.5, 做法 became a topic a notice named: "seems not to treat 做法").
GENERAL_WORD_IDF = 7.0
# Jaccard of character bigrams past which two hits count as one: reposts of one paragraph score 0.7-0.95,
# two passages of one report on one practice at most 0.45.
DUPLICATE_BIGRAMS = 0.6


@dataclass(frozen=True, slots=True)
class Abstention:
    """When to say that nothing in the reports answers: calibrated on the out-of-corpus questions.

    e5 cosines are compressed: questions the corpus answers meet their passage at 0.84-0.92, questions
    about cooking, visas or stock prices meet the nearest passage at 0.74-0.81. Coverage (the share
    of the question's IDF weight a top passage holds) separates the band in between.
    """

    min_cosine: float = 0.80  # below this, the best passage is not about the question at all
    confident_cosine: float = 0.86  # above this, the dense match alone is enough
    min_coverage: float = 0.4  # share of the question's topic weight found in one of the best passages
    # English questions meet Chinese passages at lower cosines, and their untranslatable words make
    # coverage an underestimate: they abstain only when nothing of them is found.
    english_min_cosine: float = 0.74  # fitted: on all questions and in two folds of five (0.72 in two, 0.66 in one)
    # 0.3: four folds of five (0.4 in one), once the fit counts a far out-of-corpus question answered as an
    # error (at 0.2 generic dictionary senses, "learn" 学习, "apply" 使用, carried questions about guitars and visas).
    english_min_coverage: float = 0.3
    # ...and, as for Chinese ones, a dense match this close is enough on its own: the glossary's gaps
    # ("Century Garden community" is 世纪花园社区) leave coverage at nothing for questions the reports answer.
    english_confident_cosine: float = 0.89  # fitted (every fold)


@dataclass(frozen=True, slots=True)
class Fusion:
    """How the candidates' evidence is weighed and boosted (search/fusion.py; the fits: docs/quality.md).

    Each kind of evidence is scaled to 0..1 over the candidates before it is weighed, so a weight says how
    much a kind counts against the dense match (1.0); the keyword and sentence weights are further scaled
    by how much of the question's topic was found word for word (fusion.fuse).
    """

    # The dense match (the question without its place names, or an English question with its glossary terms)
    # and BM25 are equals; the best sentence, where the question's words meet, counts half (fitted: keyword 1
    # and sentence 0.5 on all questions and in four folds of five; sentence 0.75 a round ago).
    weights: Mapping[str, float] = field(default_factory=lambda: {
        "vector": 1.0, "keyword": 1.0, "sentence": 0.5})
    # English questions are searched by keywords that are glossary translations: generic words (小区, 治理,
    # 党建) every passage of a report holds, which pull the report's overview passages above the one that
    # answers. Their evidence is therefore weighed apart, fitted on the English questions of every set:
    # keyword 1 and sentence 1.5 on all questions (the folds chose keyword 0.25-1.5 and sentence 1-2: a
    # plateau). Sentence 3 a round ago, when the dense match embedded the glossary terms alone.
    english_weights: Mapping[str, float] = field(default_factory=lambda: {
        "vector": 1.0, "keyword": 1.0, "sentence": 1.5})
    # A passage about the place the question names beats an equal one elsewhere: 2.5 on all questions and in
    # three folds of five (2 and 3 in the others). Scaled scores spread wider than reciprocal ranks, which needed 1.6.
    place_boost: float = 2.5
    # A passage holding a quoted or corpus-named phrase of the question (fitted: 1.2 on all questions and in
    # four folds of five).
    phrase_boost: float = 1.2
    # A passage mentioning the year asked about: 1.3 on all questions, 2 in four folds of five (1 in the
    # fifth): a plateau, since few questions name a year a passage holds.
    year_boost: float = 1.3
    # A broad question's passages that introduce a practice the place's digest lists (places/digest.py), or,
    # for a place whose reports quote no practice name, its passages that name one or give a figure
    # (distinct.bears_practice), are multiplied by this: what X has done, not its preamble. Fitted: 4 on all
    # questions and in two folds of five (3 in two, 2 in one).
    practice_boost: float = 4.0


@dataclass(frozen=True, slots=True)
class NearMiss:
    """When a named place's reports are taken not to cover the question's topic."""

    # A word other reports use but the place's never does marks a near miss unless the place's best
    # passage still matches the question better than theirs by this much cosine. On
    # eval/near_misses.jsonl true near misses (快递骑手 in 栖霞区, 红色物业 in 汉阳区, 疫情 in 张店区) sit
    # at -0.006…+0.011; synonyms the place's report uses instead (物业公司 for its 物业企业, 跑腿 for
    # 快递骑手) at -0.032…-0.033. Fitted with --gathered: 0.005 in four folds of five and on all questions
    # (0.015 two rounds ago; the grid goes down to 0).
    place_lead: float = 0.005
    # ...and only when passages elsewhere hold at least this much more of the question's topic (IDF share)
    # than the place's best: a generic phrase the place's report words differently (社区治理, 社区党委书记)
    # leaves a gap under 0.2; a topic the report never treats (快递骑手 in 栖霞区) one of 0.4 or more.
    coverage_gap: float = 0.3
    # Only specific words can be a topic a place's reports leave out: general-language IDF (jieba's table)
    # of at least this. Words of any text sit under it (经验 5.7, 资源 5.4, 特点 5.4; 做法 6.6 and 治理 6.7 just above), topics
    # above (停车 8.1, 高校 8.1, 电梯 8.9, 快递 10.0, compounds such as 红色物业 through their parts).
    # Fitted with --gathered: 6.5 in four folds of five (7.0 before). Broad questions and notices use
    # GENERAL_WORD_IDF instead.
    specific_idf: float = 6.5


@dataclass(frozen=True, slots=True)
class Calibration:
    """All of the above, as one value a searcher is built with (tests pass their own)."""

    abstention: Abstention = Abstention()
    fusion: Fusion = Fusion()
    near_miss: NearMiss = NearMiss()
    candidates: int = CANDIDATES
    # A question is broad ("What has Qixia done?", "南山区", "拱墅区的经验") when every topic word beyond its
    # places is a word of any text (general IDF under GENERAL_WORD_IDF: 经验, 做法, 工作) or so common in
    # this corpus that it is its theme: IDF under this share of the rarest word's (治理 0.06, 党建 0.11,
    # 基层治理 0.32, 党建引领 0.27 of it; 小区治理 0.52 and 红色物业 are topics). It changes what is gathered,
    # so fit_calibration.py searches it only with --gathered: 0.5 in every fold once heldout6 joined (its broad
    # questions name 基层治理, 小区治理 as their topic); on a grid widened to 0.7, 0.5 in four folds of five.
    broad_idf_share: float = 0.5
    # An English word the glossary lacks stands for this many of the corpus words CC-CEDICT glosses with
    # it, best first (text/dictionary.py). It changes what is gathered, so fit_calibration.py searches it only
    # with --gathered. The folds disagree (3, 5, 5, 1 and 4 of the 5 the build keeps, dictionary.KEPT) and the
    # fit on all questions chose 1: more senses find more answering passages for English questions (pooled
    # English MRR@5 0.807 with 5, 0.795 with 1) but also lend far out-of-corpus ones words the reports use
    # (39 of 48 abstained on with 5, 43 with 1), and the fit's objective weighs the two about evenly.
    english_dictionary_terms: int = 1
    # Hits scoring under this share of the best one are not offered, even when paging (fitted: three folds, 0.1 in two).
    relevance_floor: float = 0.2
