"""What a question asks, before search: its script, places, years, names, quoted phrases and English terms."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from index.text.chinese import YEAR, count_han, quoted_phrases
from index.text.clean import fold
from index.places.gazetteer import PlaceGazetteer, romanise
from index.text.dictionary import translations
from index.text.glossary import english_concepts, uncovered_words
from index.places.finder import place_aliases


@dataclass(frozen=True, slots=True)
class Query:
    """A question as the searcher uses it."""

    text: str  # as asked, trimmed
    folded: str  # NFKC, Simplified, lowercase
    is_english: bool  # mostly Latin letters: keyword search needs Chinese terms added
    places: tuple[str, ...]  # canonical corpus places the question names
    expansions: tuple[str, ...]  # Chinese terms standing for English words of the question
    phrases: tuple[str, ...]  # quoted phrases, folded
    uncovered: tuple[str, ...] = ()  # English content words neither the glossary nor the places explain
    concepts: tuple[tuple[str, ...], ...] = ()  # per glossary phrase or dictionary word of an English question, its Chinese terms
    names: tuple[str, ...] = ()  # corpus words an English question names in pinyin: "Xie Ju" -> 谢菊
    asks_number: bool = False  # "多少", "how many": the answer holds a figure
    asks_reason: bool = False  # "为什么", "why": the answer gives reasons or necessity
    places_not_covered: tuple[str, ...] = ()  # places named that no passage mentions: 福田区, "Wangjing Street"
    years: tuple[int, ...] = ()  # years or periods asked about: 2023, 十四五 -> 2021…2025
    # Those of concepts that came from the dictionary for uncovered words: guesses at what a word meant, so
    # they rank passages but are no evidence that the corpus answers or that a place leaves a topic out.
    translated: tuple[tuple[str, ...], ...] = ()
    # Worked out from places when the record is made (again by dataclasses.replace), for every stage to read.
    place_aliases: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)  # per place, folded
    place_forms: frozenset[str] = field(init=False, repr=False, compare=False)  # every folded alias of the places

    def __post_init__(self) -> None:
        aliases = alias_forms(self.places)
        object.__setattr__(self, "place_aliases", aliases)
        object.__setattr__(self, "place_forms", frozenset(f for forms in aliases for f in forms))

    @property
    def keyword_text(self) -> str:
        """Folded text for keyword tokens: the question plus its Chinese expansions, names and places."""
        return " ".join((self.folded, *self.expansions, *self.names, *self.places))

    @property
    def embedding_text(self) -> str:
        """An English question followed by its Chinese terms: every glossary term, and each dictionary word's first sense.

        The words around the terms settle which sense is meant; the further senses widen only the keyword search,
        since embedding them too measured the same (pooled English MRR@5 0.834 with all five, 0.833 with one) and
        costs embedding time (about 5 ms more on the longest English questions).
        """
        glossary = [term for concept in self.concepts if concept not in self.translated for term in concept]
        senses = [concept[0] for concept in self.translated if concept]
        return " ".join((self.text, *dict.fromkeys((*glossary, *senses))))


@functools.lru_cache(maxsize=1024)
def alias_forms(places: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Each place's aliases, folded, in place_aliases' order: what a Query carries for its places."""
    return tuple(tuple(fold(a) for a in place_aliases(p)) for p in places)


def is_mostly_latin(text: str) -> bool:
    """True for English questions, even with a Chinese term or two in them."""
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return latin > 2 * count_han(text)


_NUMBER_QUESTION = re.compile(
    r"多少|几[个名家项次年人户万]|几成|比例|占比|百分之|how (many|much|large|big|long)|what (share|percentage|proportion)"
    r"|number of|when did|which year|what year|哪一?年"
)
_REASON_QUESTION = re.compile(r"为什么|为何|何以|原因|必要性|意义何在|\bwhy\b|\breasons?\b|\bnecessity\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}")

# Years a question asks about: 2023, 2023年, "in 2023", 二〇二三年; ranges such as 2019-2021 or 2019年至2021年;
# five-year plan periods. Only 1950-2049: other four-digit numbers are counts ("1063个网格").
_YEAR_RANGE = re.compile(rf"(?<!\d)({YEAR})\s*年?\s*(?:-|–|—|~|～|至|到|to|until)\s*({YEAR})(?!\d)")
# A bare four-digit number followed by a unit is a count, not a year ("2000平方米", "1063个").
_ONE_YEAR = re.compile(rf"(?<![\d.])({YEAR})(?![\d.%])(?!\s*(?:个|名|人|户|万|元|件|家|项|平方|米|亩|公里|吨|次|位|多|余))")
_HAN_DIGITS = {"〇": "0", "零": "0", "○": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6",
               "七": "7", "八": "8", "九": "9"}
_HAN_YEAR = re.compile(r"([一二〇零○三四五六七八九]{4})年")
_PLAN_PERIODS = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025),
                 "十五五": (2026, 2030)}


def asked_years(folded: str) -> tuple[int, ...]:
    """The years a folded question asks about, in order; a range or a plan period gives every year in it."""
    text = _HAN_YEAR.sub(lambda m: "".join(_HAN_DIGITS[c] for c in m.group(1)) + "年", folded)
    years: list[int] = []
    for period, (first, last) in _PLAN_PERIODS.items():
        if period in text:
            years.extend(range(first, last + 1))
    for match in _YEAR_RANGE.finditer(text):
        first, last = sorted((int(match.group(1)), int(match.group(2))))
        if last - first <= 20:
            years.extend(range(first, last + 1))
        text = text.replace(match.group(0), " ")
    years.extend(int(m.group(1)) for m in _ONE_YEAR.finditer(text))
    return tuple(dict.fromkeys(years))


def pinyin_names(text: str, romanised: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """Corpus words whose pinyin a Latin text spells as capitalised words: "Xie Ju" -> 谢菊."""
    found: list[str] = []
    for match in _CAPITALISED.finditer(text):
        words = match.group().lower().split()
        for size in range(len(words), 0, -1):
            for start in range(len(words) - size + 1):
                key = "".join(words[start:start + size])
                # Short keys are English words as often as names ("Hang", "Wang"); two syllables at least.
                if len(key) >= 4 and key in romanised:
                    found.extend(romanised[key][:3])
    return _unique(found)


def analyse_question(question: str, gazetteer: PlaceGazetteer,
                     romanised: Mapping[str, Sequence[str]] | None = None,
                     senses: Mapping[str, Sequence[str]] | None = None, *, dictionary_terms: int = 0) -> Query:
    """Folds the question and finds the places, years, names, quoted phrases and English terms it contains.

    romanised: toneless pinyin -> corpus words, for names; senses: English word stem -> corpus words
    (index/text/dictionary.py), of which the first dictionary_terms stand for a word the glossary lacks.
    """
    text = question.strip()
    folded = fold(text)
    english = is_mostly_latin(text)
    named = gazetteer.named(text, folded)
    places = named.covered
    phrases = tuple(fold(p) for p in quoted_phrases(text))
    place_forms = {f for forms in alias_forms(places) for f in forms}
    # A name spelled like a place the question names is that place: "Hanyang" is 汉阳, not 涵养.
    place_spellings = {romanise(f) for f in place_forms} if english else set()
    names = tuple(n for n in pinyin_names(text, romanised or {})
                  if n not in place_forms and romanise(n) not in place_spellings) if english else ()
    spelled = {romanise(n) for n in names}
    uncovered = tuple(
        w for w in uncovered_words(text) if not gazetteer.find_romanised(w) and not any(w in s for s in spelled)
        and not _spells_place(w, named.not_covered) and not _begins_place(w, places)
    ) if english else ()
    glossary = english_concepts(text) if english else ()
    # Words the glossary lacks ("courier", "pavilion") take their dictionary senses among the corpus's words.
    senses = senses or {}
    translated = translations(uncovered, senses, most=dictionary_terms) if dictionary_terms else ()
    translated = tuple(c for c in translated if c not in glossary)
    concepts = (*glossary, *translated)
    uncovered = tuple(w for w in uncovered if not senses.get(w)) if translated else uncovered
    expansions = tuple(dict.fromkeys(term for concept in concepts for term in concept))
    asks_number = bool(_NUMBER_QUESTION.search(folded))
    asks_reason = bool(_REASON_QUESTION.search(folded))
    return Query(text, folded, english, places, expansions, phrases, uncovered, concepts, names, asks_number,
                 asks_reason, named.not_covered, asked_years(folded), translated)


def _spells_place(word: str, places: Sequence[str]) -> bool:
    # "Futian" in "How did Futian district…" is a place no report covers, not an untranslated topic word.
    return any(word in fold(p).lower() or word in romanise(p) for p in places)


def _begins_place(stem: str, places: Sequence[str]) -> bool:
    # "Nanjing" stems to "nanj" (as "meeting" to "meet"): the start of a covered place the question names is that
    # place, not an untranslated topic word that would keep the question from counting as broad.
    return len(stem) >= 4 and any(romanise(p).startswith(stem) for p in places)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def without_place_names(query: Query) -> str:
    """The question with the covered places it names taken out, in its own script or pinyin."""
    text = query.folded
    forms = sorted(query.place_forms, key=len, reverse=True)
    for form in forms:
        text = text.replace(form, " ")
    if query.is_english:
        spellings = {romanise(form) for form in forms}
        words = [w for w in re.findall(r"[\w']+|[^\w\s]", text)
                 if w.lower() not in spellings and w.lower() not in _PLACE_WORDS]
        text = " ".join(words)
    return " ".join(text.split()) or query.folded


_PLACE_WORDS = {"district", "county", "city", "province", "street", "subdistrict", "community", "town", "village",
                "new", "area"}
