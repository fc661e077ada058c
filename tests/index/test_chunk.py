"""Specs for cutting reports into passages: sentences, headings, offsets, sizes."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunk.cut import chunk_document, is_heading
from index.text.chinese import split_sentences
from index.records import Chunk, Document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def doc_of(text: str, *, title: str = "", subtitle: str = "") -> Document:
    return Document(doc_id="r", path="r.txt", title=title, subtitle=subtitle, text=text, places=("深圳市",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "經過精心篩選、評議,最終推出首批20個優秀典型案例。本次入選典型案例的20個“兩新”組織覆蓋全省。",
            ["經過精心篩選、評議,最終推出首批20個優秀典型案例。", "本次入選典型案例的20個“兩新”組織覆蓋全省。"],
            id="full-width-period-traditional",
        ),
        pytest.param(
            "“為基層治理提供了新思路、指出了新方向。”參加論壇的一位社區代表如是說。",
            ["“為基層治理提供了新思路、指出了新方向。”", "參加論壇的一位社區代表如是說。"],
            id="closing-quote-after-period",
        ),
        pytest.param(
            "辖区面积达1.08平方公里,有148栋楼、8000多户居民。GDP增长5.2%。",
            ["辖区面积达1.08平方公里,有148栋楼、8000多户居民。", "GDP增长5.2%。"],
            id="decimal-numbers-stay-whole",
        ),
        pytest.param(
            "想知道先进基层党组织治理现代化的是怎么样的吗?那就快来吧!以下是我共享的。",
            ["想知道先进基层党组织治理现代化的是怎么样的吗?", "那就快来吧!", "以下是我共享的。"],
            id="ascii-question-and-exclamation",
        ),
        pytest.param(
            "如何破解小區治理難題?如何加強和改進小區黨建工作?11月17日,研討會召開。",
            ["如何破解小區治理難題?", "如何加強和改進小區黨建工作?", "11月17日,研討會召開。"],
            id="ascii-question-before-digits",
        ),
        pytest.param(
            "提高精細化治理水平﹔何艷玲從城市治理的角度作了分享。",
            ["提高精細化治理水平﹔", "何艷玲從城市治理的角度作了分享。"],
            id="small-form-semicolon",
        ),
        pytest.param(
            "做到“五個全面”(全面落實“黨建入章”)。做好“六個融合”！",
            ["做到“五個全面”(全面落實“黨建入章”)。", "做好“六個融合”！"],
            id="full-width-exclamation",
        ),
        pytest.param(
            "他说：“这是我们的家！”大家都点头……然后散会。",
            ["他说：“这是我们的家！”", "大家都点头……然后散会。"],
            id="ellipsis-does-not-end-sentence",
        ),
        pytest.param(
            "推出典型案例 激發發展活力\n  近年來,各地積極引導“兩新”組織融入社區治理。 ",
            ["推出典型案例 激發發展活力", "近年來,各地積極引導“兩新”組織融入社區治理。"],
            id="line-break-ends-sentence-and-space-is-stripped",
        ),
        pytest.param("详见 www.example.com/a?id=3;b=4 页面。", ["详见 www.example.com/a?id=3;b=4 页面。"], id="url"),
        pytest.param("", [], id="empty"),
    ],
)
def test_split_sentences_ends_after_final_punctuation_and_closing_quotes(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_sentence_spans_hold_every_visible_character_once() -> None:
    text = (CORPUS / "000_6c6ef55fef508933.txt").read_text(encoding="utf-8")

    spans = split_sentences(text)

    gaps = [text[a:b] for a, b in zip([0] + [end for _, end in spans], [start for start, _ in spans] + [len(text)])]
    assert all(start < end for start, end in spans)
    assert all(not gap.strip() for gap in gaps)
    assert all(text[start:end] == text[start:end].strip() for start, end in spans)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("織密黨組織體系,讓小區黨支部“全覆蓋”", id="traditional-with-quotes"),
        pytest.param("推出典型案例\xa0激發發展活力", id="traditional-two-phrases"),
        pytest.param("双网融合、强基固本,有效提升组织力", id="simplified-with-commas"),
        pytest.param("超大型城市構建社會治理共同體的特殊性與必要性", id="traditional-long"),
        pytest.param("超大型城市構(gòu)建社會治理共同體的特殊性與必要性", id="pinyin-gloss-not-counted"),
        pytest.param("南山實踐的成效與啟示", id="short"),
    ],
)
def test_short_line_without_final_punctuation_is_heading(line: str) -> None:
    assert is_heading(line)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("一是先行示范的要求。中国特色社会主义先行示范区建设全面铺开。", id="lead-sentence"),
        pytest.param("一是先行示范的要求。", id="short-lead-sentence"),
        pytest.param("(責編:王子鋒、王珂園)", id="editor-note"),
        pytest.param("2022年01月25日14:57\xa0\xa0來源:四川黨的建設", id="byline"),
        pytest.param("研討會上,拱墅區給出了“答案”:", id="ends-with-colon"),
        pytest.param("一直以來,拱墅區以習近平新時代中國特色社會主義思想為指引,忠實踐行“八八戰略”,", id="ends-with-comma"),
        pytest.param("深入研究南山實踐調研組一致認為在黨的全面領導下構建社會治理共同體在大局上有利於", id="too-long"),
        pytest.param("  ", id="blank"),
        pytest.param("·", id="no-words"),
    ],
)
def test_sentences_notes_and_bylines_are_not_headings(line: str) -> None:
    assert not is_heading(line)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("杭州市拱墅區委常委、組織部部長 施甜甜", id="office-and-name"),
        pytest.param("四川省成都市金牛區撫琴街道黨工委書記 袁勇", id="party-secretary"),
        pytest.param("江蘇省昆山市陸家鎮鄒家角社區黨委書記、居委會主任 汪玉琴", id="two-offices"),
    ],
)
def test_photo_captions_are_not_headings(line: str) -> None:
    assert not is_heading(line, max_chars=60)


def test_heading_sets_section_of_following_passages_and_is_not_a_passage() -> None:
    text = (
        "推出典型案例 激發發展活力\n\n"
        "近年來,在深入推進基層治理體系和治理能力現代化建設過程中,各地積極引導“兩新”組織主動承擔社會責任,融入社區治理。\n\n"
        "分享實踐經驗 凝聚思想共識\n\n"
        "本屆論壇邀請了省內外“兩新”組織黨組織負責人、示范社區相關負責人,通過“線上+線下”的形式進行經驗交流。"
    )

    chunks = chunk_document(doc_of(text), max_chars=360, min_chars=20)

    assert [(c.section, c.text[:5]) for c in chunks] == [
        ("推出典型案例 激發發展活力", "近年來,在"),
        ("分享實踐經驗 凝聚思想共識", "本屆論壇邀"),
    ]


def test_title_and_subtitle_lines_at_top_are_not_passages() -> None:
    text = (
        "中國共產黨新聞網>>黨建\n"
        "發揮“兩新”組織優勢\xa0提升基層治理效能\n"
        "——第三屆四川天府新區公園城市“兩新”黨建論壇在成都舉行\n"
        "專家學者和“兩新”組織代表齊聚論壇,通過實地調研和現場研討,探究“兩新”組織如何發揮專業優勢和資源優勢。"
    )
    doc = doc_of(
        text,
        title="發揮“兩新”組織優勢 提升基層治理效能",
        subtitle="第三屆四川天府新區公園城市“兩新”黨建論壇在成都舉行",
    )

    chunks = chunk_document(doc, max_chars=360, min_chars=20)

    assert [(c.section, c.text[:4]) for c in chunks] == [("", "專家學者")]


def test_dash_led_subtitle_above_the_body_is_not_a_section() -> None:
    text = "——深圳市南山區的創新實踐與經驗啟示\n深圳市南山區把黨組織建在矛盾、問題突出的第一線。"

    chunks = chunk_document(doc_of(text), max_chars=360, min_chars=10)

    assert [(c.section, c.text[:6]) for c in chunks] == [("", "深圳市南山區")]


def test_chunk_is_exact_slice_with_id_position_and_places() -> None:
    text = "  南山實踐的成效與啟示\n  深圳市南山區把黨的全面領導落實到城市基層最末梢,有效凝聚各類主體的骨干力量。  \n"

    chunks = chunk_document(doc_of(text), max_chars=360, min_chars=10)

    start = text.index("深圳")
    end = text.index("。") + 1
    assert chunks == [
        Chunk(
            chunk_id="r:0",
            doc_id="r",
            position=0,
            section="南山實踐的成效與啟示",
            text=text[start:end],
            start=start,
            end=end,
            places=("深圳市",),
        )
    ]


LONG_PARAGRAPH = (
    "強化社會功能,使城市更有秩序。兩新組織具備數量多、覆蓋廣、專業強等優勢,是推動社會治理的重要力量。"
    "南山區積極引導兩新組織參與社區治理,在疫情防控、矛盾調解、志願服務等方面發揮了重要作用。"
    "各類兩新組織黨組織主動對接社區黨委,認領服務項目,開展公益活動。"
    "其中比較典型的是分布於南山區432個快遞網點的快遞小哥,他們被聘為網格管理助手。"
    "快遞小哥熟悉街巷、走街串戶,成為社會治理的“神經末梢”。"
    "南山區還推動律師事務所、會計師事務所等專業機構黨組織進社區,為居民提供法律、財務等專業服務。"
    "這些做法讓兩新組織從社會治理的“旁觀者”變成了“參與者”,實現了城市發展活力與治理秩序有機統一。"
)


def test_long_paragraph_is_split_only_at_sentence_ends_into_balanced_pieces() -> None:
    chunks = chunk_document(doc_of(LONG_PARAGRAPH), max_chars=200, min_chars=20)

    ends = {end for _, end in split_sentences(LONG_PARAGRAPH)}
    assert len(LONG_PARAGRAPH) > 200
    assert len(chunks) == 2
    assert "".join(c.text for c in chunks) == LONG_PARAGRAPH
    assert all(c.end in ends for c in chunks)
    assert min(len(c.text) for c in chunks) > 0.7 * max(len(c.text) for c in chunks)


def test_single_sentence_longer_than_limit_is_cut_at_a_comma() -> None:
    sentence = "一直以來,拱墅區以習近平新時代中國特色社會主義思想為指引,忠實踐行“八八戰略”,作為杭州市先行先試區,自2017年以來,連續6年深化迭代黨建引領三方協同小區治理。"

    chunks = chunk_document(doc_of(sentence), max_chars=50, min_chars=10)

    assert "".join(c.text for c in chunks) == sentence
    assert all(len(c.text) <= 50 for c in chunks)
    assert all(c.text[-1] in ",。" for c in chunks)


def test_short_paragraphs_join_a_neighbour_in_the_same_section() -> None:
    text = (
        "實踐證明,拱墅區的實踐強化了小區黨組織的引領作用,激活了業委會自我管理能力。研討會上,拱墅區給出了“答案”:\n"
        "必須把黨建引領落在具體事情上。\n"
        "真正把小區治理做實做細,才能辦實身邊事、贏得眾人心。“求木之長者,必固其根本。”黨的基層組織是小區治理的主心骨。\n"
        "(作者系中共南京市栖霞区委常委)"
    )

    chunks = chunk_document(doc_of(text), max_chars=100, min_chars=30)

    assert [c.text.split("\n")[-1] for c in chunks] == ["必須把黨建引領落在具體事情上。", "(作者系中共南京市栖霞区委常委)"]
    assert [c.text.count("\n") for c in chunks] == [1, 1]


def test_short_paragraph_alone_in_its_section_stays_a_passage() -> None:
    text = "南山實踐的成效與啟示\n調研組一致認為這是好經驗。\n結語\n深圳市南山區把黨的全面領導落實到城市基層最末梢。"

    chunks = chunk_document(doc_of(text), max_chars=360, min_chars=60)

    assert [(c.section, c.text) for c in chunks] == [
        ("南山實踐的成效與啟示", "調研組一致認為這是好經驗。"),
        ("結語", "深圳市南山區把黨的全面領導落實到城市基層最末梢。"),
    ]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.stem)
def test_real_report_passages_are_exact_bounded_and_start_at_sentences(path: Path) -> None:
    doc = Document(doc_id=path.stem, path=path.name, title="", text=path.read_text(encoding="utf-8"))

    chunks = chunk_document(doc, max_chars=360, min_chars=60)

    starts = {start for start, _ in split_sentences(doc.text)}
    assert chunks
    assert [c.chunk_id for c in chunks] == [f"{path.stem}:{i}" for i in range(len(chunks))]
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text == chunk.text.strip()
        assert len(chunk.text) <= 360
        assert not is_heading(chunk.text)
        assert chunk.start in starts or _inside_overlong_sentence(doc.text, chunk.start)


def _inside_overlong_sentence(text: str, offset: int) -> bool:
    return any(start < offset < end and end - start > 360 for start, end in split_sentences(text))


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("红色物业：推行“物业服务＋”", id="full-width-colon"),
        pytest.param("新就業群體:山城小哥有了“加油站”", id="traditional-colon"),
    ],
)
def test_a_label_and_colon_heading_is_still_a_heading(line: str) -> None:
    assert is_heading(line)


def test_photo_captions_of_002_never_head_a_section() -> None:
    from index.build.builder import prepare_documents

    documents, _ = prepare_documents(CORPUS)
    [report] = [d for d in documents if d.doc_id.startswith("002_")]

    sections = {chunk.section for chunk in chunk_document(report)}

    assert not any(name in section for section in sections for name in ("施甜甜", "謝笑英", "袁勇", "張軍萍", "汪玉琴"))


def test_a_build_folds_each_passage_once_for_its_places_dedupe_and_keywords() -> None:
    from index.build.builder import chunk_corpus, prepare_documents
    from index.chunk.cut import folded_index_text, index_text
    from index.places.finder import passage_places
    from index.text.clean import fold

    documents, _ = prepare_documents(CORPUS)
    places = {d.doc_id: d.places for d in documents}

    chunks, folded = chunk_corpus(documents, max_chars=360, min_chars=120)

    assert any(c.section for c in chunks)
    assert [folded[c.chunk_id] for c in chunks] == [fold(c.text) for c in chunks]
    assert [folded_index_text(c, folded[c.chunk_id]) for c in chunks] == [fold(index_text(c)) for c in chunks]
    assert [c.places for c in chunks] == [passage_places(c, places[c.doc_id]) for c in chunks]
