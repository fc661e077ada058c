"""Browsing the corpus needs no search: passages, neighbours, reports, places and practices by themselves."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from index.answer.browse import Browser
from index.errors import UnknownItemError
from index.places.gazetteer import PlaceGazetteer
from index.records import Chunk, Document, PlaceSummary
from index.store.folder import load_index
from index.store.passages import Records, combined_digest, place_digest
from tests.fakes import FakeEmbedder

DOC = Document(doc_id="d", path="d.txt", title="南山经验", text="", places=("深圳市", "南山区"))
CHUNKS = [Chunk(chunk_id=f"d:{i}", doc_id="d", position=i, section="", text=text, start=0, end=len(text),
                places=("深圳市", "南山区"))
          for i, text in enumerate(["社区推行“五邻营造”工作法。", "小区党支部推行“家园议事”。", "骑手成为“移动探头”。"])]


def test_browsing_works_without_a_searcher() -> None:
    browser = Browser([DOC], list(reversed(CHUNKS)))

    assert [c.chunk_id for c in browser.neighbours("d:1")] == ["d:0", "d:1", "d:2"]
    assert browser.places() == [("南山区", 1), ("深圳市", 1)]
    summary = browser.place_summary("南山")
    assert (summary.place, summary.report_count, [d.doc_id for d in summary.reports]) == ("南山区", 1, ["d"])
    assert summary.practices == ("五邻营造", "家园议事")  # a metaphor ("移动探头") is not a practice


def test_unknown_items_say_so() -> None:
    with pytest.raises(UnknownItemError):
        Browser([DOC], CHUNKS).chunk("x:1")


def test_places_within_are_national_children_or_anchored_by_address() -> None:
    from index.places.digest import places_within

    chunks = [
        Chunk("a:0", "a", 0, "", "汉阳区江堤街江欣苑社区党委书记介绍了做法。", 0, 20, ("江欣苑社区", "汉阳区", "武汉市")),
        Chunk("a:1", "a", 1, "", "来自重庆两江新区安公社区的代表也在汉阳区作了分享。", 21, 45, ("安公社区", "两江新区", "汉阳区")),
        Chunk("b:0", "b", 0, "", "武汉市汉阳区、江岸区都在推进。", 0, 15, ("武汉市", "汉阳区", "江岸区")),
    ]

    assert places_within(["汉阳区"], chunks) == ("江欣苑社区",)
    assert places_within(["武汉市"], chunks) == ("汉阳区", "江岸区")


def test_a_place_digest_lists_named_practices_with_the_first_passage_quoting_each() -> None:
    texts = ["依据《网格议事日》文件开展工作。", "居民每月参加“网格议事日”。会上商量停车。", "推出“十项举措”和“网格议事日”。",
             "设立“推动社会治理重心向基层下移工作机制”。"]
    chunks = [Chunk(chunk_id=f"d:{i}", doc_id="d", position=i, section="", text=text, start=0, end=len(text),
                    places=("南山区",)) for i, text in enumerate(texts)]

    digest = Browser([DOC], chunks).place_summary("南山").digest

    # A title in 《》 is not the practice; a counted figure and an over-long slogan are not listed.
    assert [(p.name, p.chunk_id, p.sentence) for p in digest] == [("网格议事日", "d:1", "居民每月参加“网格议事日”。")]


def test_stored_place_digests_are_the_summaries_read_from_the_passages(fake_index_dir: Path) -> None:
    records = load_index(fake_index_dir, model=FakeEmbedder.name).records
    browser = Browser(records)
    places = sorted(records.covered_places())

    stored = {p: browser.place_summary(p) for p in places}

    assert len(places) > 5
    for place in places:
        names = PlaceGazetteer(places).resolve(place)
        read = place_digest(records, names)  # the request-time reading the build's table replaces
        assert stored[place] == PlaceSummary("、".join(names), read.report_count, read.reports, read.practices,
                                             read.within, read.digest)
    assert any(s.digest for s in stored.values())


class CountingRows(Sequence[Chunk]):
    """A records' passages that count how many are read."""

    def __init__(self, rows: Sequence[Chunk]) -> None:
        self.rows, self.read = rows, 0

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, row):  # type: ignore[no-untyped-def, override]
        self.read += 1
        return self.rows[row]


def watch_passage_reads(records: Records) -> tuple[CountingRows, list[str]]:
    """Counts every passage read from records and notes every place or report whose rows are asked for."""
    counting = CountingRows(records.chunks)
    records.chunks = counting
    asked: list[str] = []
    rows_about, rows_of = records.rows_about, records.rows_of
    records.rows_about = lambda place: asked.append(place) or rows_about(place)  # type: ignore[method-assign]
    records.rows_of = lambda doc_id: asked.append(doc_id) or rows_of(doc_id)  # type: ignore[method-assign]
    return counting, asked


def test_a_place_summary_reads_no_passage_of_the_place(fake_index_dir: Path) -> None:
    records = load_index(fake_index_dir, model=FakeEmbedder.name).records
    browser = Browser(records)
    counting, asked = watch_passage_reads(records)

    summary = browser.place_summary("南山")

    assert summary.place == "南山区" and summary.reports
    assert (counting.read, asked) == (0, [])


def test_a_summary_of_several_places_combines_their_stored_digests_reading_no_passage(fake_index_dir: Path) -> None:
    records = load_index(fake_index_dir, model=FakeEmbedder.name).records
    names = ["南山区", "栖霞区"]  # as a region or an ambiguous name resolves
    read = place_digest(records, names)
    counting, asked = watch_passage_reads(records)

    combined = combined_digest(records, names)

    assert (counting.read, asked) == (0, [])
    assert combined == read and combined.report_count == 2 and combined.digest
