"""CC-CEDICT senses for English words the glossary lacks: parsing, choosing, and their way into a question."""

from __future__ import annotations


from index.places.gazetteer import PlaceGazetteer
from index.search.evidence import question_concepts
from index.search.question import analyse_question
from index.text.dictionary import cedict_lines, corpus_senses, entries, sense_table, translations

SAMPLE = """# CC-CEDICT sample
#! date=2023-11-07T06:42:16Z
亭子 亭子 [ting2 zi5] /pavilion/
涼亭 凉亭 [liang2 ting2] /covered pavilion/
小區 小区 [xiao3 qu1] /housing estate; community; neighborhood/(telecommunications) cell/
郵差 邮差 [you2 chai1] /postman/person who carries letters for a company/
快遞 快递 [kuai4 di4] /express delivery/CL:個|个[ge4]/
亭 亭 [ting2] /pavilion/
""".splitlines()


def test_entries_give_simplified_headword_and_senses() -> None:
    found = dict(entries(SAMPLE))

    assert found["小区"] == ("housing estate; community; neighborhood", "(telecommunications) cell")
    assert "#" not in "".join(found)


def test_a_word_must_be_half_a_sense_or_more() -> None:
    table = sense_table(entries(SAMPLE))

    assert "亭子" in table["pavilion"] and "凉亭" in table["pavilion"]  # /covered pavilion/: half
    assert "邮差" in table["postman"]
    assert "邮差" not in table.get("letter", {})  # one word of a long sense names something else
    assert "小区" in table["cell"]  # the aside "(telecommunications)" is not counted


def test_cross_references_and_single_characters_are_no_translation() -> None:
    table = sense_table(entries(SAMPLE))

    assert "cl" not in table and "个" not in str(table)
    assert all("亭" != word for words in table.values() for word in words)


def test_only_the_corpus_words_are_kept_closest_sense_first() -> None:
    senses = corpus_senses({"凉亭": 5, "亭子": 1, "快递": 3}, entries(SAMPLE))

    assert senses["pavilion"] == ["亭子", "凉亭"]  # /pavilion/ before /covered pavilion/, however frequent
    assert senses["express"] == ["快递"]
    assert "postman" not in senses  # 邮差 is not in the corpus


def test_translations_take_the_first_words_of_each_known_stem() -> None:
    senses = {"pavilion": ["亭子", "凉亭"], "estat": ["小区"]}

    assert translations(["pavilion", "weather", "estat"], senses, most=1) == (("亭子",), ("小区",))


def test_an_english_question_gets_dictionary_terms_for_words_the_glossary_lacks() -> None:
    senses = {"pavilion": ["亭子", "凉亭"]}
    gazetteer = PlaceGazetteer(["南山区"])

    query = analyse_question("What is the open-air pavilion residents meet in?", gazetteer, {}, senses,
                             dictionary_terms=2)

    assert ("亭子", "凉亭") in query.concepts
    assert "亭子" in query.expansions and "亭子" in query.keyword_text
    # A guess at the word's meaning: the word is translated now, but its concept weighs what an
    # untranslated word does (index/search/evidence.py), and it never claims a topic is missing.
    assert query.translated == (("亭子", "凉亭"),) and "pavilion" not in query.uncovered


def test_a_glossary_concept_is_not_taken_for_a_dictionary_guess() -> None:
    query = analyse_question("red property management and the pavilion", PlaceGazetteer([]), {},
                             {"pavilion": ["亭子"], "property": ["红色物业"]}, dictionary_terms=1)

    assert ("红色物业",) in query.concepts and query.translated == (("亭子",),)


def test_without_dictionary_terms_nothing_is_added() -> None:
    query = analyse_question("What is the open-air pavilion?", PlaceGazetteer([]), {}, {"pavilion": ["亭子"]})

    assert not any("亭子" in c for c in query.concepts) and "pavilion" in query.uncovered


def test_chinese_questions_are_not_translated() -> None:
    query = analyse_question("凉亭在哪里", PlaceGazetteer([]), {}, {"pavilion": ["亭子"]}, dictionary_terms=2)

    assert query.concepts == () and query.expansions == ()


def test_the_shipped_dictionary_is_read() -> None:
    senses = corpus_senses({"研讨会": 2, "指标": 4, "骑手": 1})

    assert senses["seminar"][0] == "研讨会"
    assert senses["indicator"] == ["指标"]
    assert sum(1 for _ in cedict_lines()) > 100_000


def test_a_dictionary_guess_weighs_what_an_untranslated_word_does() -> None:
    query = analyse_question("Where is the pavilion?", PlaceGazetteer([]), {}, {"pavilion": ["亭子"]}, dictionary_terms=1)
    rarest = 10.0

    concepts = question_concepts(query, [], lambda token: 8.0, rarest, lambda text: text.split())

    assert (("亭子",), rarest / 2) in concepts  # not its own IDF of 8: a guess cannot carry the question


def test_an_english_question_is_embedded_with_its_glossary_terms_and_each_word_first_sense() -> None:
    query = analyse_question("red property management and the pavilion", PlaceGazetteer([]), {},
                             {"pavilion": ["亭子", "凉亭"]}, dictionary_terms=2)

    text = query.embedding_text

    assert text.startswith("red property management and the pavilion ")
    assert "红色物业" in text and "亭子" in text
    assert "凉亭" not in text and "凉亭" in query.keyword_text  # further senses widen the keyword search only
