"""What an answer must say before its passages when they are not quite what was asked: codes with fields, and their words.

A place no report covers, a year no passage mentions, a topic the named place's reports never
treat: the reader is told first, so nobody quotes one district's figures as another's. The
front ends (bot/replies/layout.py, `index ask`) show them in the reader's language; `index ask --json`
carries each as its code and fields beside its words.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.places.gazetteer import romanise
from index.places.finder import place_aliases
from index.records import Notice, Understanding
from index.search.abstain import NOTHING_IN_SCOPE


def english_name(place: str) -> str:
    """A Chinese place name with its pinyin for English readers: 福田区 -> "Futian (福田区)"."""
    if place.isascii():
        return place
    head = place_aliases(place)[-1]
    return f"{romanise(head).capitalize()} ({place})"


def _names(places: Sequence[str], english: bool) -> str:
    if english:
        return ", ".join(english_name(p) for p in places)
    return "、".join(places)


def _years(years: Sequence[int], english: bool) -> str:
    if len(years) > 2 and list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}" if english else f"{years[0]}—{years[-1]}年"
    return ", ".join(map(str, years)) if english else "、".join(f"{y}年" for y in years)


def notices(understood: Understanding) -> list[Notice]:
    """What to say above the passages (or instead of them), most important first, as codes with fields."""
    found: list[Notice] = []
    if understood.abstention == NOTHING_IN_SCOPE:
        found.append(Notice("nothing_in_scope", places=understood.places))
    if understood.places_not_covered:
        found.append(Notice("place_not_covered", places=understood.places_not_covered, scope=understood.places,
                            nearest=understood.nearest_places, region=understood.nearest_region,
                            refused=bool(understood.abstention)))
    if understood.topic_not_covered:
        # The place's own passages still lead, so the reader judges; "" stands for a topic no word names.
        found.append(Notice("topic_not_covered", places=understood.places,
                            topics=tuple(t for t in understood.topic_not_covered if t)))
    if understood.years_not_covered:
        found.append(Notice("years_not_covered", places=understood.places or understood.nearest_places,
                            years=understood.years_not_covered, refused=bool(understood.abstention)))
    return found


def notice_lines(understood: Understanding, *, language: str | None = None) -> list[str]:
    """The notices in words: the reader's language ("en" or "zh") where a front end knows it, else the question's."""
    english = language == "en" if language else understood.english
    return [notice_text(notice, english=english) for notice in notices(understood)]


def notice_text(notice: Notice, *, english: bool) -> str:
    """One notice in English or Chinese."""
    en = english
    if notice.code == "nothing_in_scope":
        where = _names(notice.places, en)
        return f"No passage is about {where or 'that place'}." if en else f"报告中没有关于{where or '这个地方'}的段落。"
    if notice.code == "place_not_covered":
        names = _names(notice.places, en)
        if notice.nearest:
            near = _names(notice.nearest, en)
            region = _names([notice.region], en) if notice.region else ""
            return (f"No report covers {names}. The passages below are from {near}"
                    + (f", also in {region}" if region else "") + f": they describe {near}, not {names}."
                    if en else
                    f"报告中没有关于{names}的内容。以下段落来自{('同在' + region + '的') if region else ''}{near}，"
                    f"说的是{near}的做法，不是{names}的。")
        if notice.scope:
            here = _names(notice.scope, en)
            return (f"No report covers {names}; the passages below concern {here} only." if en
                    else f"报告中没有关于{names}的内容；以下段落只涉及{here}。")
        if notice.refused:
            return (f"No report covers {names}, nor any place in the same city or province." if en
                    else f"报告中没有关于{names}的内容，同一城市或省份也没有报告涉及的地方。")
        # Nothing near it, but the topic is treated elsewhere: shown as what other places did, so said.
        return (f"No report covers {names}, nor any place in the same city or province. The passages below "
                f"are other places' on the same topic: they describe those places, not {names}." if en
                else f"报告中没有关于{names}的内容，同一城市或省份也没有报告涉及的地方。以下是其他地方谈到同一话题的段落，"
                f"说的是那些地方的做法，不是{names}的。")
    if notice.code == "topic_not_covered":
        topic = "、".join(f"“{t}”" for t in notice.topics) or ("this topic" if en else "这个话题")
        where = _names(notice.places, en)
        return (f"The reports on {where} do not seem to treat {topic}; the nearest passages follow, "
                f"{where}'s own first." if en
                else f"关于{where}的报告似乎没有谈到{topic}；以下是最接近的段落，{where}的在前。")
    if notice.code == "years_not_covered":
        years = _years(notice.years, en)
        where = _names(notice.places, en)
        if notice.refused:
            return (f"No report {'on ' + where + ' ' if where else ''}mentions {years}." if en
                    else f"{'关于' + where + '的' if where else ''}报告没有提到{years}。")
        return (f"No report {'on ' + where + ' ' if where else ''}mentions {years}; "
                "the passages below do not say which year they describe, or describe other years." if en else
                f"{'关于' + where + '的' if where else ''}报告没有提到{years}；以下段落未注明年份或属于其他年份。")
    raise ValueError(f"no words for notice {notice.code!r}")
