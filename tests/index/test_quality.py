"""Retrieval quality with the real bundled model on the question sets: deterministic, so asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.answer.engine import AnswerEngine
from index.answer.evaluate import Scores, engine_retriever, read_questions, run, score_by_kind
from index.search.searcher import HybridSearcher
from index.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

DEV_SET = PROJECT_ROOT / "eval" / "dev_questions.jsonl"  # the development set as shipped to us
GROWN_SET = PROJECT_ROOT / "eval" / "questions.jsonl"  # the same questions plus our own


def scores(engine: AnswerEngine, path: Path) -> dict[str, Scores]:
    return score_by_kind(run(read_questions(path), engine_retriever(engine)))


@pytest.fixture(scope="module")
def dev(real_engine: AnswerEngine) -> dict[str, Scores]:
    return scores(real_engine, DEV_SET)


@pytest.fixture(scope="module")
def grown(real_engine: AnswerEngine) -> dict[str, Scores]:
    return scores(real_engine, GROWN_SET)


def test_development_set_meets_the_issue_bar(dev: dict[str, Scores]) -> None:
    # Constants fitted on every set (benchmarks/fit_calibration.py): in-sample hit@5 1.000, MRR@10 0.906, the
    # same cross-validated (docs/quality.md). Its 3 English questions (0.611 either way) are too few to bound
    # alone: the grown set's English questions are bounded below.
    assert dev["all"].hit5 >= 0.95
    assert dev["all"].mrr10 >= 0.85


def test_every_out_of_corpus_question_is_abstained_on(dev: dict[str, Scores], grown: dict[str, Scores]) -> None:
    for table in (dev, grown):
        assert table["out_of_corpus"].abstained == table["out_of_corpus"].out_of_corpus > 0


def test_no_answerable_question_is_abstained_on(grown: dict[str, Scores]) -> None:
    assert grown["all"].abstained == grown["out_of_corpus"].abstained


def test_grown_question_set_keeps_its_margins(grown: dict[str, Scores]) -> None:
    # Constants fitted on every set: the grown set's new questions score 0.963 hit@5 and 0.928 MRR@10
    # in-sample (english 0.947); bars sit under the cross-validated figures (docs/quality.md).
    assert grown["all"].hit5 >= 0.93
    assert grown["all"].mrr10 >= 0.85
    for kind in ("english", "traditional", "place", "paraphrase", "fact", "keyword"):
        assert grown[kind].mrr10 >= 0.8, kind


def test_english_courier_question_puts_the_nanshan_courier_passage_first(real_engine: AnswerEngine) -> None:
    answer = real_engine.answer("how did Nanshan organise courier riders")

    assert answer.places == ("南山区",)
    assert "432個快遞網點" in answer.hits[0].chunk.text
    assert "快遞騎手" in answer.hits[0].best_sentence


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("南山区怎么发动快递骑手参与治理", id="simplified"),
        pytest.param("南山區怎麼發動快遞騎手參與治理", id="traditional"),
    ],
)
def test_same_question_in_either_script_finds_the_same_passage(real_engine: AnswerEngine, question: str) -> None:
    assert "432個快遞網點" in real_engine.answer(question).hits[0].chunk.text


def test_place_question_steers_to_that_district(real_engine: AnswerEngine) -> None:
    answer = real_engine.answer("What has Qixia done on red property management?")

    assert answer.places == ("栖霞区",)
    assert "红色物业" in answer.hits[0].chunk.text and "栖霞区" in answer.hits[0].chunk.places


def test_chinese_terms_inside_an_english_question_count(real_engine: AnswerEngine) -> None:
    answer = real_engine.answer("What has Qixia done on 红色物业?")

    assert "红色物业" in answer.hits[0].best_sentence


@pytest.fixture(scope="module")
def combined(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> dict[str, Scores]:  # type: ignore[no-untyped-def]
    """The real reports plus fourteen of ours on the same practices in other districts."""
    import shutil

    from index.answer.engine import engine_from
    from index.build.builder import build_index
    from index.store.folder import load_index

    corpus = tmp_path_factory.mktemp("combined") / "corpus"
    corpus.mkdir()
    for source in [*(PROJECT_ROOT / "corpus").glob("*.txt"), *(PROJECT_ROOT / "tests/data/other_districts").iterdir()]:
        shutil.copy(source, corpus / source.name)
    folder = corpus.parent / "index"
    build_index(corpus, folder, real_embedder, max_chars=360, min_chars=120, exact_search_max=20_000)
    engine = engine_from(load_index(folder, model=real_embedder.name), real_embedder)
    return scores(engine, PROJECT_ROOT / "eval" / "other_districts.jsonl")


def test_the_named_district_wins_among_reports_on_the_same_practice(combined: dict[str, Scores]) -> None:
    # hit@5 / MRR@10 1.000 / 0.917 (english 0.921) in-sample and cross-validated.
    assert combined["all"].hit5 >= 0.95
    assert combined["all"].mrr10 >= 0.85
    assert combined["english"].mrr10 >= 0.8
    assert combined["all"].abstained == 0


NEAR_MISSES = PROJECT_ROOT / "eval" / "near_misses.jsonl"  # our tuning set of near misses (not the held-out one)


@pytest.fixture(scope="module")
def near(real_engine: AnswerEngine) -> dict[str, Scores]:
    return scores(real_engine, NEAR_MISSES)


def test_places_and_years_no_report_covers_are_always_said(near: dict[str, Scores]) -> None:
    for kind in ("other_place", "other_year"):
        assert near[kind].abstained == near[kind].out_of_corpus > 0, kind


def test_topics_a_place_never_treats_are_mostly_flagged(near: dict[str, Scores]) -> None:
    # 5/6 in-sample and cross-validated ("拱墅区怎么用好高校资源" is answered without the notice).
    assert near["off_topic_place"].abstained >= near["off_topic_place"].out_of_corpus - 1


def test_a_district_no_report_covers_is_answered_with_its_neighbour_labelled(real_engine: AnswerEngine) -> None:
    answer = real_engine.answer("How did Futian district organise delivery riders?")

    assert answer.understood.places_not_covered == ("福田区",)
    assert answer.understood.nearest_places == ("南山区",)
    assert all("南山区" in hit.chunk.places for hit in answer.hits)


def test_answerable_place_questions_carry_no_caveat(real_engine: AnswerEngine) -> None:
    for question in ("南山区怎么发动快递骑手参与治理", "栖霞区在红色物业方面做了什么", "What has Qixia done?",
                     "湖裡區在小區治理上有什麼經驗", "南山区怎么组织跑腿小哥参与社区管理"):
        answer = real_engine.answer(question)
        assert not answer.abstained and not answer.understood.caveats, question


def test_a_place_mentioned_only_inside_a_report_counts_as_covered(real_engine: AnswerEngine) -> None:
    answer = real_engine.answer("麓湖公园社区怎么处理邻里关系")

    assert answer.places == ("麓湖公园社区",) and not answer.understood.places_not_covered
    assert "麓湖公園社區" in answer.hits[0].chunk.text or "麓湖公园社区" in answer.hits[0].chunk.text
    assert real_engine.place_summary("麓湖公园社区").reports


def test_everyday_and_english_wording_set_keeps_its_margin(real_engine: AnswerEngine) -> None:
    # eval/wording.jsonl: our questions in the shapes readers use (everyday words, figures inside long
    # passages, pinyin community names, broad "what has X done"); 0.848 in-sample (english 0.778), the same
    # cross-validated.
    table = scores(real_engine, PROJECT_ROOT / "eval" / "wording.jsonl")
    assert table["all"].mrr10 >= 0.78
    assert table["english"].mrr10 >= 0.7


def test_the_most_specific_place_named_leads(real_engine: AnswerEngine) -> None:
    answer = real_engine.answer("What does the Jiangxinyuan community in Hanyang do?")

    assert "江欣苑社区" in answer.hits[0].chunk.places


def test_a_covered_place_is_never_refused_but_told_and_led_by_its_own_passages(real_engine: AnswerEngine) -> None:
    # Far from every report's topic, yet naming a covered district: passages under a one-line notice.
    answer = real_engine.answer("南山区的二手房价格是多少")

    assert not answer.abstained and answer.hits
    assert answer.understood.topic_not_covered
    assert "南山区" in answer.hits[0].chunk.places


def test_a_far_out_of_corpus_question_naming_no_place_is_still_refused(real_engine: AnswerEngine) -> None:
    assert real_engine.answer("红烧肉怎么做才好吃").abstained


def test_an_off_topic_place_question_leads_with_the_place_and_says_so(real_engine: AnswerEngine) -> None:
    answer = real_engine.answer("栖霞区怎么组织快递骑手")

    assert answer.understood.topic_not_covered and not answer.abstained
    assert "栖霞区" in answer.hits[0].chunk.places


def test_doubtful_wording_reaches_the_answer(real_engine: AnswerEngine) -> None:
    answer = real_engine.answer("汉阳区创新基层社会治理实践研讨会在哪里举办")

    shown = {h.chunk.doc_id[:3]: h.doubtful for h in answer.hits}
    assert shown.get("003") == "reworded"
    assert all(not h.doubtful for h in answer.hits if h.chunk.doc_id.startswith(("000", "001", "004")))


def test_held_out_sets_refuse_no_answerable_question(real_engine: AnswerEngine) -> None:
    # The older held-out sets are in the fitting pool now: 0/79, 0/93 and 0/135 refused in-sample. One
    # false notice in heldout2: "Luhu Park community" reads as the glossary's "parking" (停车), which
    # that community's passages never mention (the issue's bar: at most 1 in 40 answerable questions).
    for name, notices in (("heldout.jsonl", 0), ("heldout2.jsonl", 1), ("heldout3.jsonl", 1)):
        table = scores(real_engine, PROJECT_ROOT / "eval" / name)
        assert table["all"].refused == 0, name
        assert table["all"].false_notices <= notices, name
        assert table["all"].mrr10 >= 0.78, name


def test_english_questions_rank_the_answer_near_the_top(real_engine: AnswerEngine) -> None:
    # heldout3's 44 English questions: MRR@5 0.642 before CC-CEDICT's senses reached keyword search
    # (text/dictionary.py), 0.80 with them; every set's English questions pooled: 0.772 -> 0.847.
    table = scores(real_engine, PROJECT_ROOT / "eval" / "heldout3.jsonl")
    assert table["english"].mrr5 >= 0.78
    assert table["english"].refused == 0


@pytest.mark.parametrize("question", ["栖霞区", "What has Qixia done?", "栖霞区的经验是什么", "棲霞區做了哪些工作？"])
def test_a_broad_question_is_led_by_a_passage_introducing_one_of_the_places_practices(
        real_engine: AnswerEngine, question: str) -> None:
    # Before: a bare place name took the place itself as its topic, so it was not broad, and the report's
    # preamble (the most mentions of 栖霞区) came first.
    digest = real_engine.place_summary("栖霞区")
    introducing = {practice.chunk_id for practice in digest.digest}
    answer = real_engine.answer(question)

    assert introducing and answer.hits[0].chunk.chunk_id in introducing


def test_a_specific_question_about_a_place_is_not_taken_for_a_broad_one(real_engine: AnswerEngine) -> None:
    searcher = real_engine.searcher
    assert isinstance(searcher, HybridSearcher)

    assert not searcher.gather("栖霞区在红色物业方面做了什么").broad
    assert searcher.gather("栖霞区做了什么").broad and searcher.gather("南山区").broad


def test_a_notice_never_names_a_word_of_any_text(real_engine: AnswerEngine) -> None:
    # It was told its topic seemed untreated, naming 觉得: a word that says nothing of a topic.
    answer = real_engine.answer("兰考县为什么觉得汉阳的做法对他们有参考价值?")

    assert not answer.abstained and not answer.understood.topic_not_covered


@pytest.mark.parametrize(
    ("name", "mrr5", "paraphrase", "broad", "english", "refused", "notices", "answered_far_out"),
    [
        # Untouched runs: heldout4 0.758 (paraphrase 0.607, broad 0.597), heldout5 0.830, heldout6 0.732, heldout7
        # 0.809, heldout8 0.689; then each joined the fitting pool. In-sample now: 0.862, 0.853, 0.771, 0.812,
        # 0.701 (docs/quality.md). Far out-of-corpus questions answered: heldout4's work permit and heldout7's
        # passport renewal (English questions meet the reports at the cosines these do).
        ("heldout4.jsonl", 0.86, 0.80, 0.90, 0.80, 1, 2, 1),
        ("heldout5.jsonl", 0.85, 0.79, 0.70, 0.85, 0, 2, 0),
        ("heldout6.jsonl", 0.77, 0.71, 0.53, 0.74, 3, 1, 0),
        ("heldout7.jsonl", 0.81, 0.89, 0.70, 0.76, 2, 2, 1),
        ("heldout8.jsonl", 0.70, 0.72, 0.64, 0.65, 3, 5, 0),
        # heldout9 is not in the pool yet: its figures are those of its untouched run (0.773).
        ("heldout9.jsonl", 0.77, 0.84, 0.57, 0.76, 2, 0, 0),
    ],
)
def test_the_newer_held_out_sets_keep_their_figures(real_engine: AnswerEngine, name: str, mrr5: float,
                                                     paraphrase: float, broad: float, english: float,
                                                     refused: int, notices: int, answered_far_out: int) -> None:
    table = scores(real_engine, PROJECT_ROOT / "eval" / name)
    assert table["all"].mrr5 >= mrr5
    assert table["paraphrase"].mrr5 >= paraphrase
    assert table["broad"].mrr5 >= broad
    assert table["english"].mrr5 >= english
    assert table["all"].refused <= refused
    assert table["all"].false_notices <= notices
    assert table["out_of_corpus"].abstained == table["out_of_corpus"].out_of_corpus - answered_far_out
