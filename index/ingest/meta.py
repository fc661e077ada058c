"""Turns one ingested SourceFile into Documents: cleaned text, reports split apart, metadata extracted."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import PurePosixPath

from index.text.chinese import HAN_BASIC, HEADLINE_MAX_CHARS, YEAR, ends_sentence
from index.text.clean import clean_lines, fold, is_furniture, normalize_lines
from index.places.finder import CITY, DISTRICT, find_places, main_places, place_level
from index.records import Document, SourceFile

_SUBTITLE = re.compile(r"^(?:——|--|—|－－)\s*")
_DOC_FILE = re.compile(r"^(.{4,80}?)\.(?:docx?|pdf|pptx?|wps|txt)$", re.IGNORECASE)
_YEAR_PREFIX = re.compile(rf"^{YEAR}年(?:度)?")
_FULL_DATE = re.compile(rf"({YEAR})\s*[-年/.]\s*(\d{{1,2}})\s*[-月/.]\s*(\d{{1,2}})(?!\d)")
_YEAR_MONTH = re.compile(rf"({YEAR})\s*年\s*(\d{{1,2}})\s*月(?!\d|份?[-至到])")
_HEADING_MAX_CHARS = HEADLINE_MAX_CHARS
_DOWNLOAD_SITES = ("淘文阁", "taowenge", "道客巴巴", "豆丁", "原创力", "文库", "book118", "docin", "doc88")
_SOURCE_LINE = re.compile(r"(?:来源|稿源|出处)\s*[:]\s*([^\s|,]{2,30})")
_ORIGINAL_STATEMENT = re.compile(r"本文(?:为|系|是)(.{2,20}?)(?:杂志社|编辑部|杂志|周刊|报社)?(?:独家)?原创")
_SITE_NAV = re.compile(r"^([^\s>|]{2,20}?(?:网|网站|在线|新闻网|门户))\s*(?:>>|>|»)")
_PUBLISHER_SUFFIX = re.compile(r"(?:杂志社|编辑部|调研组|课题组|杂志)$")
_REPORTER = re.compile(r"[(\[【]\s*(?:本刊|本报|本网)?(?:特约|实习)?记者\s*[:]?\s*([^()\[\]【】]{2,30})[)\]】]")
_TEAM = re.compile(r"[(\[【]\s*(?:调研组|课题组|采访组|写作组)成员\s*[:]\s*([^()\[\]【】]{2,60})[)\]】]")
_CREDIT_AUTHOR = re.compile(r"^(?:记者|作者|文|撰稿)\s*[:/]\s*(.{2,40})$")
_NAME = re.compile(rf"^[{HAN_BASIC}·]{{2,4}}$")
# "(作者系中共南京市栖霞区委常委、组织部部长)": an author named only by office.
_AUTHOR_NOTE = re.compile(r"^[(\[【]\s*作者(?:系|为|是)\s*([^()\[\]【】]{4,60}?)\s*[)\]】]$")
# A document-sharing site's notice: "上传人:… 文档编号:27045061 上传时间:2022-07-21".
_UPLOAD_NOTICE = re.compile(r"上传人\s*:|文档编号\s*:|上传时间\s*:")
_UPLOADED = re.compile(r"上传时间\s*:\s*((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_DOC_NUMBER = re.compile(r"文档编号\s*:\s*(\d{4,})")
# "请在taowenge.com淘文阁网|…上搜索": the sharing site names itself after its address.
_SHARING_SITE = re.compile(rf"请在\s*(?:www\.)?[a-z0-9.-]+\.(?:com|cn|net)\s*([{HAN_BASIC}]{{2,10}}?网)")
# A periodical's own words about itself: its reporters, its editorial office, a paper database's header.
_PERIODICAL_EVIDENCE = re.compile(r"本刊(?:特约)?记者|杂志社原创|期刊选粹|^论文部分内容阅读$")
_MASTHEAD = re.compile(rf"^[{HAN_BASIC}]{{2,8}}$")
_NEWSPAPER_EVIDENCE = re.compile(r"本报(?:特约)?记者|本报讯")
_NEWSPAPER_NAME = re.compile(r"(?<!学)报$")
# What a sidecar <name>.meta.toml may set besides `places` (a list); corpus/README.md describes each.
SIDECAR_TEXT_FIELDS = ("title", "subtitle", "source", "date", "author", "url", "kind", "site", "posted",
                       "event_date", "doc_number", "accessed", "year_estimated", "part")
UNTITLED = "[无题名]"  # GB/T 7714 and ISBD put what a cataloguer supplies in square brackets


def documents_from_source(source: SourceFile) -> list[Document]:
    """Clean one source file into one Document per report it holds, with title, date, places…; for build."""
    lines = normalize_lines(source.text)
    paragraphs = clean_lines(lines)
    shared_title = _download_title(lines)
    hint = str(source.meta.get("title", "") or "") or shared_title
    provenance = extract_provenance(lines)
    if not provenance.kind and (source.format == "html" or source.meta.get("url")):
        provenance = replace(provenance, kind="webpage")  # a saved page is a web page unless it shows more
    marker = _YEAR_PREFIX.sub("", hint) if hint and "title" not in source.meta else ""
    reports = split_reports(paragraphs, marker) if marker else [paragraphs]
    stem = PurePosixPath(source.path).stem
    documents = []
    for number, report in enumerate(reports, start=1):
        title, subtitle, body = split_title(report)
        places = find_places("\n".join([title, subtitle, *body]))
        part = ""
        if not title and len(reports) > 1:
            # Pieces of one shared file are cited as that file; which piece it is stays beside the title.
            title, part = hint, _part_label(number, places)
        elif not title:
            # Never promote a section heading: a report whose text has no headline has no known title.
            title = hint or UNTITLED
        documents.append(replace(
            provenance, doc_id=stem if number == 1 else f"{stem}-{number}", path=source.path, title=title,
            text="\n".join(body), subtitle=subtitle, places=places, part=part,
        ))
    # A report's places, once: those the text names (or a sidecar gives), kept when it is about them.
    return [_about(_apply_overrides(document, source.meta)) for document in documents]


def _about(document: Document) -> Document:
    return replace(document, places=main_places(document))


def extract_provenance(lines: Sequence[str]) -> Document:
    """What the page around a report says about it (kind, source, site, dates, author); path and text empty."""
    source, site = extract_source(lines), extract_site(lines)
    kind = extract_kind(lines, source=source, site=site)
    dateline, upload = extract_date(lines), _search_lines(_UPLOADED, lines)
    # A periodical's article reposted on a website carries the site's date, not the issue's.
    reposted = kind == "journal" and bool(site)
    return Document(
        doc_id="", path="", title="", text="", source=source, author=extract_author(lines), kind=kind, site=site,
        date="" if reposted or kind == "shared" else dateline,
        posted=upload or (dateline if site else ""),
        # GB/T 7714 cites an estimated year in brackets: the issue came out by the day it was reposted.
        year_estimated=dateline[:4] if reposted else "",
        event_date=extract_event_date(lines), doc_number=_search_lines(_DOC_NUMBER, lines),
    )


def extract_kind(lines: Sequence[str], *, source: str = "", site: str = "") -> str:
    """One of records.KINDS, from what the page shows (upload notice, 本刊/本报 bylines, 杂志社), or ""."""
    folded = [fold(line) for line in lines]
    if any(_UPLOAD_NOTICE.search(line) for line in folded):
        return "shared"
    if any(_PERIODICAL_EVIDENCE.search(line) for line in folded):
        return "journal"
    if source and any(f"《{fold(source)}》杂志" in line for line in folded):
        return "journal"
    if any(_NEWSPAPER_EVIDENCE.search(line) for line in folded) or _NEWSPAPER_NAME.search(fold(source)):
        return "newspaper"
    return "webpage" if site else ""


def _part_label(number: int, places: Sequence[str]) -> str:
    local = _local_places(places)
    return f"第{number}篇：{''.join(local)}" if local else f"第{number}篇"


def split_title(paragraphs: Sequence[str]) -> tuple[str, str, list[str]]:
    """Headline, subtitle (without its dashes) and remaining paragraphs; mastheads before the headline go."""
    for index, paragraph in enumerate(paragraphs[:6]):
        if index and _SUBTITLE.match(paragraph) and _is_heading(paragraphs[index - 1]):
            subtitle = _SUBTITLE.sub("", paragraph).strip()
            return paragraphs[index - 1], subtitle, list(paragraphs[index + 1 :])
    for index, paragraph in enumerate(paragraphs[:3]):
        if _is_heading(paragraph) and len(paragraph) >= 8 and _looks_like_headline(paragraphs[index:]):
            return paragraph, "", list(paragraphs[index + 1 :])
        if len(paragraph) >= 12 or not _is_heading(paragraph):
            break  # only a short masthead ("大国新村") may stand above the headline
    return "", "", list(paragraphs)


def _looks_like_headline(paragraphs: Sequence[str]) -> bool:
    # A first line followed straight by body text is a headline; one followed by a heading is a section.
    return len(paragraphs) > 1 and not _is_heading(paragraphs[1])


def _is_heading(paragraph: str) -> bool:
    return len(paragraph) <= _HEADING_MAX_CHARS and not ends_sentence(paragraph) and not _SUBTITLE.match(paragraph)


def _download_title(lines: Sequence[str]) -> str:
    # Download sites print the document's file name as the page title: "2022年….docx".
    for line in lines[:5]:
        match = _DOC_FILE.match(line.strip())
        if match:
            return match.group(1).strip()
    return ""


def split_reports(paragraphs: Sequence[str], marker: str) -> list[list[str]]:
    """Split a dump holding several reports where its shared title recurs glued after a full stop."""
    if len(marker) < 6 or not any(_glued_positions(p, marker, mid_only=True) for p in paragraphs):
        return [list(paragraphs)]
    reports: list[list[str]] = [[]]
    for paragraph in paragraphs:
        cuts = [0, *_glued_positions(paragraph, marker, mid_only=False), len(paragraph)]
        for index, (start, end) in enumerate(zip(cuts, cuts[1:])):
            piece = paragraph[start:end]
            if index and piece.startswith(marker):
                piece = piece[len(marker) :]
                if reports[-1]:
                    reports.append([])
            if not _is_only_titles(piece, marker):
                reports[-1].append(piece.strip())
    return [report for report in reports if report]


def _is_only_titles(text: str, marker: str) -> bool:
    # "2022年先进…现代化 先进…现代化": a page-top title line, nothing of the report itself.
    return not _YEAR_PREFIX.sub("", text.replace(marker, "").strip()).strip()


def _glued_positions(paragraph: str, marker: str, *, mid_only: bool) -> list[int]:
    positions = []
    for match in re.finditer(re.escape(marker), paragraph):
        before = paragraph[: match.start()].rstrip()
        after = paragraph[match.end() : match.end() + 1]
        if not after or after in ",，。、:：的是":
            continue
        if before and ends_sentence(before):
            positions.append(match.start())
        elif not mid_only and _is_only_titles(before, marker):
            positions.append(match.start())
    return positions


def _local_places(places: Sequence[str]) -> list[str]:
    # The city and district a piece is about tell the pieces of one dump apart.
    if not places:
        return []
    leading = list(places[:1])
    for place in places[1:]:
        if place_level(place) <= place_level(leading[-1]):
            break
        leading.append(place)
    return [p for p in leading if CITY <= place_level(p) <= DISTRICT][:2]


def extract_date(lines: Sequence[str]) -> str:
    """ISO date of a dateline ("2022年01月25日14:57 来源:…"); a date inside the report is an event's, not this."""
    for line in lines:
        if is_furniture(line) and not _DOC_FILE.match(line) and "上传" not in fold(line):
            match = _FULL_DATE.search(line)
            if match:
                return _iso(*match.groups())
    return ""


def extract_event_date(lines: Sequence[str]) -> str:
    """The first dated event with a year in the report's text (a forum, the field research), ISO."""
    for line in lines:
        if is_furniture(line):
            continue
        match = _FULL_DATE.search(line)
        if match:
            return _iso(*match.groups())
        month = _YEAR_MONTH.search(line)
        if month:
            return _iso(*month.groups())
    return ""


def _iso(year: str, month: str, day: str | None = None) -> str:
    if not 1 <= int(month) <= 12 or (day is not None and not 1 <= int(day) <= 31):
        return ""
    return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day is not None else "")


def extract_source(lines: Sequence[str]) -> str:
    """The periodical or newspaper: a "来源:" line, else a "本文为…杂志社原创" statement; a website is not one."""
    for pattern in (_SOURCE_LINE, _ORIGINAL_STATEMENT):
        for line in lines:
            found = _search_display(pattern, line)
            if found and not _is_site_name(found):
                return _PUBLISHER_SUFFIX.sub("", found) if len(found) > 4 else found
    return ""


def extract_site(lines: Sequence[str]) -> str:
    """The website the copy was taken from: a breadcrumb's first step, or a sharing site's own name."""
    for pattern in (_SITE_NAV, _SHARING_SITE):
        for line in lines:
            found = _search_display(pattern, line)
            if found:
                return found
    # A masthead right above a "首页 > …" breadcrumb: "大國新村".
    for line, following in zip(lines, lines[1:]):
        if _MASTHEAD.match(line) and fold(following).startswith("首页") and is_furniture(following):
            return line.strip()
    return ""


def _is_site_name(name: str) -> bool:
    folded = fold(name)
    return any(site in folded for site in _DOWNLOAD_SITES) or folded.endswith(("网", "网站"))


def _search_lines(pattern: re.Pattern[str], lines: Sequence[str]) -> str:
    for line in lines:
        match = pattern.search(fold(line))
        if match:
            return _iso(*match.groups()) if pattern.groups == 3 else match.group(1)
    return ""


def extract_author(lines: Sequence[str]) -> str:
    """Author names joined with "、" (a "(本刊记者 X)" byline, a research team, a "记者:" credit), else the
    office or organisation an "(作者系…)" note names when it names no one."""
    for pattern in (_REPORTER, _TEAM, _CREDIT_AUTHOR):
        for line in lines:
            found = _search_display(pattern, line)
            names = [n for n in re.split(r"[\s、,，;；/]+", found) if _NAME.match(n)] if found else []
            if names:
                return "、".join(names)
    for line in lines:
        found = _search_display(_AUTHOR_NOTE, line)
        if found:
            return found
    return ""


def _search_display(pattern: re.Pattern[str], line: str) -> str:
    # Patterns are written in folded (Simplified) form; return the same span of the report's own text.
    folded = fold(line)
    match = pattern.search(folded)
    if not match:
        return ""
    if len(folded) == len(line):
        return line[match.start(1) : match.end(1)].strip()
    return match.group(1).strip()


def _apply_overrides(document: Document, meta: dict[str, object]) -> Document:
    # Sidecar values are what a person wrote down: they beat anything guessed from the text.
    changes: dict[str, object] = {}
    for key in SIDECAR_TEXT_FIELDS:
        value = meta.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # year_estimated = 2021, date = 2022
        if isinstance(value, str) and value.strip():
            changes[key] = value.strip()
        elif value is not None and hasattr(value, "isoformat"):
            changes[key] = value.isoformat()[:10]
    places = meta.get("places")
    if isinstance(places, str) and places.strip():
        places = re.split(r"[\s,，、;；]+", places.strip())
    if isinstance(places, (list, tuple)) and places:
        changes["places"] = tuple(fold(str(p)) for p in places if str(p).strip())
    return replace(document, **changes) if changes else document  # type: ignore[arg-type]
