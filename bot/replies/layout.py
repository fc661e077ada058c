"""Pure layouts of every reply (answers, help, sources, places, context, citations) for both front ends.

A layout says *what* to show (sections of blocks of styled spans); bot/replies/render.py turns the same
layout into Telegram HTML or terminal text, so the two front ends never drift apart.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.replies.i18n import SAMPLE_QUESTIONS, text
from index.answer.cite import (
    CitationSystem,
    display_title,
    gbt7714_reference,
    in_text_citation,
    missing_elements,
    missing_note,
    original_source,
    shown_date,
)
from index.text.clean import fold
from index.text.glossary import chinese_glosses
from index.answer.notices import notice_lines
from index.records import Answer, Chunk, Citation, Document, Hit, PlaceSummary, ReportHeading
from index.text.doubtful import doubtful_wording
from index.text.script import display_punctuation, in_script, quoted

# mark: the sentence that answers best (bold in Telegram, 【】 or ANSI bold on a terminal)
Style = Literal["plain", "bold", "italic", "code", "mark"]
# text: ordinary lines; quote: a passage shown in full; folded: a long passage (an expandable quote in
# Telegram, in full on a terminal); pre: copyable text; preview: the best sentence above a folded passage
# (a terminal shows the whole passage, so it skips previews).
BlockKind = Literal["text", "quote", "folded", "pre", "preview"]
Surface = Literal["telegram", "terminal"]

FOLD_CHARS = 220  # passages longer than this are folded in Telegram; e.g. 360 chars ≈ 12 phone lines
QUESTION_ECHO_CHARS = 120
# Key terms glossed under a passage for English readers: enough to say what it is about, few enough
# to stay one line on a phone (six terms ≈ 80 characters).
GLOSSED_TERMS = 6


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text in one style."""

    text: str
    style: Style = "plain"
    # Citation data (titles, names, periodicals, sites, references): shown in the record's own form in
    # every script, as GB/T 7714 cites a work in the language of its source.
    record: bool = False


Line = tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Block:
    """Lines shown together, in one kind of container."""

    lines: tuple[Line, ...]
    kind: BlockKind = "text"


Section = tuple[Block, ...]  # blocks that belong together; sections are separated by a blank line
Layout = tuple[Section, ...]


def text_block(*lines: Line | str) -> Block:
    """A text block from lines given as spans or as plain strings."""
    return Block(tuple((Span(line),) if isinstance(line, str) else line for line in lines))


# Blocks that show report text: their punctuation is made full-width for reading. A reference in a
# "pre" block keeps GB/T 7714's own ". , :" separators.
_QUOTED_KINDS = ("quote", "folded", "preview")


def for_reader(layout: Layout, script: str) -> Layout:
    """A layout in the reader's script ("simplified", "traditional"; else the report's own), quotes punctuated."""
    def span(s: Span, kind: BlockKind) -> Span:
        if s.record:
            return s
        text = in_script(s.text, script)
        return Span(display_punctuation(text) if kind in _QUOTED_KINDS else text, s.style)

    return tuple(
        tuple(Block(tuple(tuple(span(s, block.kind) for s in line) for line in block.lines), block.kind)
              for block in section)
        for section in layout
    )


def shorten(text: str, limit: int) -> str:
    """Text cut to at most limit characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_lines(spans: Sequence[Span]) -> tuple[Line, ...]:
    """Spans regrouped into lines at each newline, keeping each piece's style."""
    lines: list[list[Span]] = [[]]
    for span in spans:
        for i, piece in enumerate(span.text.split("\n")):
            if i:
                lines.append([])
            if piece:
                lines[-1].append(Span(piece, span.style))
    return tuple(tuple(line) for line in lines)


def highlighted(hit: Hit) -> tuple[Span, ...]:
    """The passage with its best sentence in bold; offsets are trusted only if they match the sentence."""
    text, start, end = hit.chunk.text, hit.best_start, hit.best_end
    if not hit.best_sentence or text[start:end] != hit.best_sentence:
        start = text.find(hit.best_sentence) if hit.best_sentence else -1
        end = start + len(hit.best_sentence)
    if start < 0 or end <= start:
        return (Span(text),)
    return tuple(s for s in (Span(text[:start]), Span(text[start:end], "mark"), Span(text[end:])) if s.text)


def citation_lines(citation: Citation) -> tuple[Line, ...]:
    """The numbered title line (every report by its title) and the source · date · section line under it,
    left out when the record knows none of them."""
    section = display_punctuation(citation.section)  # headings are report text: "力量,实现" reads "力量，实现"
    title: Line = (Span(f"[{citation.number}] 《{citation.title}》", "bold", record=True),)
    recorded = " · ".join(part for part in (citation.source, citation.date) if part)
    details = [Span(recorded, "italic", record=True)] if recorded else []
    if section:  # report text: it follows the reader's script
        details.append(Span(f" · {section}" if details else section, "italic"))
    return (title, tuple(details)) if details else (title,)


def gloss_line(chunk: Chunk, language: str, *, marked: str = "") -> Line | None:
    """For English readers: the passage's key governance terms with their English glosses, the marked
    sentence's first, so the reader knows what that sentence is about."""
    if language != "en":
        return None
    first = chinese_glosses(fold(marked), most=GLOSSED_TERMS) if marked else ()
    rest = [g for g in chinese_glosses(fold(chunk.text), most=2 * GLOSSED_TERMS) if g not in first]
    glosses = (list(first) + [g for g in rest if not any(g[0] in term for term, _ in first)])[:GLOSSED_TERMS]
    if not glosses:
        return None
    return (Span(text("key_terms", language), "bold"), Span(" · ".join(f"{term} {gloss}" for term, gloss in glosses)))


def passage_section(hit: Hit, citation: Citation, *, language: str = "zh", show_places: bool = False) -> Section:
    """One numbered passage: its citation, then the passage with the best sentence in bold.

    show_places: the passages are not about the place asked (see notices), so each says where it is from.
    """
    blocks = [Block(citation_lines(citation))]
    if hit.doubtful:  # index/text/doubtful.py: garbled or machine-reworded text
        blocks.append(text_block((Span(text("doubtful", language), "bold"),)))
    if show_places and hit.chunk.places:
        blocks.append(text_block((Span(text("place", language), "bold"), Span("、".join(hit.chunk.places[:3])))))
    spans = highlighted(hit)
    folded = len(hit.chunk.text) > FOLD_CHARS
    marked = [span.text for span in spans if span.style == "mark"]
    if folded and marked:
        blocks.append(Block(((Span("» "), Span(shorten(marked[0], FOLD_CHARS), "mark")),), "preview"))
    blocks.append(Block(split_lines(spans), "folded" if folded else "quote"))
    glosses = gloss_line(hit.chunk, language, marked=hit.best_sentence)
    if glosses:
        blocks.append(Block((glosses,)))
    return tuple(blocks)


def answer_layout(answer: Answer, *, topics: Sequence[str] = (), places: Sequence[str] = (),
                  language: str = "zh") -> Layout:
    """An answer page; an abstention suggests topics and places instead; an empty later page says so."""
    notes = notice_lines(answer.understood, language=language)
    if answer.abstained or (not answer.hits and answer.offset == 0):
        return abstention_layout(answer.question, topics=topics, places=places, language=language, notes=notes)
    if not answer.hits:
        return ((text_block(text("no_more", language)),),)
    first, last = answer.offset + 1, answer.offset + len(answer.hits)
    header: list[Line] = [(Span(text("question", language), "bold"), Span(shorten(answer.question, QUESTION_ECHO_CHARS)))]
    if answer.places:
        header.append((Span(text("place", language), "bold"), Span("、".join(answer.places))))
    header.append((Span(text("range", language, first=first, last=last, total=answer.total), "italic"),))
    sections: list[Section] = [(text_block(*header),)]
    if notes:  # before any passage: another place's figures must never pass for the place asked about
        sections.insert(0, (text_block(*((Span(f"⚠ {note}", "bold"),) for note in notes)),))
    elsewhere = answer.understood.caveats
    sections += [passage_section(hit, citation, language=language, show_places=elsewhere)
                 for hit, citation in zip(answer.hits, answer.citations)]
    return tuple(sections)


def _glossed(terms: Sequence[str], language: str) -> str:
    # English readers get each Chinese topic with its gloss: "红色物业 (red property management)".
    if language != "en":
        return "、".join(terms)
    glossed = []
    for term in terms:
        gloss = dict(chinese_glosses(fold(term), most=1)).get(fold(term))
        glossed.append(f"{term} ({gloss})" if gloss else term)
    return ", ".join(glossed)


def abstention_layout(question: str, *, topics: Sequence[str] = (), places: Sequence[str] = (),
                      language: str = "zh", notes: Sequence[str] = ()) -> Layout:
    """Says the reports do not answer the question (and why, when notes say), and what they do cover."""
    lines: list[Line | str] = [(Span(note, "bold"),) for note in notes]
    lines += [
        (Span(text("nothing", language), "bold"),),
        (Span(text("question", language), "bold"), Span(shorten(question, QUESTION_ECHO_CHARS))),
    ]
    if topics:
        lines.append((Span(text("covers", language), "bold"), Span(_glossed(topics, language))))
    if places:
        lines.append((Span(text("places_covered", language), "bold"), Span("、".join(places))))
    lines.append(text("rephrase", language))
    return ((text_block(*lines),),)


def message_layout(message: str) -> Layout:
    """A short notice, such as an expected error's user-facing message."""
    return ((text_block(*message.split("\n")),),)


def help_layout(
    *, reports: int, places: Sequence[tuple[str, int]], topics: Sequence[str], surface: Surface,
    bot_username: str = "", language: str = "zh",
) -> Layout:
    """What the assistant knows and how to ask it, for /start and /help."""
    intro = text_block((Span(text("title", language), "bold"),), text("intro", language, reports=reports),
                       text("ask_in", language))
    samples = SAMPLE_QUESTIONS["en" if language == "en" else "zh"]
    examples = text_block((Span(text("try", language), "bold"),), *(f"• {q}" for q in samples))
    if surface == "telegram":
        keys = ["cmd_sources", "cmd_places", "cmd_place", "cmd_place_question", "cmd_script", "cmd_language",
                "cmd_notebook", "cmd_buttons"]
        commands = [text(key, language) for key in keys]
        if bot_username:
            commands.append(text("cmd_inline", language, bot=bot_username))
    else:
        keys = ["cmd_sources", "cmd_places", "cmd_place", "cmd_place_question", "cmd_more", "cmd_save", "cmd_script",
                "cmd_language", "cmd_quit"]
        commands = [text(key, language) for key in keys]
    sections: list[Section] = [(intro,), (examples,), (text_block((Span(text("commands", language), "bold"),), *commands),)]
    covered: list[Line | str] = []
    if places:
        covered.append((Span(text("help_places", language), "bold"),
                        Span("、".join(f"{name}（{n}）" for name, n in places[:20]))))
    if topics:
        covered.append((Span(text("help_topics", language), "bold"), Span(_glossed(topics, language))))
    if covered:
        sections.append((text_block(*covered),))
    return tuple(sections)


def document_line(number: int, doc: Document | ReportHeading) -> Line:
    """One report in a list: number, title, source and date."""
    details = " · ".join(part for part in (doc.source or doc.site, shown_date(doc), "、".join(doc.places)) if part)
    spans = [Span(f"{number}. "), Span(f"《{display_title(doc)}》", "bold", record=True)]
    return tuple(spans + ([Span(f" {details}", "italic", record=True)] if details else []))


def sources_layout(documents: Sequence[Document], *, language: str = "zh") -> Layout:
    """The list of reports the answers come from, for /sources."""
    header = text_block((Span(text("reports_count", language, n=len(documents)), "bold"),))
    return ((header,), (text_block(*(document_line(i, d) for i, d in enumerate(documents, 1))),))


def places_layout(places: Sequence[tuple[str, int]], *, language: str = "zh") -> Layout:
    """Places with their report counts, for /places."""
    if not places:
        return message_layout(text("no_places", language))
    lines = [text("place_count", language, name=name, count=count) for name, count in places]
    return ((text_block((Span(text("places_title", language), "bold"),), *lines, text("places_hint", language)),),)


PRACTICE_SENTENCE_CHARS = 60  # about one phone line after each practice's name
PRACTICE_LEAD_CHARS = 12  # words kept before a name found late in its sentence, for the verb that goes with it


def excerpt_around(sentence: str, name: str, limit: int = PRACTICE_SENTENCE_CHARS) -> str:
    """At most `limit` characters of a sentence that keep `name` in view, with ellipses where cut."""
    at = sentence.find(name)
    if at < 0 or at + len(name) < limit - 1:
        return shorten(sentence, limit)
    start = max(0, at - PRACTICE_LEAD_CHARS)
    return "…" + shorten(sentence[start:], limit - 1)


def place_layout(summary: PlaceSummary, *, within: Sequence[str] = (), language: str = "zh") -> Layout:
    """A place's digest for /place: its named practices with the sentence behind each, its reports, and
    the places under it that the reports mention."""
    heading = (Span(summary.place, "bold"), Span(text("place_reports", language, n=summary.report_count)))
    sections: list[Section] = [(text_block(heading),)]
    if summary.digest:
        lines: list[Line] = []
        for practice in summary.digest:
            gloss = _gloss_of(practice.name, language)
            lines.append((Span("• "), Span(practice.name, "bold"), Span(f" ({gloss})" if gloss else ""),
                          Span(f" — {excerpt_around(display_punctuation(practice.sentence), practice.name)}")))
        sections.append((text_block((Span(text("practices", language), "bold"),), *lines),))
    if summary.reports:
        reports: list[Line | str] = [document_line(i, d) for i, d in enumerate(summary.reports, 1)]
        if summary.report_count > len(summary.reports):  # the summary names the first reports only
            reports.append(text("place_reports_more", language, n=summary.report_count - len(summary.reports)))
        sections.append((text_block((Span(text("reports", language), "bold"),), *reports),))
    if within:
        sections.append((text_block((Span(text("places_under", language), "bold"),), "、".join(within)),))
    sections.append((text_block(text("place_only", language, place=summary.place)),))
    return tuple(sections)


def _gloss_of(term: str, language: str) -> str:
    if language != "en":
        return ""
    return dict(chinese_glosses(fold(term), most=1)).get(fold(term), "")


def context_layout(chunk_id: str, neighbours: Sequence[Chunk], doc: Document, *, language: str = "zh") -> Layout:
    """A passage with the passages around it in its report, in document order."""
    sections: list[Section] = [(text_block((Span(text("context", language), "bold"),
                                            Span(f"《{display_title(doc)}》", "bold", record=True))),)]
    target = next((c.position for c in neighbours if c.chunk_id == chunk_id), -1)
    for chunk in neighbours:
        marker = "cited" if chunk.chunk_id == chunk_id else "before" if chunk.position < target else "after"
        label: Line = (Span(text(marker, language), "bold"),) + ((Span(f" · {display_punctuation(chunk.section)}", "italic"),)
                                                                  if chunk.section else ())
        blocks = [Block((label,)), Block(split_lines((Span(chunk.text),)), "quote")]
        if chunk.chunk_id == chunk_id and (glosses := gloss_line(chunk, language)):
            blocks.append(Block((glosses,)))
        sections.append(tuple(blocks))
    return tuple(sections)


def notebook_layout(saved: Sequence[tuple[Chunk, Document]], *, missing: int = 0, surface: Surface,
                    language: str = "zh") -> Layout:
    """A reader's saved passages, numbered, each with its report and section, for /notebook."""
    if not saved:
        return message_layout(text("notebook_empty", language))
    sections: list[Section] = [(text_block((Span(text("notebook_title", language, n=len(saved)), "bold"),)),)]
    for number, (chunk, doc) in enumerate(saved, 1):
        section = f" · {display_punctuation(chunk.section)}" if chunk.section else ""
        sections.append((text_block((Span(f"{number}. ", "bold"), Span(f"《{display_title(doc)}》", "italic", record=True),
                                     Span(section, "italic"))),
                         Block(((Span(shorten(chunk.text, FOLD_CHARS)),),), "quote")))
    notes = [text("notebook_missing", language, n=missing)] if missing else []
    export = text("notebook_export" if surface == "telegram" else "notebook_export_terminal", language)
    sections.append((text_block(*notes, export, text("notebook_clear", language)),))
    return tuple(sections)


def cite_layout(chunk: Chunk, doc: Document, *, accessed: datetime.date | None = None, language: str = "zh",
                system: CitationSystem = "numeric", script: str = "original") -> Layout:
    """The passage quoted with its in-text citation, and its GB/T 7714 reference, both ready to paste, in one
    citation system; what the reference still lacks, and a web copy's print original, are said under it.

    Only the quote follows the reader's script; the citation and reference keep the record's own form.
    """
    reference = gbt7714_reference(doc, accessed=accessed, system=system)
    notes: list[Line] = []
    if missing := missing_note(missing_elements(doc, accessed=accessed), language):
        notes.append((Span(missing, "italic"),))
    if original := original_source(doc):
        notes.append((Span(text("original_source", language), "italic"), Span(original, "italic", record=True)))
    caution = [text_block((Span(text("doubtful", language), "bold"),))] \
        if doubtful_wording(chunk.text, document_kind=doc.kind) else []
    return (
        (*caution, text_block((Span(text("quote", language), "bold"),)),
         Block(((Span(in_script(quoted(chunk.text), script)),
                 Span(in_text_citation(doc, system=system, number=1), record=True)),), "pre")),
        (
            text_block((Span(text("reference", language), "bold"),)),
            Block(((Span(f"[1] {reference}" if system == "numeric" else reference, record=True),),), "pre"),
            *([text_block(*notes)] if notes else []),
        ),
    )
