"""The JSON shape of an answer, for `ask --json` and the web API: passages with references, and notices as codes."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

from index.answer.cite import CitationSystem
from index.records import JSON_SCHEMA_VERSION, Answer, Citation, Document, Hit, Notice, Understanding


def understanding_json(understood: Understanding) -> dict[str, Any]:
    """What the engine understood of a question, and the notices shown above its passages."""
    from index.answer.notices import notice_text, notices

    return {
        "language": "en" if understood.english else "zh",
        "places": list(understood.places),
        "places_not_covered": list(understood.places_not_covered),
        "nearest_places": list(understood.nearest_places),
        "nearest_region": understood.nearest_region,
        "years": list(understood.years),
        "years_not_covered": list(understood.years_not_covered),
        "topic_not_covered": list(understood.topic_not_covered),
        "abstention_reason": understood.abstention,
        "notices": [{**notice_json(n), "text": notice_text(n, english=understood.english)} for n in notices(understood)],
    }


def notice_json(notice: Notice) -> dict[str, Any]:
    """A notice's code and the fields it has (empty ones left out), for `ask --json` and the web API."""
    fields = dataclasses.asdict(notice)
    return {key: value for key, value in fields.items() if value or key == "code"}


def answer_json(answer: Answer, documents: Mapping[str, Document], *, system: CitationSystem = "numeric",
                accessed: datetime.date | None = None) -> dict[str, Any]:
    """The one-line JSON shape `ask --json` prints: each passage with its GB/T 7714 reference (numbered by
    work, in order of first appearance, for the numeric system), what the reference still lacks, and CSL-JSON.

    accessed is the reader's citing date for web pages (--accessed); None leaves it out of references,
    which then say that it is missing.
    """
    from index.answer.bibliography import csl_json
    from index.answer.cite import (
        gbt7714_reference,
        in_text_citation,
        missing_elements,
        missing_note,
        original_source,
    )

    works: list[str] = []

    def result(hit: Hit, citation: Citation) -> dict[str, Any]:
        doc = documents[hit.chunk.doc_id]
        reference = gbt7714_reference(doc, accessed=accessed, system=system)
        if reference not in works:
            works.append(reference)
        missing = missing_elements(doc, accessed=accessed)
        return {"rank": citation.number, "chunk_id": hit.chunk.chunk_id, "doc_id": hit.chunk.doc_id,
                "title": citation.title, "section": hit.chunk.section, "text": hit.chunk.text, "score": hit.score,
                "best_sentence": hit.best_sentence, "citation": str(citation), "doubtful_wording": hit.doubtful,
                "reference": reference,
                "reference_number": works.index(reference) + 1,
                "in_text": in_text_citation(doc, system=system, number=works.index(reference) + 1),
                "missing": list(missing), "missing_note": missing_note(missing),
                "original_source": original_source(doc), "csl": csl_json(doc)}

    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "question": answer.question,
        "accessed": accessed.isoformat() if accessed else None,
        "citation_system": system,
        "abstained": answer.abstained,
        "places": list(answer.places),
        "understood": understanding_json(answer.understood),
        "results": [result(h, c) for h, c in zip(answer.hits, answer.citations)],
    }
