"""The HTTP JSON API for other systems (a WeCom, Feishu or DingTalk bot, an intranet portal), over the same commands.

Each response carries `text`, the reply as the chat shows it (ready to post on), beside structured
fields; an answer has the fields of `index ask --json`, notices included.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from bot.replies.callbacks import decode_action
from bot.replies.commands import Commands
from bot.replies.query import Query, parse_query
from bot.web.context import reader_of, web_of
from bot.web.export import export_response
from bot.web.html import plain_text
from index.answer.bibliography import csl_json
from index.answer.cite import gbt7714_reference, in_text_citation, quotable_passage
from index.answer.as_json import answer_json
from index.errors import QaError, UnknownItemError
from index.text.script import in_script, resolve_script

router = APIRouter(prefix="/api", tags=["api"])

Script = Literal["auto", "simplified", "traditional", "original"]


class AskRequest(BaseModel):
    """A question, optionally limited to a place, with how many passages and in which script."""

    question: str = Field(description="In Simplified or Traditional Chinese or in English; `/place 南山 …` works too.",
                          examples=["南山区怎么发动快递骑手参与治理"])
    place: str | None = Field(default=None, description="Only passages about this place, e.g. 南山 or Nanshan.")
    top_k: int | None = Field(default=None, ge=1, description="Passages to return (default: the page size).")
    offset: int = Field(default=0, ge=0, description="Skip this many passages: the next page starts at offset.")
    script: Script | None = Field(default=None, description="Script of the passages; default: the reader's setting.")


class SaveRequest(BaseModel):
    """A passage to save to the reader's notebook."""

    chunk_id: str = Field(description="A passage's chunk_id from an answer.")
    question: str = Field(default="", description="The question it answered, kept with it.")


class SettingsRequest(BaseModel):
    """The reader's language and script of quotes; a field left out stays as it is."""

    language: Literal["zh", "en"] | None = None
    script: Script | None = None


class TooManyPassagesError(QaError):
    """An API ask for more passages than the settings allow (field limit)."""

    code = "too_many_passages"


def _passage_json(commands: Commands, chunk_id: str, script: str) -> dict[str, Any]:
    chunk = commands.engine.chunk(chunk_id)
    doc = commands.engine.document(chunk.doc_id)
    return {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "title": in_script(doc.title, script),
            "section": in_script(chunk.section, script), "position": chunk.position,
            "text": in_script(chunk.text, script), "places": list(chunk.places), "script": script,
            "quote": in_script(quotable_passage(chunk, doc), script), "in_text": in_text_citation(doc),
            "reference": gbt7714_reference(doc, accessed=datetime.date.today()), "csl": csl_json(doc)}


def _ask(commands: Commands, user: str, body: AskRequest, max_top_k: int) -> dict[str, Any]:
    if body.top_k is not None and body.top_k > max_top_k:
        raise TooManyPassagesError(f"top_k 最多 {max_top_k}。", limit=max_top_k)
    query = parse_query(body.question)
    if body.place and query.place is None:
        query = Query(query.question, body.place)
    script = resolve_script(body.script, query.question) if body.script else commands.script_for(user, query.question)
    answer, reply = commands.ask(user, query, offset=body.offset, limit=body.top_k, script=script)
    documents = {h.chunk.doc_id: commands.engine.document(h.chunk.doc_id) for h in answer.hits}
    shaped = answer_json(answer, documents)
    for result in shaped["results"]:
        for key in ("text", "best_sentence", "title", "section"):
            result[key] = in_script(result[key], script)
    more = answer.offset + len(answer.hits) < answer.total
    return {**shaped, "offset": answer.offset, "total": answer.total, "next_offset": answer.offset + len(answer.hits)
            if more else None, "script": script, "language": commands.language(user), "text": plain_text(reply.layout)}


@router.post("/ask", summary="Ask a question: cited passages with notices")
async def ask(request: Request, body: AskRequest) -> dict[str, Any]:
    """The passages that answer a question, each with its citation, GB/T 7714 reference and CSL-JSON; `understood`
    carries the notices (place not covered, year, doubtful wording) exactly as `index ask --json` does."""
    web = web_of(request)
    return await web.call(_ask, web.commands, reader_of(request), body, web.settings.max_top_k)


def _script(commands: Commands, user: str) -> str:
    return commands.script_for(user)


@router.get("/passages/{chunk_id}", summary="One passage with its reference")
async def passage(request: Request, chunk_id: str) -> dict[str, Any]:
    """A passage in the reader's script, its report's GB/T 7714 reference, in-text citation and CSL-JSON."""
    web = web_of(request)
    user = reader_of(request)
    return await web.light(_passage_json, web.commands, chunk_id, _script(web.commands, user))


def _context(commands: Commands, user: str, chunk_id: str) -> dict[str, Any]:
    reply = commands.context(user, chunk_id)
    chunk = commands.engine.chunk(chunk_id)
    script = _script(commands, user)
    neighbours = commands.engine.neighbours(chunk.chunk_id, radius=commands.context_radius)
    return {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "script": script,
            "passages": [{"chunk_id": c.chunk_id, "position": c.position, "section": in_script(c.section, script),
                          "text": in_script(c.text, script), "cited": c.chunk_id == chunk.chunk_id}
                         for c in neighbours],
            "text": plain_text(reply.layout)}


@router.get("/passages/{chunk_id}/context", summary="A passage with the passages around it")
async def context(request: Request, chunk_id: str) -> dict[str, Any]:
    """The passages either side of a passage in its report, in document order; `cited` marks the one asked for."""
    web = web_of(request)
    return await web.light(_context, web.commands, reader_of(request), chunk_id)


def _cite(commands: Commands, user: str, chunk_id: str) -> dict[str, Any]:
    reply = commands.cite(user, chunk_id)
    return {**_passage_json(commands, chunk_id, _script(commands, user)), "text": plain_text(reply.layout)}


@router.get("/passages/{chunk_id}/cite", summary="A passage ready to quote")
async def cite(request: Request, chunk_id: str) -> dict[str, Any]:
    """The `/cite` reply: the passage quoted with its in-text citation, and its GB/T 7714 reference."""
    web = web_of(request)
    return await web.light(_cite, web.commands, reader_of(request), chunk_id)


@router.get("/places", summary="The places the reports are about")
async def places(request: Request) -> dict[str, Any]:
    """Each place with its number of reports, most first."""
    web = web_of(request)
    reply = await web.light(web.commands.places, reader_of(request))
    found = await web.light(web.commands.engine.places)
    return {"places": [{"name": name, "reports": count} for name, count in found], "text": plain_text(reply.layout)}


def _digest(commands: Commands, user: str, name: str) -> dict[str, Any]:
    summary = commands.engine.place_summary(name)
    reply = commands.place(user, name)
    # The digest's practice buttons each open the passage behind a practice (callbacks.practice_buttons).
    practices = [{"name": b.label.removeprefix("▸ "), "chunk_id": action.value}
                 for row in reply.buttons for b in row if (action := decode_action(b.data)) is not None]
    return {"place": summary.place, "practices": practices, "report_count": summary.report_count,
            "reports": [{"doc_id": d.doc_id, "title": d.title, "source": d.source, "date": d.date}
                        for d in summary.reports],
            "within": list(summary.within), "text": plain_text(reply.layout)}


@router.get("/places/{name}", summary="A place's digest")
async def place(request: Request, name: str) -> dict[str, Any]:
    """A place's named practices (each with the passage behind it), its report count and first reports, and the places under it."""
    web = web_of(request)
    return await web.call(_digest, web.commands, reader_of(request), name)


def _notebook(commands: Commands, user: str, message: str = "") -> dict[str, Any]:
    reply = commands.show_notebook(user, surface="telegram")
    entries = []
    for entry in commands.notebook.entries(user):
        try:
            chunk = commands.engine.chunk(entry.chunk_id)
        except QaError:
            continue
        entries.append({"chunk_id": chunk.chunk_id, "title": commands.engine.document(chunk.doc_id).title,
                        "section": chunk.section, "text": chunk.text, "question": entry.question,
                        "saved_on": entry.saved_on})
    return {"passages": entries, "message": message, "text": plain_text(reply.layout)}


@router.get("/notebook", summary="The reader's notebook")
async def notebook(request: Request) -> dict[str, Any]:
    """The passages this reader saved, oldest first (a reader is their cookie or their X-Reader header)."""
    web = web_of(request)
    return await web.light(_notebook, web.commands, reader_of(request))


def _save(commands: Commands, user: str, body: SaveRequest) -> dict[str, Any]:
    reply = commands.save(user, body.chunk_id, question=body.question)
    return _notebook(commands, user, plain_text(reply.layout))


@router.post("/notebook", summary="Save a passage to the notebook")
async def save(request: Request, body: SaveRequest) -> dict[str, Any]:
    """Saves a passage (the day saved is its access date in references); `message` says what happened."""
    web = web_of(request)
    return await web.light(_save, web.commands, reader_of(request), body)


def _remove(commands: Commands, user: str, chunk_id: str) -> dict[str, Any]:
    return _notebook(commands, user, plain_text(commands.unsave(user, chunk_id).layout))


@router.delete("/notebook/{chunk_id}", summary="Remove a passage from the notebook")
async def remove(request: Request, chunk_id: str) -> dict[str, Any]:
    """Takes one passage out of the notebook."""
    web = web_of(request)
    return await web.light(_remove, web.commands, reader_of(request), chunk_id)


def _clear(commands: Commands, user: str) -> dict[str, Any]:
    return _notebook(commands, user, plain_text(commands.clear_notebook(user).layout))


@router.delete("/notebook", summary="Empty the notebook")
async def clear(request: Request) -> dict[str, Any]:
    """Removes every passage from the notebook."""
    web = web_of(request)
    return await web.light(_clear, web.commands, reader_of(request))


@router.get("/notebook/export/{fmt}", summary="Export the notebook",
            responses={200: {"content": {"application/octet-stream": {}}, "description": "The file."}})
async def export(request: Request, fmt: Literal["docx", "md", "ris", "csl"]) -> Response:
    """The notebook as Word with footnotes (docx), Markdown (md), RIS (ris) or CSL-JSON (csl)."""
    web = web_of(request)
    reply, files = await web.light(web.commands.export, reader_of(request), today=datetime.date.today())
    if not files:
        raise NothingToExportError(plain_text(reply.layout))
    return export_response(files, fmt)


class NothingToExportError(UnknownItemError):
    """The notebook is empty, so there is no file to export."""


@router.get("/settings", summary="The reader's settings")
async def get_settings(request: Request) -> dict[str, str]:
    """The reader's language and script of quotes."""
    web = web_of(request)
    user = reader_of(request)
    return {"language": web.commands.language(user), "script": web.commands.prefs.get(user).script}


@router.put("/settings", summary="Change the reader's settings")
async def put_settings(request: Request, body: SettingsRequest) -> dict[str, str]:
    """Sets the language and/or script through the same commands as /language and /script."""
    web = web_of(request)
    user = reader_of(request)
    if body.language:
        web.commands.set_language(user, body.language)
    if body.script:
        web.commands.script(user, body.script)
    return {"language": web.commands.language(user), "script": web.commands.prefs.get(user).script}
