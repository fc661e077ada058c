"""find_places and place_aliases: gazetteer names plus anchored street and community names."""

from __future__ import annotations

import pytest

from index.places.finder import find_places, main_places, passage_places, place_aliases
from index.records import Chunk, Document


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("深圳市南山區蛇口街道", ("深圳市", "南山区", "蛇口街道"), id="chain-traditional"),
        pytest.param("在拱墅区推进小区治理", ("拱墅区",), id="stop-prefix-trimmed"),
        pytest.param("全区小区、该区和城区都在推进", (), id="generic-words-are-not-places"),
        pytest.param("上海城市治理经验", (), id="no-place-across-word-boundary"),
        pytest.param("南山区域发展", (), id="district-word-is-not-district"),
        pytest.param("淄博市张店区马尚镇世纪花园社区。得益于世纪花园社区", ("淄博市", "张店区", "马尚镇", "世纪花园社区"),
                     id="community-anchored-then-counted"),
        pytest.param("南山区推动社区治理", ("南山区",), id="verb-before-community"),
        pytest.param("四川天府新區麓湖公園社區黨委", ("天府新区", "麓湖公园社区"), id="new-area-and-community"),
    ],
)
def test_find_places(text: str, expected: tuple[str, ...]) -> None:
    assert find_places(text) == expected


def test_most_mentioned_place_comes_first_with_its_parents() -> None:
    text = "南京市栖霞区结合实际。栖霞区委发起联盟。栖霞区推广经验。江苏省南京大学。"

    assert find_places(text)[:2] == ("南京市", "栖霞区")


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        pytest.param("南山区", ("南山区", "南山"), id="district"),
        pytest.param("南山區", ("南山区", "南山"), id="traditional-input"),
        pytest.param("四川省", ("四川省", "四川"), id="province"),
        pytest.param("世纪花园社区", ("世纪花园社区", "世纪花园"), id="community"),
        pytest.param("广西壮族自治区", ("广西壮族自治区", "广西", "广西壮族"), id="autonomous-region"),
        pytest.param("沛县", ("沛县",), id="one-character-head-has-no-short-form"),
    ],
)
def test_place_aliases(place: str, expected: tuple[str, ...]) -> None:
    assert place_aliases(place) == expected


def test_main_places_drop_places_named_only_in_passing() -> None:
    text = "天府新区论坛在成都举行。天府新区发布案例。天府新区聘任专家。来自杭州市的嘉宾发言。成都市领导出席,成都市指导。"
    doc = Document("d", "d.txt", "天府新区“两新”党建论坛", text, places=("天府新区", "成都市", "杭州市"))

    assert main_places(doc) == ("天府新区", "成都市")


def test_main_places_trust_a_sidecar_the_text_never_names() -> None:
    doc = Document("d", "d.txt", "社区议事", "居民议事会每月召开。", places=("拱墅区",))

    assert main_places(doc) == ("拱墅区",)


def test_passage_places_lead_with_the_passage_own_places_then_the_report() -> None:
    chunk = Chunk("d:0", "d", 0, "一、南山区", "南山区的快递骑手参与治理。", 0, 13)

    assert passage_places(chunk, ("深圳市", "拱墅区")) == ("南山区", "深圳市", "拱墅区")
