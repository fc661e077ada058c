"""Fits every constant of index/search/calibration.py on all the older question sets together, with k-fold cross-validation.

Run from the repository root (nothing here is tuned by hand; rerun after adding questions):

    .venv/bin/python benchmarks/fit_calibration.py            # 5 folds, then a fit on all questions
    .venv/bin/python benchmarks/fit_calibration.py --folds 0  # only score the shipped constants

Every question of eval/ is pooled (heldout3 to heldout8 each joined after its one untouched run; heldout9,
run at the end of the round that wrote it, is added at the next refit; heldout10.jsonl, the next held-out
set, is never read here) and split into
k folds, each set spread evenly over them. For each fold, coordinate descent over a small grid per
constant, from the middle of every grid, picks the values that score best on the other folds; the held-out fold is then answered with
them. The cross-validated figures (every question answered by constants fitted without it) are printed
per set and kind, then the constants fitted on all questions, to copy into calibration.py.

The score a fit maximises, per question: reciprocal rank in the top 5 for answerable questions, minus 2
for refusing one and 0.5 for a notice claiming its topic untreated; 1 for an unanswerable one abstained
on or stated (evaluate.flags), and -1 for a far out-of-corpus one answered. The default runtime and index settings are used (settings.toml).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.answer.evaluate import (  # noqa: E402
    OUT_OF_CORPUS, Outcome, Question, flags, format_table, read_questions, score_by_kind)
from index.places.gazetteer import PlaceGazetteer  # noqa: E402
from index.text.clean import fold  # noqa: E402
from index.search.calibration import Calibration  # noqa: E402
from index.search.searcher import Candidates, HybridSearcher  # noqa: E402

MAIN_SETS = ("dev_questions", "questions", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6",
             "heldout7", "heldout8", "near_misses", "wording")
COMBINED_SETS = ("other_districts",)  # over corpus/ plus tests/data/other_districts/
# The next untouched held-out set: never read here (heldout3 to 8 joined the pool after their one run; heldout9
# was run at the end of its round, on the constants fitted without it, and joins the pool at the next refit).
NEVER = "heldout10"

# The grid each constant is searched over: a few steps either side of a plausible value.
GRID: dict[str, Sequence[float]] = {
    "fusion.weights.keyword": (0.25, 0.5, 0.75, 1.0, 1.5),
    "fusion.weights.sentence": (0.125, 0.25, 0.5, 0.75, 1.0),
    "fusion.english_weights.keyword": (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0),
    "fusion.english_weights.sentence": (1.0, 1.5, 2.0, 3.0, 4.0, 6.0),
    "fusion.place_boost": (1.2, 1.6, 2.0, 2.5, 3.0, 4.0, 5.0),
    "fusion.phrase_boost": (1.0, 1.2, 1.4, 1.7, 2.0),
    "fusion.year_boost": (1.0, 1.3, 1.5, 2.0, 3.0, 4.0, 6.0),
    "relevance_floor": (0.1, 0.15, 0.2, 0.3, 0.4),
    "fusion.practice_boost": (1.5, 2.0, 3.0, 4.0, 6.0),
    "abstention.min_cosine": (0.78, 0.79, 0.80, 0.81, 0.82),
    "abstention.confident_cosine": (0.84, 0.85, 0.86, 0.87, 0.88),
    "abstention.min_coverage": (0.3, 0.4, 0.5),
    "abstention.english_min_cosine": (0.66, 0.68, 0.70, 0.72, 0.74, 0.76, 0.78),
    "abstention.english_min_coverage": (0.1, 0.2, 0.3, 0.4),
    "abstention.english_confident_cosine": (0.85, 0.87, 0.89, 0.91, 1.0),
}
# These change what is gathered (near misses, broad questions), so each value costs a full pass of embedding
# and keyword search over every question (cached, so once for all folds): searched only with --gathered,
# then in every fold as well as in the fit on all questions.
GATHERED_GRID: dict[str, Sequence[float]] = {
    "near_miss.place_lead": (0.0, 0.005, 0.015, 0.025),
    "near_miss.coverage_gap": (0.2, 0.3, 0.4),
    "near_miss.specific_idf": (6.0, 6.5, 7.0, 7.5),
    "broad_idf_share": (0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
    "english_dictionary_terms": (1, 2, 3, 4, 5),
}


def get(c: Calibration, name: str) -> float:
    """The value of one dotted constant of a calibration."""
    obj: Any = c
    for part in name.split("."):
        obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    return float(obj)


def with_value(c: Calibration, name: str, value: float) -> Calibration:
    """A calibration with one dotted constant changed."""
    head, _, rest = name.partition(".")
    if not rest:
        if isinstance(getattr(c, head), int):  # counts (english_dictionary_terms) stay whole numbers
            value = int(value)
        return dataclasses.replace(c, **{head: value})
    part = getattr(c, head)
    if "weights." in rest:
        table, key = rest.split(".")
        weights = dict(getattr(part, table))
        weights[key] = value
        return dataclasses.replace(c, **{head: dataclasses.replace(part, **{table: weights})})
    return dataclasses.replace(c, **{head: dataclasses.replace(part, **{rest: value})})


def neutral_start() -> Calibration:
    """The middle value of every grid: where each fit starts, so no fold starts from constants fitted on it."""
    c = Calibration()
    for name, values in GRID.items():
        c = with_value(c, name, sorted(values)[len(values) // 2])
    return c


def gather_key(c: Calibration) -> tuple[float, ...]:
    return tuple(get(c, n) for n in GATHERED_GRID)


class CachedEncoder:
    """Embeds each text once: fitting gathers the same questions under many calibrations."""

    def __init__(self, encoder: Any) -> None:
        self._encoder = encoder
        self._cache: dict[str, np.ndarray] = {}

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self._cache]
        if missing:
            for text, vector in zip(missing, self._encoder.encode_queries(missing)):
                self._cache[text] = vector
        return np.stack([self._cache[t] for t in texts])


@dataclasses.dataclass
class Corpus:
    """One index, its searchers per gathering calibration, and the candidates gathered for its questions."""

    stored: Any
    encoder: CachedEncoder
    searchers: dict[tuple[float, ...], HybridSearcher] = dataclasses.field(default_factory=dict)
    found: dict[tuple[tuple[float, ...], str], Candidates] = dataclasses.field(default_factory=dict)
    folded: dict[str, str] = dataclasses.field(default_factory=dict)

    def searcher(self, c: Calibration) -> HybridSearcher:
        key = gather_key(c)
        if key not in self.searchers:
            gazetteer = PlaceGazetteer(self.stored.records.covered_places())
            self.searchers[key] = HybridSearcher(self.stored.records, self.stored.vectors, self.stored.keywords,
                                                 self.encoder, gazetteer=gazetteer, calibration=c)
        return self.searchers[key]

    def outcome(self, question: Question, c: Calibration) -> Outcome:
        searcher = self.searcher(c)
        key = (gather_key(c), question.text)
        if key not in self.found:
            self.found[key] = searcher.gather(question.text)
        result = searcher.rank(self.found[key], k=10, calibration=c)
        rank = 0
        if question.answerable:  # first_correct_rank, with each passage folded (OpenCC) once per fit
            wanted = [fold(g) for g in question.gold]
            for i, hit in enumerate(result.hits[:10], start=1):
                if hit.chunk.chunk_id not in self.folded:
                    self.folded[hit.chunk.chunk_id] = fold(hit.chunk.text)
                if any(g in self.folded[hit.chunk.chunk_id] for g in wanted):
                    rank = i
                    break
        understood = result.understood
        return Outcome(question, rank, result.abstained, result.abstained or flags(question.kind, understood),
                       bool(understood.topic_not_covered))


    def peer_outcome(self, question: Question) -> Outcome:
        """The peer row: top 10 by cosine with the same model and passages, nothing ranked, never abstaining.

        This is the retrieval benchmarks/peer_pipeline.py times (a LangChain-Chatchat knowledge-base answer).
        """
        vector = self.encoder.encode_queries([question.text])[0]
        rows = [row for row, _ in self.stored.vectors.search(vector, 10)]
        rank = 0
        if question.answerable:
            wanted = [fold(g) for g in question.gold]
            for i, row in enumerate(rows, start=1):
                chunk = self.stored.records.chunks[row]
                if chunk.chunk_id not in self.folded:
                    self.folded[chunk.chunk_id] = fold(chunk.text)
                if any(g in self.folded[chunk.chunk_id] for g in wanted):
                    rank = i
                    break
        return Outcome(question, rank, False, False)


Item = tuple[str, Corpus, Question]  # (set name, its corpus, question)


def value_of(outcome: Outcome) -> float:
    """What one answer is worth to a fit (see the module docstring)."""
    if not outcome.question.answerable:
        if outcome.flagged:
            return 1.0
        # Passages for a question the reports cannot serve at all (visas, guitar chords) pass unrelated text
        # off as an answer: as wrong as a refusal is costly, where a near miss answered still shows its place.
        return -1.0 if outcome.question.kind == OUT_OF_CORPUS else 0.0
    rr = 1 / outcome.rank if 0 < outcome.rank <= 5 else 0.0
    return rr - 2.0 * outcome.abstained - 0.5 * outcome.noticed


def total(items: Sequence[Item], c: Calibration) -> float:
    return sum(value_of(corpus.outcome(q, c)) for _, corpus, q in items) / max(1, len(items))


def fit(items: Sequence[Item], start: Calibration, *, grid: dict[str, Sequence[float]] = GRID, rounds: int = 2,
        log: Callable[[str], None] = print) -> Calibration:
    """Coordinate descent over the grid from start: each constant in turn takes its best value, twice round."""
    best, best_score = start, total(items, start)
    for _ in range(rounds):
        changed = False
        for name, values in grid.items():
            for value in values:
                if value == get(best, name):
                    continue
                candidate = with_value(best, name, value)
                s = total(items, candidate)
                if s > best_score + 1e-9:
                    best, best_score, changed = candidate, s, True
        log(f"  round score {best_score:.4f}")
        if not changed:
            break
    return best


def open_corpora(embedder: Any) -> dict[str, Corpus]:
    from index.build.builder import build_index
    from index.settings import IndexSettings
    from index.store.folder import load_index

    settings = IndexSettings()
    encoder = CachedEncoder(embedder)
    main = load_index(settings.index_dir, model=embedder.name)
    combined_dir = ROOT / "var" / "fit" / "combined"
    if not combined_dir.exists():  # the same build as tests/index/test_quality.py's combined corpus
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            for source in [*(ROOT / "corpus").glob("*.txt"), *(ROOT / "tests/data/other_districts").iterdir()]:
                shutil.copy(source, corpus / source.name)
            build_index(corpus, combined_dir, embedder, max_chars=360, min_chars=120, exact_search_max=20_000)
    combined = load_index(combined_dir, model=embedder.name)
    return {"main": Corpus(main, encoder), "combined": Corpus(combined, encoder)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="coordinate-descent rounds per fit")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (0: score the shipped constants only)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--peer-only", action="store_true", help="only the peer row")
    parser.add_argument("--score", type=Path, metavar="FILE",
                        help="fit nothing: score the shipped constants and the peer on one question file over corpus/")
    parser.add_argument("--gathered", action="store_true",
                        help="also fit the near-miss, broad-question and dictionary constants, in every fold too (slow)")
    args = parser.parse_args()

    from index.model.embed import load_embedder
    from index.settings import IndexSettings

    embedder = load_embedder(IndexSettings())
    corpora = open_corpora(embedder)
    if args.score:  # e.g. the untouched held-out set, once, at the end
        questions = read_questions(args.score)
        main_corpus = corpora["main"]
        for title, outcomes in (("shipped constants", [main_corpus.outcome(q, Calibration()) for q in questions]),
                                ("peer (dense cosine only)", [main_corpus.peer_outcome(q) for q in questions])):
            print(f"\n## {args.score.name}: {title}\n\n{format_table(score_by_kind(outcomes))}\n")
        return
    items: list[Item] = []
    seen: set[str] = set()
    for name in (*MAIN_SETS, *COMBINED_SETS):
        assert name != NEVER
        corpus = corpora["combined" if name in COMBINED_SETS else "main"]
        for q in read_questions(ROOT / "eval" / f"{name}.jsonl"):
            key = f"{corpus is corpora['combined']}:{q.text}"
            if key not in seen:  # questions.jsonl repeats the development set
                seen.add(key)
                items.append((name, corpus, q))
    report("peer (dense cosine only, same model and passages)", [(s, c.peer_outcome(q)) for s, c, q in items])
    if args.peer_only:
        return
    shipped = Calibration()
    print(f"{len(items)} questions from {', '.join((*MAIN_SETS, *COMBINED_SETS))}")
    report("shipped constants, in-sample", [(s, c.outcome(q, shipped)) for s, c, q in items])
    if args.folds <= 1:
        return
    rng = random.Random(args.seed)
    folds: list[list[Item]] = [[] for _ in range(args.folds)]
    for name in (*MAIN_SETS, *COMBINED_SETS):
        group = [it for it in items if it[0] == name]
        rng.shuffle(group)
        for i, it in enumerate(group):
            folds[i % args.folds].append(it)
    start = neutral_start()
    grid = {**GRID, **GATHERED_GRID} if args.gathered else GRID
    held: list[tuple[str, Outcome]] = []
    for i, fold in enumerate(folds):
        print(f"fold {i + 1}/{args.folds}: fitting on {len(items) - len(fold)} questions")
        train = [it for j, f in enumerate(folds) if j != i for it in f]
        fitted = fit(train, start, rounds=args.rounds, grid=grid)
        print("  " + describe(fitted, shipped))
        held.extend((s, c.outcome(q, fitted)) for s, c, q in fold)
    report("cross-validated (each question answered by constants fitted without it)", held)
    print("fitting on all questions")
    final = fit(items, start, rounds=args.rounds, grid=grid)
    report("constants fitted on all questions, in-sample", [(s, c.outcome(q, final)) for s, c, q in items])
    print("constants fitted on all questions (copy into index/search/calibration.py):")
    for name in (*GRID, *GATHERED_GRID):
        print(f"  {name} = {get(final, name):g}" + ("" if get(final, name) == get(shipped, name)
                                                    else f"   (shipped {get(shipped, name):g})"))


def describe(c: Calibration, base: Calibration) -> str:
    changes = [f"{n}={get(c, n):g}" for n in (*GRID, *GATHERED_GRID) if get(c, n) != get(base, n)]
    return "changed: " + (", ".join(changes) or "nothing")


def report(title: str, outcomes: Sequence[tuple[str, Outcome]]) -> None:
    print(f"\n## {title}\n")
    for name in (*MAIN_SETS, *COMBINED_SETS):
        mine = [o for s, o in outcomes if s == name]
        if mine:
            print(f"### {name}\n\n{format_table(score_by_kind(mine))}\n")
    print(f"### all sets pooled\n\n{format_table(score_by_kind([o for _, o in outcomes]))}\n", flush=True)


if __name__ == "__main__":
    main()


