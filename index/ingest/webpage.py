"""Main text and title/author/date/URL/site hints from a saved web page, for ingest (the only lxml.html user)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html  # type: ignore[import-untyped]  # no stubs ship with lxml
from lxml import etree

from index.ingest.encoding import decode_declared, decode_text

# Elements that never hold the article itself.
_DROP_TAGS = frozenset(
    "script style noscript template nav header footer aside form iframe object embed svg canvas "
    "button select textarea input menu dialog".split()
)
# class/id words of menus, share bars and the like, as sites name them: "top-nav", "breadcrumbs"…
_BOILERPLATE_WORDS = (
    "nav", "menu", "breadcrumb", "crumb", "footer", "header", "share", "sidebar", "copyright",
    "comment", "related", "recommend", "advert", "banner", "toolbar", "social", "login", "pagination",
    "pager", "gotop", "backtop", "friendlink",
)
_BOILERPLATE_TOKENS = frozenset({"ad", "ads", "side", "foot", "top"})
MAX_BOILERPLATE_SHARE = 0.5  # a "sidebar"-classed block holding most of the page is the layout wrapper
_BLOCK_TAGS = frozenset(
    "address article blockquote body caption dd details div dl dt figcaption figure h1 h2 h3 h4 h5 h6 "
    "hr li main ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Inline images (base64 data: URIs), scripts and styles hold no report text but can be megabytes:
# libxml2 gives up on a text node or attribute over 10 MB and the whole page came out empty.
_HEAVY_ELEMENTS = re.compile(r"<(script|style|svg|noscript|template)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_IMAGE_TAG = re.compile(r"<(?:img|source|image)\b[^>]*>", re.IGNORECASE)
_DATA_URI = re.compile(r"""(["'(])data:[^"')]*""", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n\f]+")  # HTML's own whitespace; keeps &nbsp; and full-width spaces
_META_NAMES = {
    "author": "author",
    "article:author": "author",
    "article:published_time": "date",
    "pubdate": "date",
    "publishdate": "date",
    "publish_date": "date",
    "publishtime": "date",
    "og:url": "url",
    "og:site_name": "site",
}


def decode_page(data: bytes) -> str:
    """Decode a page by its BOM, else its <meta charset>, else by detection."""
    declared = _CHARSET.search(data[:4096])
    if declared is None:
        return decode_text(data)
    return decode_declared(data, declared.group(1).decode("ascii"))


def strip_heavy_markup(markup: str) -> str:
    """A page without scripts, styles, images and data: URIs, which carry no report text; for extract_page."""
    markup = _HEAVY_ELEMENTS.sub(" ", markup)
    markup = _IMAGE_TAG.sub(" ", markup)
    return _DATA_URI.sub(r"\1", markup)


def extract_page(markup: str) -> tuple[str, dict[str, object]]:
    """The article text of a page (one block per line) and its title/author/date hints."""
    try:
        parser = lxml.html.HTMLParser(huge_tree=True)  # a long article is one huge text node, not an attack
        root = lxml.html.document_fromstring(strip_heavy_markup(_XML_DECLARATION.sub("", markup)), parser=parser)
    except etree.ParserError:  # nothing but whitespace or comments: ingest reports "empty file"
        return "", {}
    hints = _page_hints(root)
    _drop_boilerplate(root)
    main = _main_container(root)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(_text_parts(main)).split("\n"))
    return "\n".join(line for line in lines if line), hints


def _page_hints(root: lxml.html.HtmlElement) -> dict[str, object]:
    hints: dict[str, object] = {}
    title = root.findtext(".//title")
    if title and title.strip():
        hints["title"] = _SPACES.sub(" ", title).strip()
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if key in _META_NAMES and content:
            hints.setdefault(_META_NAMES[key], content)
    # The page's own address: what a reference cites as its URL (GB/T 7714 获取和访问路径).
    for link in root.iter("link"):
        href = (link.get("href") or "").strip()
        if "canonical" in (link.get("rel") or "").lower().split() and href.startswith(("http://", "https://")):
            hints["url"] = href
    return hints


def _drop_boilerplate(root: lxml.html.HtmlElement) -> None:
    for el in [el for el in root.iter() if not isinstance(el.tag, str) or el.tag in _DROP_TAGS]:
        _remove_keeping_tail(el)
    page_chars = len(root.text_content())
    for el in [el for el in root.iter() if _is_named_boilerplate(el)]:
        if len(el.text_content()) <= page_chars * MAX_BOILERPLATE_SHARE:
            _remove_keeping_tail(el)


def _is_named_boilerplate(el: lxml.html.HtmlElement) -> bool:
    if el.tag in {"html", "body", "main", "article"}:
        return False
    names = f"{el.get('class', '')} {el.get('id', '')}".lower()
    tokens = [t for t in re.split(r"[^a-z0-9]+", names) if t]
    return any(t.startswith(_BOILERPLATE_WORDS) or t in _BOILERPLATE_TOKENS for t in tokens)


def _remove_keeping_tail(el: etree._Element) -> None:
    # Text after a removed element belongs to its parent's flow: "<p>a<script/>b</p>" -> "ab".
    parent = el.getparent()
    if parent is None:  # already gone with an ancestor
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _main_container(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    # A page with exactly one <main> or <article> says where its text is; lists of teasers don't.
    for tag in ("main", "article"):
        found = root.findall(f".//{tag}")
        if len(found) == 1:
            return found[0]
    body = root.find("body")
    return body if body is not None else root


def _text_parts(container: lxml.html.HtmlElement) -> Iterator[str]:
    # iterwalk, not recursion: scraped pages can nest thousands of <div>s deep.
    in_pre = 0  # source line breaks are layout except inside <pre>
    for event, el in etree.iterwalk(container, events=("start", "end")):
        tag = el.tag
        if event == "start":
            in_pre += tag == "pre"
            if tag in _BLOCK_TAGS or tag == "br":
                yield "\n"
            if el.text:
                yield el.text if in_pre else el.text.replace("\n", " ")
        else:
            in_pre -= tag == "pre"
            if tag in _BLOCK_TAGS:
                yield "\n"
            if el.tail and el is not container:
                yield el.tail if in_pre else el.tail.replace("\n", " ")
