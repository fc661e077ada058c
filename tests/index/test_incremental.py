"""Specs for incremental builds: only new and changed files are read, and the result is what a full build gives."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from index.answer.engine import engine_from
from index.build.builder import BuildReport, build_index
from index.text.clean import fold
from index.keywords.keyword_index import tokenize_passages
from index.store.folder import check_index, current_version, load_index, read_records
from tests.conftest import NEVER_ABSTAIN
from tests.fakes import FakeEmbedder

DATA = Path(__file__).parents[1] / "data"
QUESTIONS = [
    "南山区怎么发动快递骑手参与治理", "栖霞区红色物业", "拱墅区停车难怎么解决", "社区议事会", "老旧小区改造",
    "How did Nanshan organise courier riders?", "党建引领基层治理", "网格员", "志愿服务", "2021年",
    "朝阳区", "福田区快递小哥", "成都武侯区", "物业服务", "居民议事", "宠物扰民", "骑手议事会",
]


def build(corpus: Path, index: Path, *, full: bool = False, vector_kind: str = "auto") -> BuildReport:
    return build_index(corpus, index, FakeEmbedder(), max_chars=360, min_chars=120, exact_search_max=1000,
                       vector_kind=vector_kind, full=full)


def corpus_of(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True)
    for name in names:
        source = DATA / "corpus" / name if (DATA / "corpus" / name).exists() else DATA / "other_districts" / name
        shutil.copy(source, folder / name)
    return folder


def snapshot(index: Path) -> dict[str, object]:
    """What a reader can tell apart: reports, passages, keyword rankings and answers (by passage id)."""
    stored = load_index(index, model=FakeEmbedder.name)
    chunks = list(stored.chunks)
    engine = engine_from(stored, FakeEmbedder(), top_k=5, calibration=NEVER_ABSTAIN)
    keyword = {}
    answers = {}
    for question in QUESTIONS:
        tokens = stored.keywords.tokens(fold(question))
        keyword[question] = sorted((chunks[row].chunk_id, round(score, 4))
                                   for row, score in stored.keywords.search(tokens, 10))
        answer = engine.answer(question)
        answers[question] = [(h.chunk.chunk_id, round(h.score, 5)) for h in answer.hits]
    return {
        "documents": list(stored.documents),
        "passages": sorted(chunks, key=lambda c: c.chunk_id),
        "words": stored.keywords.words,
        "keyword": keyword,
        "answers": answers,
        "dropped": stored.manifest.duplicates_dropped,
        "summary": (stored.records.covered_places(), stored.records.place_counts(), stored.records.topics()),
        "tables": tables(index),
    }


def tables(index: Path) -> dict[str, object]:
    """Every table of the version's SQLite file, passage rows named by passage id (rows are numbered differently)."""
    db = sqlite3.connect(current_version(index) / "passages.sqlite")
    try:
        ids = dict(db.execute("SELECT row, chunk_id FROM passages"))
        found: dict[str, object] = {
            "documents": db.execute("SELECT ord, doc_id, record FROM documents ORDER BY ord").fetchall(),
            "document_places": sorted(db.execute("SELECT * FROM document_places")),
            "summary": {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM summary")},
            "sources": db.execute("SELECT path, digest, doc_ids FROM sources ORDER BY ord").fetchall(),  # not when stat-ed
            "dropped": sorted(db.execute("SELECT doc_id, kept_as, record FROM dropped")),
            "place_digests": sorted(db.execute("SELECT place, digest FROM place_digests")),
        }
        for table in ("passages", "passage_places", "passage_years", "passage_names", "passage_state"):
            columns = [c[1] for c in db.execute(f"PRAGMA table_info({table})")]
            found[table] = sorted(tuple(ids[v] if c == "row" else v for c, v in zip(columns, values))
                                  for values in db.execute(f"SELECT * FROM {table}"))
        return found
    finally:
        db.close()


def test_adding_changing_and_deleting_reports_gives_what_a_full_build_gives(tmp_path: Path) -> None:
    corpus = corpus_of(tmp_path / "corpus", "gongshu.txt", "nanshan.txt", "qixia.txt", "beijing_chaoyang.txt",
                       "chengdu_wuhou.txt")
    index = tmp_path / "index"
    build(corpus, index)
    (corpus / "chengdu_wuhou.txt").unlink()
    shutil.copy(DATA / "other_districts" / "shenzhen_futian.txt", corpus / "shenzhen_futian.txt")
    shutil.copy(DATA / "other_districts" / "hangzhou_xihu.md", corpus / "hangzhou_xihu.md")
    # A new report quoting words an unchanged report's passage also holds (宠物扰民, which jieba cuts in
    # two): the term is kept whole from now on, so that indexed passage must be tokenised again.
    (corpus / "futian_more.txt").write_text(
        "福田区小区治理的新做法\n\n福田区把“宠物扰民”列入小区公约，由楼栋长上门劝导。\n", encoding="utf-8")
    nanshan = corpus / "nanshan.txt"
    nanshan.write_text(nanshan.read_text(encoding="utf-8") + "\n\n南山区还组织“骑手议事会”，每月听取2023年的新问题。\n",
                       encoding="utf-8")

    report = build(corpus, index)
    full = build(corpus, tmp_path / "full", full=True)

    assert (report.reports_reused, report.reports_new, report.reports_changed, report.reports_deleted) == (3, 3, 1, 1)
    assert not report.vectors_appended  # a deleted report's rows went: the vector index was built again
    assert report.passages == full.passages
    assert snapshot(index) == snapshot(tmp_path / "full")


@pytest.mark.parametrize("kind", ["exact", "hnsw", "hnsw_sq8"])
def test_adding_a_report_appends_its_rows_and_matches_a_full_build(tmp_path: Path, kind: str) -> None:
    corpus = corpus_of(tmp_path / "corpus", "gongshu.txt", "nanshan.txt", "qixia.txt")
    index = tmp_path / "index"
    first = build(corpus, index, vector_kind=kind)
    before = list(read_records(index).chunks)
    shutil.copy(DATA / "other_districts" / "shenzhen_futian.txt", corpus / "shenzhen_futian.txt")

    report = build(corpus, index, vector_kind=kind)
    build(corpus, tmp_path / "full", full=True, vector_kind=kind)

    assert (report.reports_reused, report.reports_new, report.reports_changed, report.reports_deleted) == (3, 1, 0, 0)
    assert report.vectors_appended and report.passages > first.passages and report.vector_index == kind
    after = list(read_records(index).chunks)
    assert after[:first.passages] == before  # the old rows stay where they were; the new ones follow
    assert {c.doc_id for c in after[first.passages:]} == {"shenzhen_futian"}
    assert snapshot(index) == snapshot(tmp_path / "full")


def test_an_unchanged_corpus_reuses_everything(tmp_path: Path) -> None:
    corpus = corpus_of(tmp_path / "corpus", "gongshu.txt", "nanshan.txt", "qixia.txt")
    index = tmp_path / "index"
    build(corpus, index)
    before = snapshot(index)

    report = build(corpus, index)

    assert (report.reports_reused, report.reports_new, report.reports_changed, report.reports_deleted) == (3, 0, 0, 0)
    assert report.vectors_reused == report.passages
    assert snapshot(index) == before


def test_a_full_build_reads_every_file_again(tmp_path: Path) -> None:
    corpus = corpus_of(tmp_path / "corpus", "gongshu.txt", "nanshan.txt")
    index = tmp_path / "index"
    build(corpus, index)

    report = build(corpus, index, full=True)

    assert report.reports_reused == 0 and report.vectors_reused == report.passages


def test_a_changed_sidecar_counts_as_a_changed_report(tmp_path: Path) -> None:
    corpus = corpus_of(tmp_path / "corpus", "gongshu.txt", "nanshan.txt")
    index = tmp_path / "index"
    build(corpus, index)
    (corpus / "nanshan.meta.toml").write_text('title = "南山区的骑手"\n', encoding="utf-8")

    report = build(corpus, index)

    assert (report.reports_reused, report.reports_changed) == (1, 1)
    assert read_records(index).document("nanshan") is not None
    assert read_records(index).document("nanshan").title == "南山区的骑手"  # type: ignore[union-attr]


def test_tokenising_over_several_processes_gives_the_same_tokens(
    fake_index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.keywords.keyword_index

    texts = [fold(c.text) for c in read_records(fake_index_dir).chunks] * 3
    words = ["南山区", "快递骑手", "红色物业"]
    single = tokenize_passages(texts, words, processes=1)
    monkeypatch.setattr(index.keywords.keyword_index, "PARALLEL_MIN_PASSAGES", 1)
    monkeypatch.setattr(index.keywords.keyword_index, "_BATCH", 7)

    assert tokenize_passages(texts, words, processes=2) == single


def test_large_files_are_checked_by_size_at_load_and_in_full_on_demand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.store.folder
    from index.errors import IndexDamagedError

    index_dir = tmp_path / "index"
    build(DATA / "corpus", index_dir)
    monkeypatch.setattr(index.store.folder, "HASH_AT_LOAD_BYTES", 0)
    path = current_version(index_dir) / "keywords" / "words.json"
    data = bytearray(path.read_bytes())
    data[1] ^= 0x01  # same size, different bytes: only a full check can tell
    path.write_bytes(bytes(data))

    check_index(index_dir)  # start-up: sizes only

    with pytest.raises(IndexDamagedError, match="words.json changed"):
        check_index(index_dir, full=True)


def test_near_duplicates_follow_their_keepers_as_a_full_build_does(tmp_path: Path) -> None:
    corpus = corpus_of(tmp_path / "corpus", "gongshu.txt", "nanshan.txt", "qixia.txt")
    index = tmp_path / "index"
    shutil.copy(corpus / "nanshan.txt", corpus / "nanshan_copy.txt")  # every passage a duplicate of nanshan's
    first = build(corpus, index)
    assert first.duplicates_dropped > 0
    (corpus / "nanshan.txt").unlink()  # the keepers go: the copy's passages are judged again, and kept
    shutil.copy(corpus / "gongshu.txt", corpus / "zz_gongshu_again.txt")  # a new report repeating an indexed one

    report = build(corpus, index)
    full = build(corpus, tmp_path / "full", full=True)

    assert (report.reports_reused, report.reports_new, report.reports_deleted) == (3, 1, 1)
    assert report.duplicates_dropped == full.duplicates_dropped > 0
    assert snapshot(index) == snapshot(tmp_path / "full")


def test_files_unchanged_since_they_settled_are_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import index.build.builder
    import index.ingest.corpus

    corpus = corpus_of(tmp_path / "corpus", "gongshu.txt", "nanshan.txt", "qixia.txt")
    index_dir = tmp_path / "index"
    hashed: list[str] = []

    def spy(path: Path, limits: object = None) -> str:
        hashed.append(path.name)
        return index.ingest.corpus.source_digest(path)

    monkeypatch.setattr(index.build.builder, "source_digest", spy)
    build(corpus, index_dir)
    assert sorted(hashed) == ["gongshu.txt", "nanshan.txt", "qixia.txt"]  # just written: too recent to trust
    monkeypatch.setattr(index.ingest.corpus, "SETTLED_NS", 0)  # as if they were written long ago
    build(corpus, index_dir)
    hashed.clear()
    shutil.copy(DATA / "other_districts" / "shenzhen_futian.txt", corpus / "shenzhen_futian.txt")

    report = build(corpus, index_dir)

    assert hashed == ["shenzhen_futian.txt"]
    assert (report.reports_reused, report.reports_new) == (3, 1)


def test_a_file_rewritten_with_its_size_and_time_kept_is_read_again(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import index.ingest.corpus

    monkeypatch.setattr(index.ingest.corpus, "SETTLED_NS", 0)
    corpus = corpus_of(tmp_path / "corpus", "gongshu.txt", "nanshan.txt")
    index_dir = tmp_path / "index"
    build(corpus, index_dir)
    first = read_records(index_dir).document("nanshan")
    nanshan = corpus / "nanshan.txt"
    before = nanshan.stat()
    text = nanshan.read_text(encoding="utf-8")
    changed = text.replace("的", "地", 1)  # same size in UTF-8
    assert changed != text
    nanshan.write_text(changed, encoding="utf-8")
    os.utime(nanshan, ns=(before.st_atime_ns, before.st_mtime_ns))  # modification time set back, as rsync -t does
    assert nanshan.stat().st_size == before.st_size and nanshan.stat().st_mtime_ns == before.st_mtime_ns

    report = build(corpus, index_dir)

    assert (report.reports_reused, report.reports_changed) == (1, 1)
    assert read_records(index_dir).document("nanshan") != first
