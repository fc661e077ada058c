"""Understanding a question before search: its script, the places it names, English terms in Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin, pinyin

from index.clean import fold
from index.glossary import english_concepts, uncovered_words
from index.places import place_aliases

_LATIN_WORD = re.compile(r"[a-z]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
# Quoted phrases name a practice exactly: “五邻营造”, "一小区一专员", 「先鋒學院」.
_QUOTED = re.compile(r"[“\"「『《]([^”\"」』》]{2,20})[”\"」』》]")


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
    concepts: tuple[tuple[str, ...], ...] = ()  # per glossary phrase of an English question, its Chinese terms
    names: tuple[str, ...] = ()  # corpus words an English question names in pinyin: "Xie Ju" -> 谢菊
    asks_number: bool = False  # "多少", "how many": the answer holds a figure
    asks_reason: bool = False  # "为什么", "why": the answer gives reasons or necessity

    @property
    def keyword_text(self) -> str:
        """Folded text for keyword tokens: the question plus its Chinese expansions, names and places."""
        return " ".join((self.folded, *self.expansions, *self.names, *self.places))


def romanise(name: str) -> str:
    """Toneless pinyin of a Chinese name without spaces: 南山 -> nanshan."""
    return "".join(lazy_pinyin(name)).lower()


def romanisations(name: str, *, most: int = 16) -> set[str]:
    """Every toneless pinyin spelling of a name, for characters with several readings: 朝阳 -> chaoyang, zhaoyang."""
    readings = [sorted(set(r)) for r in pinyin(name, style=Style.NORMAL, heteronym=True)]
    spellings = {""}
    for options in readings:
        spellings = {s + o.lower() for s in spellings for o in options}
        if len(spellings) > most:  # long names with many readings: the usual reading is enough
            return {romanise(name)}
    return spellings | {romanise(name)}


class PlaceGazetteer:
    """Maps what users type for a place (南山, 南山區, Nanshan) to the corpus's own place names."""

    def __init__(self, places: Iterable[str]) -> None:
        self._by_alias: dict[str, set[str]] = {}
        self._by_pinyin: dict[str, set[str]] = {}
        for place in set(places):
            for alias in place_aliases(place):
                alias = fold(alias)
                if len(alias) < 2:
                    continue
                self._by_alias.setdefault(alias, set()).add(place)
                for spelling in romanisations(alias):
                    self._by_pinyin.setdefault(spelling, set()).add(place)
        # Longest aliases first, so 南山区 wins over 南山 and the match is not counted twice.
        self._aliases = sorted(self._by_alias, key=len, reverse=True)

    def find(self, folded: str) -> tuple[str, ...]:
        """Places named in folded Chinese text, in order of appearance."""
        found: list[tuple[int, str]] = []
        taken = [False] * len(folded)
        for alias in self._aliases:
            start = folded.find(alias)
            while start >= 0:
                if not any(taken[start:start + len(alias)]):
                    taken[start:start + len(alias)] = [True] * len(alias)
                    found.extend((start, place) for place in sorted(self._by_alias[alias]))
                start = folded.find(alias, start + 1)
        return _unique(place for _, place in sorted(found))

    def find_romanised(self, text: str) -> tuple[str, ...]:
        """Places named in pinyin in Latin text: "Nanshan", "Nan Shan district", "QIXIA"."""
        words = _LATIN_WORD.findall(text.lower())
        found: list[str] = []
        for i, word in enumerate(words):
            for candidate in (word, word + words[i + 1] if i + 1 < len(words) else ""):
                if len(candidate) >= 4 and candidate in self._by_pinyin:
                    found.extend(sorted(self._by_pinyin[candidate]))
        return _unique(found)

    def resolve(self, name: str) -> tuple[str, ...]:
        """Corpus places a user's name for a place may mean: exact alias, pinyin, or a prefix."""
        key = fold(name.strip())
        if key in self._by_alias:
            return tuple(sorted(self._by_alias[key]))
        if key.replace(" ", "") in self._by_pinyin:
            return tuple(sorted(self._by_pinyin[key.replace(" ", "")]))
        return self.find(key) or self.find_romanised(key)


def quoted_phrases(text: str) -> list[str]:
    """Phrases a text puts in quotes, such as named practices: “五邻营造” -> 五邻营造."""
    return _QUOTED.findall(text)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def is_mostly_latin(text: str) -> bool:
    """True for English questions, even with a Chinese term or two in them."""
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return latin > 2 * len(_CJK.findall(text))


_NUMBER_QUESTION = re.compile(
    r"多少|几[个名家项次年人户万]|几成|比例|占比|百分之|how (many|much|large|big|long)|what (share|percentage|proportion)"
    r"|number of|when did|which year|what year|哪一?年"
)
_REASON_QUESTION = re.compile(r"为什么|为何|何以|原因|必要性|意义何在|\bwhy\b|\breasons?\b|\bnecessity\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}")


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
                     romanised: Mapping[str, Sequence[str]] | None = None) -> Query:
    """Folds the question and finds the places, names, quoted phrases and English terms it contains."""
    text = question.strip()
    folded = fold(text)
    english = is_mostly_latin(text)
    places = _unique((*gazetteer.find(folded), *gazetteer.find_romanised(text)))
    concepts = english_concepts(text) if english else ()
    expansions = tuple(dict.fromkeys(term for concept in concepts for term in concept))
    phrases = tuple(fold(p) for p in quoted_phrases(text))
    place_forms = {fold(a) for p in places for a in place_aliases(p)}
    names = tuple(n for n in pinyin_names(text, romanised or {}) if n not in place_forms) if english else ()
    spelled = {romanise(n) for n in names}
    uncovered = tuple(
        w for w in uncovered_words(text) if not gazetteer.find_romanised(w) and not any(w in s for s in spelled)
    ) if english else ()
    asks_number = bool(_NUMBER_QUESTION.search(folded))
    asks_reason = bool(_REASON_QUESTION.search(folded))
    return Query(text, folded, english, places, expansions, phrases, uncovered, concepts, names, asks_number,
                 asks_reason)
