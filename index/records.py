"""Plain records passed between pipeline stages and to the front ends."""

from __future__ import annotations

from dataclasses import dataclass, field

# The version of the JSON shape of an answer (`ask --json`, the web API): bumped when a field is renamed,
# removed or changes meaning (docs/json.md lists them); adding a field keeps the number.
JSON_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class SourceFile:
    """Text pulled out of one corpus file, before cleaning."""

    path: str  # relative to the corpus folder, with forward slashes
    text: str
    format: str  # "txt", "md", "html", "docx", "pdf"
    meta: dict[str, object] = field(default_factory=dict)  # from a sidecar <name>.meta.toml


@dataclass(frozen=True, slots=True)
class Skipped:
    """A corpus file that could not be indexed, and why (for the build summary)."""

    path: str
    reason: str


# Document.kind: a periodical article, a newspaper article, a web page, a file on a document-sharing site.
KINDS = ("journal", "newspaper", "webpage", "shared")


@dataclass(frozen=True, slots=True)
class Document:
    """One report: cleaned display text plus the metadata citations are built from."""

    doc_id: str  # file stem, plus "-2", "-3" … when one file holds several reports
    path: str
    title: str
    text: str  # cleaned, in the report's own characters (Traditional or Simplified)
    subtitle: str = ""
    source: str = ""  # the periodical or newspaper it appeared in, e.g. "人民论坛"; "" when not known
    date: str = ""  # publication date, ISO "2022-01-25" / "2022-01" / "2022"; never an event's date
    author: str = ""  # names joined with "、", or an office or organisation ("中共…区委常委、组织部部长")
    places: tuple[str, ...] = ()  # e.g. ("深圳市", "南山区")
    url: str = ""
    kind: str = ""  # KINDS: what the text shows it is; "" when that cannot be established
    site: str = ""  # website the copy was read on ("中国共产党新闻网", "淘文阁网")
    posted: str = ""  # ISO date the online copy was posted or uploaded
    event_date: str = ""  # ISO date of the event or field research reported (not of publication)
    doc_number: str = ""  # a sharing site's document number
    accessed: str = ""  # ISO date the online copy was retrieved, when someone recorded it
    year_estimated: str = ""  # a maintainer's estimate of the publication year, cited in brackets
    part: str = ""  # which piece of a file holding several reports, e.g. "第2篇：衢州市"


@dataclass(frozen=True, slots=True)
class Chunk:
    """One passage: what is retrieved, shown and cited."""

    chunk_id: str  # f"{doc_id}:{position}"
    doc_id: str
    position: int  # 0-based order within the document
    section: str  # nearest heading above the passage, "" before the first one
    text: str  # as displayed: the report's own characters
    start: int  # character offsets of text within Document.text
    end: int
    places: tuple[str, ...] = ()  # places this passage is about (its own and its document's)


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved passage with its fused score and the sentence that matched best."""

    chunk: Chunk
    score: float
    best_sentence: str = ""  # a substring of chunk.text
    best_start: int = 0  # offsets of best_sentence within chunk.text
    best_end: int = 0
    doubtful: str = ""  # why the wording may differ from the original (index/text/doubtful.py), "" when clean


@dataclass(frozen=True, slots=True)
class Citation:
    """What a reader sees under a passage and can paste: report, source, date, section."""

    number: int
    doc_id: str
    chunk_id: str
    title: str
    source: str = ""
    date: str = ""
    section: str = ""
    path: str = ""

    def __str__(self) -> str:
        parts = [f"《{self.title}》"] + [p for p in (self.source, self.date, self.section) if p]
        return f"[{self.number}] " + "，".join(parts)


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing an answer must say before its passages, as a code with fields for each front end to word.

    Codes: nothing_in_scope (places), place_not_covered (places not covered, the scope asked, the nearest
    covered places and their region), topic_not_covered (places, topics), years_not_covered (places,
    years), each with refused when the answer cites nothing (place_not_covered and years_not_covered word it so).
    """

    code: str
    places: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()
    nearest: tuple[str, ...] = ()
    region: str = ""
    topics: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    refused: bool = False


@dataclass(frozen=True, slots=True)
class Understanding:
    """What the engine took a question to be about, and what of it no report covers; for notices and --json."""

    english: bool = False  # notices go out in English, else in Chinese
    places: tuple[str, ...] = ()  # corpus places the question names (or was limited to)
    places_not_covered: tuple[str, ...] = ()  # places named that no report mentions: 福田区, "Wangjing Street"
    nearest_places: tuple[str, ...] = ()  # covered places offered instead, sharing nearest_region with them
    nearest_region: str = ""
    years: tuple[int, ...] = ()  # years the question asks about
    years_not_covered: tuple[int, ...] = ()  # of those, the ones no passage (of the named places) mentions
    topic_not_covered: tuple[str, ...] = ()  # a word the corpus uses, but never in the named places' passages
    abstention: str = ""  # why nothing is cited (index/search/abstain.py), "" when passages are

    @property
    def caveats(self) -> bool:
        """Whether the passages shown are not quite what was asked (another place, year or topic)."""
        return bool(self.places_not_covered or self.years_not_covered or self.topic_not_covered)


@dataclass(frozen=True, slots=True)
class Answer:
    """Ranked passages for one question; empty hits with abstained=True means nothing fits."""

    question: str
    hits: tuple[Hit, ...]
    citations: tuple[Citation, ...]  # citations[i] belongs to hits[i]
    abstained: bool = False
    places: tuple[str, ...] = ()  # places the engine understood the question to be about
    offset: int = 0  # rank of hits[0] minus one, for paging
    total: int = 0  # how many passages qualified in all (offset + len(hits) <= total)
    understood: Understanding = Understanding()


@dataclass(frozen=True, slots=True)
class PlaceSummary:
    """What the corpus says about one place: how many reports, the first of them, and the named practices they describe."""

    place: str
    report_count: int  # its reports (about it, or with a passage mentioning it)
    reports: tuple[ReportHeading, ...]  # the first of them in corpus order, at most PLACE_REPORTS (store/passages.py)
    practices: tuple[str, ...]  # quoted practice names, e.g. "五邻营造", "一小区一专员"
    within: tuple[str, ...] = ()  # places inside it that its reports mention: streets, communities, districts
    digest: tuple[Practice, ...] = ()  # the practices a digest lists, each with the passage and sentence naming it


@dataclass(frozen=True, slots=True)
class Practice:
    """A named practice of a place with the passage behind it and the sentence there that names it."""

    name: str
    chunk_id: str
    sentence: str


@dataclass(frozen=True, slots=True)
class PlaceDigest:
    """What a place's summary shows, worked out from its passages when the index is built: /place reads it back."""

    report_count: int  # its reports (about it, or with a passage mentioning it)
    reports: tuple[ReportHeading, ...]  # the first of them in corpus order, at most PLACE_REPORTS
    practices: tuple[str, ...]  # quoted practice names, most mentioned first
    within: tuple[str, ...] = ()  # places inside it that its passages mention
    digest: tuple[Practice, ...] = ()  # the practices a digest lists
    about: bool = False  # whether some report is about it (then its passages are those reports'), else mentioned only


@dataclass(frozen=True, slots=True)
class ReportHeading:
    """What a list of reports shows of one and opens it by: a Document's naming fields, without its text."""

    doc_id: str
    path: str
    title: str
    source: str = ""
    date: str = ""
    places: tuple[str, ...] = ()
    site: str = ""
    posted: str = ""
    year_estimated: str = ""
    part: str = ""
