"""Every tuned constant of search, with the evidence for its value.

The ranking and abstention constants are fitted by benchmarks/fit_calibration.py: coordinate descent over
a small grid per constant on every question set of eval/ together (not eval/heldout4.jsonl, kept for one
untouched run; heldout3 joined the pool after its own), with 5-fold cross-validation reporting the figures of constants fitted without each
question (docs/quality.md). The values below are its fit on all questions; rerun it after adding questions.
The near-miss and broad-question constants change what is gathered, so they are searched only with
--gathered (slow) and were kept at their earlier values, which that grid also chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Candidates each ranking proposes: 50 holds every gold passage of the development sets in the dense
# or keyword top 50; more only adds passages the fusion then ranks low.
CANDIDATES = 50
MAX_HITS = 20  # most passages one question pages through
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
    english_min_cosine: float = 0.74  # fitted (every fold)
    # 0.3: every fold chose it once a dictionary sense (text/dictionary.py) can be found for an untranslated
    # word; at 0.2 generic senses ("learn" 学习, "apply" 使用) carried questions about guitars and visas.
    english_min_coverage: float = 0.3
    # ...and, as for Chinese ones, a dense match this close is enough on its own: the glossary's gaps
    # ("Century Garden community" is 世纪花园社区) leave coverage at nothing for questions the reports answer.
    english_confident_cosine: float = 0.89  # fitted (every fold)


@dataclass(frozen=True, slots=True)
class Fusion:
    """How the candidate rankings are fused and boosted (the fitted values and their evidence: docs/quality.md)."""

    # Dense and keyword search are equals; the best-sentence ranking favours passages where the
    # question's words meet in one sentence; the expansion ranking embeds an English question's
    # Chinese glossary terms. Fitted (benchmarks/fit_calibration.py, all questions; the folds chose keyword
    # 1 (four of five) or 1.25, and sentence 0.5-1). A Chinese question has no expansion ranking: its weight is the grid's middle.
    weights: Mapping[str, float] = field(default_factory=lambda: {
        "vector": 1.0, "keyword": 1.0, "sentence": 0.5})
    # English questions are searched by keywords that are glossary translations: generic words (小区, 治理,
    # 党建) every passage of a report holds, which pull the report's overview passages above the one that
    # answers. Their rankings are therefore weighed apart, fitted on the English questions of every set.
    # Fitted with the dictionary terms (text/dictionary.py) in, all questions: keyword 0.75 (folds 0.5-1),
    # expansion 0 (three folds of five: the embedding of the Chinese terms adds little once the keyword
    # ranking holds them), sentence 1.5 (folds 0.5-1.5: the sentence where the translated words meet).
    english_weights: Mapping[str, float] = field(default_factory=lambda: {
        "vector": 1.0, "keyword": 0.75, "sentence": 1.5})
    # A passage about the place the question names beats an equal one elsewhere (fitted: 1.6 on all
    # questions and in three folds of five, 2.0 in the others).
    place_boost: float = 1.6
    phrase_boost: float = 1.2  # fitted (four folds of five and all questions)  # a passage holding a quoted or corpus-named phrase of the question
    year_boost: float = 1.3  # a passage mentioning the year asked about (fitted)


@dataclass(frozen=True, slots=True)
class NearMiss:
    """When a named place's reports are taken not to cover the question's topic."""

    # A word other reports use but the place's never does marks a near miss unless the place's best
    # passage still matches the question better than theirs by this much cosine. On
    # eval/near_misses.jsonl true near misses (快递骑手 in 栖霞区, 红色物业 in 汉阳区, 疫情 in 张店区) sit
    # at -0.006…+0.011; synonyms the place's report uses instead (物业公司 for its 物业企业, 跑腿 for
    # 快递骑手) at -0.032…-0.033.
    place_lead: float = 0.015
    # ...and only when passages elsewhere hold at least this much more of the question's topic (IDF share)
    # than the place's best: a generic phrase the place's report words differently (社区治理, 社区党委书记)
    # leaves a gap under 0.2; a topic the report never treats (快递骑手 in 栖霞区) one of 0.4 or more.
    coverage_gap: float = 0.3
    # Only specific words can be a topic a place's reports leave out: general-language IDF (jieba's table)
    # of at least this. Words of any text sit under it (经验 5.7, 做法 6.6, 治理 6.7, 资源 5.4), topics
    # above (停车 8.1, 高校 8.1, 电梯 8.9, 快递 10.0, compounds such as 红色物业 through their parts).
    specific_idf: float = 7.0


@dataclass(frozen=True, slots=True)
class Calibration:
    """All of the above, as one value a searcher is built with (tests pass their own)."""

    abstention: Abstention = Abstention()
    fusion: Fusion = Fusion()
    near_miss: NearMiss = NearMiss()
    candidates: int = CANDIDATES
    # A question is broad ("What has Qixia done?") when every topic word beyond the place is common:
    # IDF under this share of the rarest word's (工作, 治理, 做法 sit at 0.05-0.25 of it).
    broad_idf_share: float = 0.3
    # An English word the glossary lacks stands for this many of the corpus words CC-CEDICT glosses with
    # it, best first (text/dictionary.py). On the English questions of every set, side by side: 1 term
    # MRR@5 0.796, 2 terms 0.825, 3 terms 0.816. It changes what is gathered, so fit_calibration.py searches
    # it only with --gathered.
    english_dictionary_terms: int = 2
    # A broad question's passages that name a practice or give a figure (distinct.bears_practice) are
    # multiplied by this before the answer is spread over sections: what X has done, not its preamble.
    practice_boost: float = 1.5  # fitted on all questions (the folds kept 1.5: a plateau between 1 and 1.5)
    # Hits scoring under this share of the best one are not offered, even when paging (fitted).
    relevance_floor: float = 0.5  # fitted (three folds of five and all questions); it only trims the pages past the first
