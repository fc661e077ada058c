"""Chinese keyword search for the retriever: jieba tokens of folded text ranked by BM25 (bm25s)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import multiprocessing
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

with warnings.catch_warnings():
    # jieba 0.42's source holds regular expressions with invalid string escapes: Python 3.12 and later print
    # a SyntaxWarning for each when they first compile it, on a reader's terminal, on first use of a new install.
    warnings.simplefilter("ignore", SyntaxWarning)
    import jieba
import numpy as np
import numpy.typing as npt

from index.keywords.bm25 import B, EMPTY, K1, TermCounts, count_terms, lucene_idf, score_matrix
from index.text.cache import cached_array
from index.text.chinese import HAN_WORD, quoted_phrases
from index.text.clean import fold
from index.text.glossary import GLOSSARY
from index.places.finder import place_aliases
from index.settings import HOME

if TYPE_CHECKING:
    import bm25s

logger = logging.getLogger(__name__)

# jieba logs its dictionary loading at DEBUG through its own stderr handler on every start;
# it is noise for people running the CLI or the bot, so it is quieted here, where jieba lives.
jieba.setLogLevel(logging.WARNING)

# Function words and question words: they carry no topic, and questions are full of them.
STOPWORDS = frozenset(
    """
    的 了 是 在 和 与 及 或 也 都 就 而 并 把 被 将 对 为 以 于 从 向 给 让 由 等 其 之 这 那 此 该
    有 没 没有 个 些 一个 一些 什么 怎么 怎样 怎么样 如何 哪些 哪个 哪里 哪 多少 几 几个 是否 吗 呢 吧 啊
    谁 何 为何 为什么 哪一年 哪年 主要 通过 进行 开展 方面 情况 做 做了 干 搞 请问 介绍 一下 有关 关于
    可以 能 能够 会 要 应 应该 我 我们 你 你们 他 他们 它 大家 自己 上 下 中 里 内 后 前 时 年 月 日
    一共 总共 共有 到底 究竟 具体 都有 哪几 哪几个 多大 多久 多长 多高 怎么办 咋办 咋 呀 么 啥 还有 以及
    the a an of in on at to for and or is are was were be been do does did how what which who whom why
    when where many much about with by from as that this these those it its their there has have had
    """.split()
)
_PROGRESS_EVERY = 500  # passages between progress reports: about a second of jieba on 2 cores
# Below this many passages one process tokenises: starting workers (each loads jieba's dictionary,
# about 1 s) costs more than it saves.
PARALLEL_MIN_PASSAGES = 5_000
# Below this many passages a build tokenises with jieba's table memory-mapped (make_tokenizer's
# mapped=True, as answering does): no set-up, but each lookup costs more. Measured on 420 passages on
# the 2-core EPYC: mapped 1.03 ms a passage and no set-up; jieba's own table 0.63 ms a passage after
# 0.51 s of set-up; even at about 1,275 passages. Adding one report to a 95k-passage index
# (benchmarks/incremental.py) took 0.5 s in the keyword stage against 0.9 before.
MAPPED_TOKENIZER_MAX_PASSAGES = 1_000
_BATCH = 1_000  # passages per task handed to a worker
# Summing a keyword search's postings: sorting P postings costs about as much as a pass over an array
# of all N passages when P is N / 8 (numpy on the 2-core EPYC; benchmarks/keyword_speed.py).
_SPARSE_SUM_SHARE = 8

_NO_TEXT = re.compile(r"^[\W_]+$")


def corpus_terms(places: Iterable[str], folded_passages: Iterable[str] = (), *, phrases: Iterable[str] = ()) -> set[str]:
    """Words jieba must keep whole, for the build: places and their short forms, quoted practice names, glossary terms.

    phrases: quoted phrases already found in passages (an incremental build keeps them per passage).
    """
    terms: set[str] = set(phrases)
    for place in set(places):
        terms.update(fold(alias) for alias in place_aliases(place))
    for text in folded_passages:
        terms.update(quoted_phrases(text))
    for chinese in GLOSSARY.values():
        terms.update(chinese)
    return {t for t in terms if 2 <= len(t) <= 12}


# jieba turns its 350,000-word dictionary into a prefix table (about 1 s) and caches the table in the
# system temp folder, which reboots and tmp cleaners empty; var/, beside the index, keeps it, so every
# build after the first loads it (about 0.5 s on 2 cores).
JIEBA_CACHE_DIR = HOME / "var" / "cache"
_FREQUENCY_TABLE = np.dtype([("key", "<u8"), ("count", "<i8")])


def _word_key(word: str) -> int:
    # 64-bit digests: among the 600,000 strings of jieba's table a collision is a one-in-50,000,000 chance.
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def _row_of(keys: npt.NDArray[np.uint64], word: str) -> int:
    """The row of a word in a table of sorted word digests, or -1 when it is not there."""
    key = _word_key(word)
    at = int(np.searchsorted(keys, np.uint64(key)))
    return at if at < len(keys) and int(keys[at]) == key else -1


def _package_file(path: Path) -> str:
    """What a cached table derived from a package's file is keyed by: the file, its size and time."""
    stat = path.stat()
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


_SEEN_MOST = 200_000  # remembered lookups, about 20 MB at most


class MappedFrequencies:
    """jieba's prefix table (word -> count, 0 for a prefix) as sorted word digests, memory-mapped.

    For answering: unpickling the table as a dict takes 0.4-0.6 s and 75 MB at every start, while a
    question looks up a few hundred strings in it (a millisecond at about 2 µs each). Words added after
    loading (corpus terms) live in a dict on top. It offers only what jieba's Tokenizer uses of its
    FREQ dict: `in`, `[]`, `get` and assignment. Building a large index keeps the plain dict, whose
    lookups are ten times faster.
    """

    def __init__(self, table: npt.NDArray[np.void]) -> None:
        # Row 0 holds jieba's total count (the sum over its dictionary's lines, duplicates included);
        # the rest are sorted by key.
        self.total = int(table["count"][0])
        self._keys = table["key"][1:]
        self._counts = table["count"][1:]
        self._added: dict[str, int] = {}
        self._seen: dict[str, int] = {}  # strings looked up before: questions repeat their words' prefixes

    def _find(self, word: str) -> int:
        at = self._seen.get(word)
        if at is None:
            at = _row_of(self._keys, word)
            if len(self._seen) >= _SEEN_MOST:  # a long-running bot meets new strings forever
                self._seen.clear()
            self._seen[word] = at
        return at

    def get(self, word: str, default: int | None = None) -> int | None:
        """The word's count, or default when jieba's table does not hold it."""
        if word in self._added:
            return self._added[word]
        at = self._find(word)
        return int(self._counts[at]) if at >= 0 else default

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self._added or self._find(word) >= 0)

    def __getitem__(self, word: str) -> int:
        count = self.get(word)
        if count is None:
            raise KeyError(word)
        return count

    def __setitem__(self, word: str, count: int) -> None:
        self._added[word] = count


def _frequency_table() -> npt.NDArray[np.void]:
    frequencies, total = jieba.Tokenizer().gen_pfdict(jieba.Tokenizer().get_dict_file())
    table = np.sort(np.array([(_word_key(w), c) for w, c in frequencies.items()], dtype=_FREQUENCY_TABLE), order="key")
    return np.concatenate([np.array([(0, total)], dtype=_FREQUENCY_TABLE), table])


@functools.cache
def _mapped_frequency_table(cache_dir: Path) -> npt.NDArray[np.void]:
    source = Path(jieba.__file__).parent / "dict.txt"
    # "total-first": row 0 holds the total (a layout change keys a new file)
    return cached_array("jieba-frequencies", f"total-first:{_package_file(source)}", _frequency_table,
                        folder=cache_dir)


def make_tokenizer(words: Iterable[str], cache_dir: Path = JIEBA_CACHE_DIR, *, mapped: bool = False) -> jieba.Tokenizer:
    """A jieba tokenizer that keeps the given corpus terms (places, named practices) whole.

    mapped=True (for answering) reads jieba's table memory-mapped (see MappedFrequencies); the words
    it splits a text into are the same.
    """
    tokenizer = jieba.Tokenizer()
    if mapped:
        frequencies = MappedFrequencies(_mapped_frequency_table(cache_dir))
        tokenizer.FREQ, tokenizer.total = frequencies, frequencies.total
        tokenizer.initialized = True
    else:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tokenizer.tmp_dir = str(cache_dir)
        except OSError:  # a read-only install: jieba falls back to the temp folder
            logger.info("jieba cache stays in the temp folder: %s is not writable", cache_dir)
        tokenizer.initialize()
    total = tokenizer.total
    for word in words:
        if len(word) >= 2:
            # A high frequency makes jieba prefer the whole term over its parts.
            tokenizer.add_word(word, freq=100_000)
    # add_word also raises the dictionary's total, which shifts every path's probability a little: with the
    # total kept, a text is cut the same way unless it holds an added word, so an incremental build need
    # re-tokenise only the passages holding terms that came or went (index/build/builder.py).
    tokenizer.total = total
    return tokenizer


def build_tokenizer(words: Iterable[str], passages: int) -> jieba.Tokenizer:
    """The tokenizer that tokenises this many passages soonest (see MAPPED_TOKENIZER_MAX_PASSAGES); the same tokens either way."""
    return make_tokenizer(words, mapped=passages < MAPPED_TOKENIZER_MAX_PASSAGES)


def keyword_tokens(folded: str, tokenizer: jieba.Tokenizer) -> list[str]:
    """Search tokens of already-folded text: jieba's fine and whole words, minus stopwords and punctuation."""
    tokens = []
    for token in tokenizer.lcut_for_search(folded):
        token = token.strip()
        if not token or token in STOPWORDS or _NO_TEXT.match(token):
            continue
        if len(token) == 1 and not token.isdigit() and token.isascii():
            continue
        # One string object per distinct word: a million passages hold ~100 million tokens of a few
        # hundred thousand words, and separate copies were most of a 1M build's memory (docs/scaling.md).
        tokens.append(sys.intern(token))
    return tokens


_worker_tokenizer: jieba.Tokenizer | None = None


def _start_worker(words: Sequence[str]) -> None:
    global _worker_tokenizer
    _worker_tokenizer = make_tokenizer(words)


def _tokenize_batch(texts: Sequence[str]) -> list[list[str]]:
    assert _worker_tokenizer is not None, "started by _start_worker"
    return [keyword_tokens(text, _worker_tokenizer) for text in texts]


def tokenize_passages(folded_passages: Sequence[str], words: Sequence[str], *,
                      progress: Callable[[int], None] | None = None, processes: int | None = None,
                      tokenizer: jieba.Tokenizer | None = None) -> list[list[str]]:
    """Keyword tokens of each folded passage, over several processes for a large build; the same tokens either way.

    Each worker makes the same tokenizer (the same dictionary and corpus terms), and results come back
    in passage order. processes: how many (default: every core, one below PARALLEL_MIN_PASSAGES);
    tokenizer: make_tokenizer(words) when the caller has made it already.
    """
    workers = processes or (os.cpu_count() or 1)
    if workers <= 1 or len(folded_passages) < PARALLEL_MIN_PASSAGES:
        tokenizer = tokenizer or make_tokenizer(words)
        tokens = []
        for done, text in enumerate(folded_passages, 1):
            tokens.append(keyword_tokens(text, tokenizer))
            if progress and done % _PROGRESS_EVERY == 0:
                progress(done)
        return tokens
    if tokenizer is None:
        make_tokenizer(words)  # writes jieba's cache once, before the workers read it
    batches = [folded_passages[i:i + _BATCH] for i in range(0, len(folded_passages), _BATCH)]
    tokens = []
    # spawn, not fork: the parent may run threads (the bot's reload, a progress display).
    with multiprocessing.get_context("spawn").Pool(workers, _start_worker, (list(words),)) as pool:
        for batch in pool.imap(_tokenize_batch, batches):
            tokens.extend([[sys.intern(token) for token in row] for row in batch])  # unpickled copies, as above
            if progress:
                progress(len(tokens))
    return tokens


def top_rows(matrix: Mapping[str, Any], ids: Sequence[int], k: int, allowed: npt.NDArray[np.bool_] | None, *,
             sparse_share: int | None = None) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """The k best rows by summed BM25 score over the postings of token ids (bm25s' CSC score matrix).

    Only the rows the tokens occur in are scored, and a row limit is applied to the postings. bm25s'
    own retrieve adds every posting into an array of all passages, multiplies a limit into that whole
    array and selects among all of them: a place-limited search at a million passages took 47 ms p50
    against 11 here (benchmarks/keyword_speed.py). Scores are summed as bm25s sums them (float32, in
    the order of ids), so they are bm25s' scores to the bit; equal scores rank by row. sparse_share
    replaces _SPARSE_SUM_SHARE, for benchmarks/keyword_speed.py, which measures it.
    """
    indptr, indices, data = matrix["indptr"], matrix["indices"], matrix["data"]
    passages = int(matrix["num_docs"])
    share = _SPARSE_SUM_SHARE if sparse_share is None else sparse_share
    columns = []
    for token in ids:
        start, end = int(indptr[token]), int(indptr[token + 1])
        posted, weights = np.asarray(indices[start:end]), np.asarray(data[start:end])
        if allowed is not None:
            keep = allowed[posted]
            posted, weights = posted[keep], weights[keep]
        columns.append((posted, weights))
    rows: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float32]
    if len(columns) == 1:
        rows, scores = columns[0][0].astype(np.int64), columns[0][1].astype(np.float32)
    elif sum(len(posted) for posted, _ in columns) * share < passages:  # few postings: sort them
        unique, at = np.unique(np.concatenate([posted for posted, _ in columns]), return_inverse=True)
        rows, scores = unique.astype(np.int64), np.zeros(len(unique), dtype=np.float32)
        np.add.at(scores, at, np.concatenate([weights for _, weights in columns]))
    else:  # common words: adding into an array of every passage beats sorting their postings
        dense = np.zeros(passages, dtype=np.float32)
        for posted, weights in columns:
            np.add.at(dense, posted, weights)
        rows = np.flatnonzero(dense)
        scores = dense[rows]
    return _best(rows, scores, k)


def _best(rows: npt.NDArray[np.int64], scores: npt.NDArray[np.float32],
          k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    if len(rows) > k:
        cut = np.partition(scores, len(scores) - k)[len(scores) - k]
        best = scores >= cut  # ties at the cut all stay, then the sort below decides by row
        rows, scores = rows[best], scores[best]
    order = np.lexsort((rows, -scores))[:k]
    return rows[order], scores[order]


# Aligned (16-byte rows): with 12-byte rows the 64-bit keys sat unaligned and every searchsorted
# copied the whole key column first, about 0.5 ms a lookup, a few hundred lookups an answer.
_IDF_TABLE = np.dtype([("key", "<u8"), ("idf", "<f4")], align=True)


def _read_general_idf(path: Path) -> npt.NDArray[np.void]:
    rows = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, _, value = line.partition(" ")
            if value:
                rows.append((_word_key(word), float(value)))
    table = np.array(rows, dtype=_IDF_TABLE)
    return np.sort(table, order="key")


@functools.cache
def _general_idf() -> npt.NDArray[np.void]:
    # jieba ships the inverse document frequencies of a large general Chinese corpus (jieba.analyse's
    # idf.txt, about 270,000 words). Parsing it takes about 0.3 s; kept as sorted word digests in
    # var/cache it is memory-mapped in a millisecond and holds 3 MB. (Read as a file: importing
    # jieba.analyse would open it again and never close it.)
    source = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    return cached_array("general-idf-aligned", _package_file(source), lambda: _read_general_idf(source))


def warm_up() -> None:
    """Writes the tables answering reads (jieba's memory-mapped table, general IDF) into var/cache now."""
    _mapped_frequency_table(JIEBA_CACHE_DIR)
    _general_idf()


def general_idf(word: str) -> float:
    """How specific a word is in Chinese at large (jieba's general IDF): 经验 5.7, 治理 6.7, 快递 10.0.

    A word the table lacks (a compound such as 红色物业 or 垃圾分类, a name) is taken as rare: the table
    lists every word common enough to be generic.
    """
    table = _general_idf()
    at = _row_of(table["key"], word)
    return float(table["idf"][at]) if at >= 0 else RARE_WORD_IDF


RARE_WORD_IDF = 12.0  # about the table's median: most of its words are rare


COUNTS_FILE = "counts.npy"  # term counts aligned with bm25s' score matrix, for the next build (index/keywords/bm25.py)


# bm25s' file names for the score matrix (CSC: one column of passages per term), which save() writes
# through bm25s and load() reads without it.
_MATRIX_FILES = {"data": "data.csc.index.npy", "indices": "indices.csc.index.npy", "indptr": "indptr.csc.index.npy"}


def _score_matrix(counts: TermCounts) -> tuple[dict[str, int], dict[str, Any]]:
    """The term ids and CSC score matrix of counts, as bm25s' own index() would build them."""
    vocabulary = {term: j for j, term in enumerate(counts.terms)}
    indptr = counts.indptr
    if EMPTY not in vocabulary:  # bm25s always lists the empty token, last
        vocabulary[EMPTY] = len(vocabulary)
        indptr = np.append(indptr, indptr[-1])
    return vocabulary, {"data": score_matrix(counts, K1, B), "indices": counts.rows, "indptr": indptr,
                        "num_docs": counts.passages}


def romanised_words(document_frequency: dict[str, int], romanise: Callable[[str], str],
                    known: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Toneless pinyin -> the corpus's Chinese words of two to four characters, most frequent first (ties by word).

    known: pinyin already worked out (by the version a build replaces), so only new words are romanised.
    """
    known = known or {}
    romanised: dict[str, list[str]] = {}
    for token in sorted(document_frequency, key=lambda t: (-document_frequency[t], t)):
        if 2 <= len(token) <= 4 and HAN_WORD.match(token):
            pinyin = known.get(token)
            romanised.setdefault(romanise(token) if pinyin is None else pinyin, []).append(token)
    return romanised


class KeywordIndex:
    """BM25 over passage tokens, with the corpus terms that made the tokenizer."""

    def __init__(self, vocabulary: dict[str, int], matrix: Mapping[str, Any], tokenizer: jieba.Tokenizer,
                 words: Sequence[str], document_frequency: dict[str, int], passages: int,
                 romanised: dict[str, list[str]] | None = None, counts: TermCounts | None = None,
                 english: dict[str, list[str]] | None = None) -> None:
        self._vocabulary = vocabulary  # term -> column of the score matrix
        self._matrix = matrix  # bm25s' CSC score matrix: data, indices, indptr, num_docs
        self.tokenizer = tokenizer
        self.words = list(words)
        self._df = document_frequency
        self._passages = passages
        self.romanised = romanised or {}  # toneless pinyin -> corpus words, for names in English questions
        self.english = english or {}  # English word stem -> corpus words CC-CEDICT glosses with it (text/dictionary.py)
        self.counts = counts  # what the scores were computed from: saved for the next build (None when loaded)

    @classmethod
    def build(cls, folded_passages: Sequence[str], words: Iterable[str],
              romanise: Callable[[str], str] | None = None,
              progress: Callable[[int], None] | None = None, processes: int | None = None) -> KeywordIndex:
        """Index folded passage texts; words are corpus terms jieba must keep whole.

        With romanise given, every Chinese word of two to four characters is also listed under its
        pinyin, so an English question naming "Xie Ju" or "Chongqing" can find 谢菊 and 重庆.
        progress(done) hears how many passages are tokenised, the slow part on a large corpus.
        """
        words = sorted(set(words))
        tokenizer = build_tokenizer(words, len(folded_passages))
        corpus = tokenize_passages(folded_passages, words, progress=progress, processes=processes, tokenizer=tokenizer)
        return cls.from_tokens(corpus, words, romanise, tokenizer=tokenizer)

    @classmethod
    def from_tokens(cls, corpus: Sequence[Sequence[str]], words: Iterable[str],
                    romanise: Callable[[str], str] | None = None,
                    tokenizer: jieba.Tokenizer | None = None,
                    translate: Callable[[dict[str, int]], dict[str, list[str]]] | None = None) -> KeywordIndex:
        """Index passages already tokenised (tokenize_passages) with these corpus terms: BM25 statistics are exact."""
        return cls.from_counts(count_terms(corpus), words, romanise, tokenizer=tokenizer, translate=translate)

    @classmethod
    def from_counts(cls, counts: TermCounts, words: Iterable[str], romanise: Callable[[str], str] | None = None,
                    tokenizer: jieba.Tokenizer | None = None, known_pinyin: dict[str, str] | None = None,
                    translate: Callable[[dict[str, int]], dict[str, list[str]]] | None = None) -> KeywordIndex:
        """Index passages by their term counts (index/keywords/bm25.py); known_pinyin as romanised_words takes it.

        translate: document frequencies -> English word stem -> corpus words (text/dictionary.py's corpus_senses).
        """
        words = sorted(set(words))
        tokenizer = tokenizer or make_tokenizer(words)
        df = dict(zip(counts.terms, counts.document_frequencies().tolist()))
        romanised = romanised_words(df, romanise, known_pinyin) if romanise is not None else {}
        english = translate(df) if translate is not None else {}
        return cls(*_score_matrix(counts), tokenizer, words, df, counts.passages, romanised, counts, english)

    @property
    def passages(self) -> int:
        """How many passages are indexed."""
        return self._passages

    def tokens(self, folded: str) -> list[str]:
        """The tokens this index would match for a folded text."""
        return keyword_tokens(folded, self.tokenizer)

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token; 0 for tokens in no passage."""
        return lucene_idf(self._df.get(token, 0), self._passages)

    def general_idf(self, token: str) -> float:
        """How specific a token is in Chinese at large, whatever this corpus says (see general_idf)."""
        return general_idf(token)

    def max_idf(self) -> float:
        """The weight of a token found in a single passage: the rarest possible."""
        return lucene_idf(1, self._passages) if self._passages else 0.0

    def search(self, tokens: Sequence[str], k: int,
               allowed: npt.NDArray[np.bool_] | None = None) -> list[tuple[int, float]]:
        """Top-k (row, BM25 score) for query tokens, optionally only among allowed rows; ties by row."""
        vocabulary = self._vocabulary
        ids = [vocabulary[t] for t in tokens if t in self._df and t in vocabulary]
        if not ids or self._passages == 0:
            return []
        rows, scores = top_rows(self._matrix, ids, min(k, self._passages), allowed)
        return [(int(r), float(s)) for r, s in zip(rows, scores) if s > 0]

    @staticmethod
    def read_words(folder: Path) -> list[str]:
        """The corpus terms of an index written by save(), without loading it (for rebuilds)."""
        words: list[str] = json.loads((folder / "words.json").read_text(encoding="utf-8"))
        return words

    @staticmethod
    def read_counts(folder: Path) -> TermCounts:
        """The term counts of an index written by save() from counts, memory-mapped (for incremental builds)."""
        vocabulary: dict[str, int] = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        terms = sorted(vocabulary, key=vocabulary.__getitem__)
        indptr = np.load(folder / _MATRIX_FILES["indptr"], mmap_mode="r")
        rows = np.load(folder / _MATRIX_FILES["indices"], mmap_mode="r")
        counts = np.load(folder / COUNTS_FILE, mmap_mode="r")
        passages = int(json.loads((folder / "params.index.json").read_text(encoding="utf-8"))["num_docs"])
        if len(indptr) != len(terms) + 1 or len(rows) != len(counts) or int(indptr[-1]) != len(rows):
            raise ValueError(f"{folder}: term counts do not match the score matrix")
        if terms and terms[-1] == EMPTY and indptr[-1] == indptr[-2]:  # the empty column bm25s lists
            terms, indptr = terms[:-1], indptr[:-1]
        return TermCounts(terms, np.asarray(indptr, dtype=np.int64), rows, counts, passages)

    @staticmethod
    def read_pinyin(folder: Path) -> dict[str, str]:
        """Word -> pinyin of the words an index written by save() lists under their pinyin (for rebuilds)."""
        stats = json.loads((folder / "df.json").read_text(encoding="utf-8"))
        return {word: pinyin for pinyin, words in stats.get("romanised", {}).items() for word in words}

    def save(self, folder: Path) -> None:
        """Write the BM25 matrices, the corpus terms and document frequencies (and term counts) into folder."""
        folder.mkdir(parents=True, exist_ok=True)
        self.as_bm25s().save(str(folder), show_progress=False)
        if self.counts is not None:
            np.save(folder / COUNTS_FILE, self.counts.counts)
        (folder / "words.json").write_text(json.dumps(self.words, ensure_ascii=False), encoding="utf-8")
        stats = {"passages": self._passages, "df": self._df, "romanised": self.romanised, "english": self.english}
        (folder / "df.json").write_text(json.dumps(stats, ensure_ascii=False), encoding="utf-8")

    def as_bm25s(self) -> bm25s.BM25:
        """bm25s' own retriever over this index's score matrix: what save() writes with, and what checks compare to."""
        import bm25s  # only builds and checks: answering reads the matrix without bm25s (and its scipy), 0.1 s sooner

        retriever = bm25s.BM25(k1=K1, b=B)
        # The attributes bm25s' index() sets (bm25s 0.2-0.3); tests/index/test_bm25.py checks a saved and
        # loaded retriever against one bm25s built itself.
        retriever.scores = dict(self._matrix)
        retriever.vocab_dict = self._vocabulary
        retriever.unique_token_ids_set = set(self._vocabulary.values())
        retriever.nonoccurrence_array = None
        return retriever

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """Read an index written by save(), its score matrix memory-mapped."""
        vocabulary = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        matrix: dict[str, Any] = {name: np.load(folder / file, mmap_mode="r") for name, file in _MATRIX_FILES.items()}
        matrix["num_docs"] = int(params["num_docs"])
        words = json.loads((folder / "words.json").read_text(encoding="utf-8"))
        stats = json.loads((folder / "df.json").read_text(encoding="utf-8"))
        return cls(vocabulary, matrix, make_tokenizer(words, mapped=True), words, stats["df"], stats["passages"],
                   stats.get("romanised", {}), english=stats.get("english", {}))
