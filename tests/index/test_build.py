"""Building an index: every readable file indexed, the others named, the old index safe until the end."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from docx import Document as DocxDocument

from index.build.builder import STAGES, StageProgress, build_index
from index.errors import IndexMismatchError, IndexMissingError
from index.store.folder import load_index, read_chunks, read_documents, read_manifest
from tests.fakes import FakeEmbedder

DATA = Path(__file__).parents[1] / "data"
NANSHAN = "南山區成立“先鋒學院”，推動黨員骨幹參與社區治理。分布于南山區432個快遞網點的2萬多名快遞騎手成為網格管理助手。"
QIXIA = "栖霞区建好“红色物业”抓服务强保障。全区建立物业行业党委领导下的“物业企业+居委会+业委会”党建联建机制。"


def mixed_corpus(folder: Path) -> Path:
    """A corpus folder with one file of each kind a user may drop in, good and bad."""
    folder.mkdir()
    (folder / "big5.txt").write_bytes(("南山區黨建報告\n" + NANSHAN).encode("big5"))
    (folder / "gb.txt").write_bytes(("栖霞区党建报告\n" + QIXIA).encode("gb18030"))
    (folder / "page.html").write_text(
        "<html><head><title>拱墅区小区治理</title></head><body><nav>首页 | 新闻 | 联系我们</nav>"
        "<article><h1>拱墅区小区治理</h1><p>拱墅区推行“一小区一专员”制度，由街道干部担任小区专员，"
        "协调解决停车难、宠物扰民等居民身边的烦心事。</p></article>"
        "<footer>版权所有 浙ICP备12345678号</footer><script>var x = 1;</script></body></html>",
        encoding="utf-8",
    )
    report = DocxDocument()
    report.add_paragraph("汉阳区指标体系")
    report.add_paragraph("汉阳区党建引领城市基层社区治理现代化指标体系分为建强组织体系、完善治理机制等方面。")
    report.save(str(folder / "hanyang.docx"))
    shutil.copy(DATA / "formats" / "chinese_text_layer.pdf", folder / "report.pdf")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blob.txt").write_bytes(bytes(range(256)) * 8)
    return folder




def test_mixed_corpus_indexes_every_readable_file_and_names_the_others(tmp_path: Path) -> None:
    corpus = mixed_corpus(tmp_path / "corpus")

    report = build_index(corpus, tmp_path / "index", FakeEmbedder(), max_chars=360, min_chars=120,
                         exact_search_max=1000)

    files = {d.path for d in read_documents(tmp_path / "index")}
    assert files == {"big5.txt", "gb.txt", "page.html", "hanyang.docx", "report.pdf"}
    assert {(s.path, s.reason) for s in report.skipped} == {
        ("empty.txt", "empty file"), ("blob.txt", "binary file, not text")}
    texts = " ".join(c.text for c in read_chunks(tmp_path / "index"))
    assert "快遞騎手" in texts and "红色物业" in texts and "一小区一专员" in texts
    assert "ICP" not in texts and "var x" not in texts and "联系我们" not in texts


def test_skipped_files_are_recorded_in_the_manifest(tmp_path: Path) -> None:
    corpus = mixed_corpus(tmp_path / "corpus")

    build_index(corpus, tmp_path / "index", FakeEmbedder(), max_chars=360, min_chars=120, exact_search_max=1000)

    assert {"path": "empty.txt", "reason": "empty file"} in read_manifest(tmp_path / "index").skipped


class BrokenEmbedder(FakeEmbedder):
    """Fails part-way through embedding, like a build killed or out of memory."""

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        raise RuntimeError("embedding failed")


def test_failed_build_leaves_the_old_index_serving(tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index(DATA / "corpus", index, FakeEmbedder(), max_chars=360, min_chars=120, exact_search_max=1000)
    before = list(read_chunks(index))

    with pytest.raises(RuntimeError):
        build_index(mixed_corpus(tmp_path / "more"), index, BrokenEmbedder(), max_chars=360, min_chars=120,
                    exact_search_max=1000)

    assert list(read_chunks(index)) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_rebuild_reuses_vectors_of_unchanged_passages(tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index(DATA / "corpus", index, FakeEmbedder(), max_chars=360, min_chars=120, exact_search_max=1000)

    again = build_index(DATA / "corpus", index, FakeEmbedder(), max_chars=360, min_chars=120,
                        exact_search_max=1000)

    assert again.vectors_reused == again.passages > 0


def test_index_built_with_another_model_is_refused(fake_index_dir: Path) -> None:
    with pytest.raises(IndexMismatchError, match="fake-bigram-64"):
        load_index(fake_index_dir, model="multilingual-e5-small-q4")


def test_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="reports-qa build"):
        load_index(tmp_path / "nowhere")


def test_every_stage_reports_its_start_and_its_end_in_order(tmp_path: Path) -> None:
    events: list[StageProgress] = []

    report = build_index(DATA / "corpus", tmp_path / "index", FakeEmbedder(), max_chars=360, min_chars=120,
                         exact_search_max=1000, progress=events.append)

    assert [e.stage for e in events if e.done == 0 and not e.finished] == [name for name, _ in STAGES]
    ends = {e.stage: e for e in events if e.finished}
    assert list(ends) == [name for name, _ in STAGES]
    assert ends["read"].done == 3 and ends["chunk"].done == report.documents
    assert ends["embed"].done == ends["embed"].total == report.passages
    assert all(e.done <= e.total or e.total == 0 for e in events)


def test_rebuild_reports_embedding_only_what_changed(tmp_path: Path) -> None:
    build_index(DATA / "corpus", tmp_path / "index", FakeEmbedder(), max_chars=360, min_chars=120,
                exact_search_max=1000)
    events: list[StageProgress] = []

    build_index(DATA / "corpus", tmp_path / "index", FakeEmbedder(), max_chars=360, min_chars=120,
                exact_search_max=1000, progress=events.append)

    assert [(e.done, e.total) for e in events if e.stage == "embed" and e.finished] == [(0, 0)]


def test_every_passage_of_the_real_corpus_knows_its_report(built_index_dir: Path) -> None:
    titles = {d.doc_id: d.title for d in read_documents(built_index_dir)}

    chunks = read_chunks(built_index_dir)

    assert chunks and all(titles[c.doc_id] for c in chunks)
