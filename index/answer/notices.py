"""What an answer must say before its passages when they are not quite what was asked, in the asker's language.

A place no report covers, a year no passage mentions, a topic the named place's reports never
treat: the reader is told first, so nobody quotes one district's figures as another's. The
front ends (bot/replies/layout.py, `index ask`) show these lines; `index ask --json` carries them too.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.places.gazetteer import romanise
from index.places.finder import place_aliases
from index.records import Understanding
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


def notices(understood: Understanding, *, language: str | None = None) -> list[str]:
    """Sentences to show above the passages (or instead of them), most important first.

    language: the reader's ("en" or "zh"), where a front end knows it; else the question's.
    """
    en = language == "en" if language else understood.english
    lines: list[str] = []
    if understood.abstention == NOTHING_IN_SCOPE:
        where = _names(understood.places, en)
        lines.append(f"No passage is about {where or 'that place'}." if en
                     else f"报告中没有关于{where or '这个地方'}的段落。")
    missing = understood.places_not_covered
    if missing:
        names = _names(missing, en)
        if understood.nearest_places:
            near = _names(understood.nearest_places, en)
            region = _names([understood.nearest_region], en) if understood.nearest_region else ""
            lines.append(
                f"No report covers {names}. The passages below are from {near}"
                + (f", also in {region}" if region else "") + f": they describe {near}, not {names}."
                if en else
                f"报告中没有关于{names}的内容。以下段落来自{('同在' + region + '的') if region else ''}{near}，"
                f"说的是{near}的做法，不是{names}的。"
            )
        elif understood.places:
            here = _names(understood.places, en)
            lines.append(f"No report covers {names}; the passages below concern {here} only." if en
                         else f"报告中没有关于{names}的内容；以下段落只涉及{here}。")
        else:
            lines.append(f"No report covers {names}, nor any place in the same city or province." if en
                         else f"报告中没有关于{names}的内容，同一城市或省份也没有报告涉及的地方。")
    if understood.topic_not_covered:
        # The place's own passages still lead, so the reader judges; "" stands for a topic no word names.
        words = [t for t in understood.topic_not_covered if t]
        topic = "、".join(f"“{t}”" for t in words) or ("this topic" if en else "这个话题")
        where = _names(understood.places, en)
        lines.append(f"The reports on {where} do not seem to treat {topic}; the nearest passages follow, "
                     f"{where}'s own first." if en
                     else f"关于{where}的报告似乎没有谈到{topic}；以下是最接近的段落，{where}的在前。")
    if understood.years_not_covered:
        years = _years(understood.years_not_covered, en)
        where = _names(understood.places or understood.nearest_places, en)
        if understood.abstention:
            lines.append(f"No report {'on ' + where + ' ' if where else ''}mentions {years}." if en
                         else f"{'关于' + where + '的' if where else ''}报告没有提到{years}。")
        else:
            lines.append(
                f"No report {'on ' + where + ' ' if where else ''}mentions {years}; "
                "the passages below do not say which year they describe, or describe other years." if en else
                f"{'关于' + where + '的' if where else ''}报告没有提到{years}；以下段落未注明年份或属于其他年份。"
            )
    return lines
