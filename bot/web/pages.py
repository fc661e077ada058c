"""The pages a person reads: ask, answers with their buttons as links and forms, context, cite, places, notebook.

Every page works without JavaScript (forms post, links get); asking posts, so no question ever sits
in a URL where proxies and browser history would keep it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi import Query as Query_
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from bot.replies.callbacks import Button, decode_action
from bot.replies.commands import Commands, Reply
from bot.replies.i18n import text
from bot.replies.query import Query, parse_query
from bot.web.access import ACCESS_COOKIE, access_cookie_value, token_matches
from bot.web.context import login_page, reader_of, web_of
from bot.web.html import layout_html
from bot.web.export import export_response

router = APIRouter(include_in_schema=False)

SCRIPT_CHOICES = ("auto", "simplified", "traditional", "original")


def passage_url(chunk_id: str, view: str) -> str:
    """The page of a passage's context or citation."""
    return f"/passages/{quote(chunk_id, safe='')}/{view}"


def place_url(name: str) -> str:
    """The digest page of a place."""
    return f"/places/{quote(name, safe='')}"


def _hidden(**values: object) -> str:
    return "".join(f'<input type="hidden" name="{name}" value="{escape(str(value))}">' for name, value in values.items())


def answer_url(key: str, offset: int = 0) -> str:
    """The page of a stored question's answers, from a passage rank on."""
    return f"/answers/{key}" + (f"?offset={offset}" if offset else "")


def button_html(button: Button) -> str:
    """One shared button as a link (context, cite, place, more) or a small form (save)."""
    action = decode_action(button.data)
    label = escape(button.label)
    if action is None:
        return ""
    if action.kind in ("context", "cite"):
        return f'<a class="action" href="{escape(passage_url(action.value, action.kind))}">{label}</a>'
    if action.kind == "place":
        return f'<a class="action" href="{escape(place_url(action.value))}">{label}</a>'
    if action.kind == "more":
        return f'<a class="action more" href="{escape(answer_url(action.value, action.offset))}">{label}</a>'
    return (f'<form class="action" method="post" action="/notebook/save">{_hidden(chunk_id=action.value)}'
            f'<button>{label}</button></form>')


def _row(buttons: Sequence[Button], key: str = "", offset: int = 0) -> Markup:
    html = []
    for button in buttons:
        action = decode_action(button.data)
        if action is not None and action.kind == "save":
            html.append(f'<form class="action" method="post" action="/notebook/save">'
                        f'{_hidden(chunk_id=action.value, back=answer_url(key, offset) if key else "")}'
                        f'<button>{escape(button.label)}</button></form>')
        else:
            html.append(button_html(button))
    return Markup('<nav class="actions">' + "".join(html) + "</nav>")


def reply_html(reply: Reply, *, key: str = "", offset: int = 0) -> Markup:
    """A reply's layout with its buttons: an answer's per-passage rows under their passages, others at the end."""
    rows = [row for row in reply.buttons if row]
    kinds = [decode_action(row[0].data) for row in rows]
    per_passage = [row for row, action in zip(rows, kinds) if key and action is not None and action.kind != "more"]
    rest = [row for row in rows if row not in per_passage]
    after: dict[int, Markup] = {}
    if per_passage and len(per_passage) <= len(reply.layout):
        # answer_layout ends with one section per passage, in the order of their button rows
        first = len(reply.layout) - len(per_passage)
        after = {first + i: _row(row, key, offset) for i, row in enumerate(per_passage)}
    end = Markup("".join(_row(row, key, offset) for row in rest))
    return layout_html(reply.layout, after=after) + end


def page(request: Request, content: Markup, *, query: Query | None = None, status: int = 200,
         script: str = "") -> HTMLResponse:
    """A whole page: navigation, the ask form (filled in with the question asked), a notice, then the content."""
    web = web_of(request)
    user = reader_of(request)
    language = web.commands.language(user)
    shown = script or web.commands.prefs.get(user).last_script or "simplified"
    lang = "en" if language == "en" else "zh-Hant" if shown == "traditional" else "zh-Hans"
    notice = web.notices.pop(user, ())
    response: HTMLResponse = web.templates.TemplateResponse(request, "page.html", {
        "t": lambda key, **values: text(key, language, **values), "lang": lang, "content": content,
        "notice": layout_html(notice) if notice else "", "question": query.question if query else "",
        "place": (query.place or "") if query else "", "places": [name for name, _ in web.commands.engine.places()],
    }, status_code=status)
    return response


def message_page(request: Request, message: str, *, status: int) -> HTMLResponse:
    """A page holding one message (an error in the reader's language)."""
    return page(request, Markup(f'<p class="message">{escape(message)}</p>'), status=status)


def _after_post(request: Request, notice: Reply, to: str) -> Response:
    # Post/redirect/get: the notice waits for the next page, and reloading or going back never posts again.
    web_of(request).notices[reader_of(request)] = notice.layout
    return RedirectResponse(to, status_code=303)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    """The ask form above what the reports cover and how to ask."""
    web = web_of(request)
    reply = await web.light(web.commands.help, reader_of(request), surface="telegram")
    return page(request, reply_html(reply))


def _command(commands: Commands, user: str, line: str) -> Reply | None:
    # The slash commands of the chat, typed into the question box, do what they do in the chat.
    command, _, argument = line.partition(" ")
    command = command.lower()
    if command in ("/help", "/start"):
        return commands.help(user, surface="telegram")
    if command == "/sources":
        return commands.sources(user)
    if command == "/places":
        return commands.places(user)
    if command == "/language":
        return commands.set_language(user, argument)
    if command == "/script":
        return commands.script(user, argument)
    if command == "/notebook":
        return commands.show_notebook(user, surface="telegram")
    return None


@router.post("/ask", response_class=HTMLResponse)
async def ask(request: Request, q: str = Form(""), place: str = Form("")) -> Response:
    """Keeps the question and sends the browser to its answers; "/place 南山 问题" and the chat's commands work too."""
    web = web_of(request)
    user = reader_of(request)
    query = parse_query(q)
    if place.strip() and query.place is None:
        query = Query(query.question, place.strip())
    if query.place and not query.question:
        return RedirectResponse(place_url(query.place), status_code=303)
    if q.startswith("/") and not q.lower().startswith("/place"):
        reply = await web.light(_command, web.commands, user, q.strip())
        if reply is not None:
            return page(request, reply_html(reply))
    if not query.question.strip():
        await web.call(web.commands.ask, user, query)  # raises the engine's own message for a blank question
    # The key is an HMAC of reader and question: another reader cannot forge it to read what was asked.
    return RedirectResponse(answer_url(web.questions.remember(query, user)), status_code=303)


@router.get("/answers/{key}", response_class=HTMLResponse)
async def answers(request: Request, key: str, offset: int = Query_(0, ge=0)) -> Response:
    """A page of a question's passages: the best sentence marked, context, cite and save under each, then more."""
    web = web_of(request)
    user = reader_of(request)
    query = web.questions.recall(key)
    if query is None:
        return message_page(request, text("stale_button", web.commands.language(user)), status=404)
    _, reply = await web.call(web.commands.ask, user, query, offset=offset, key=key)
    return page(request, reply_html(reply, key=key, offset=offset), query=query,
                script=web.commands.script_for(user, query.question))


@router.get("/passages/{chunk_id}/context", response_class=HTMLResponse)
async def context(request: Request, chunk_id: str) -> Response:
    """A passage with the passages around it in its report."""
    web = web_of(request)
    language = web.commands.language(reader_of(request))
    reply = await web.light(web.commands.context, reader_of(request), chunk_id)
    actions = Markup(f'<nav class="actions"><a class="action" href="{escape(passage_url(chunk_id, "cite"))}">'
                     f'{escape(text("quote", language))}</a>'
                     f'<form class="action" method="post" action="/notebook/save">{_hidden(chunk_id=chunk_id)}'
                     f'<button>{escape(text("btn_save", language, n="▸"))}</button></form></nav>')
    return page(request, reply_html(reply) + actions)


@router.get("/passages/{chunk_id}/cite", response_class=HTMLResponse)
async def cite(request: Request, chunk_id: str) -> Response:
    """A passage quoted with its in-text citation and its GB/T 7714 reference, each with a copy button."""
    web = web_of(request)
    reply = await web.light(web.commands.cite, reader_of(request), chunk_id)
    return page(request, reply_html(reply))


@router.get("/sources", response_class=HTMLResponse)
async def sources(request: Request) -> Response:
    """The reports answers are drawn from."""
    web = web_of(request)
    return page(request, reply_html(await web.light(web.commands.sources, reader_of(request))))


@router.get("/places", response_class=HTMLResponse)
async def places(request: Request) -> Response:
    """Places with their report counts, each a link to its digest."""
    web = web_of(request)
    return page(request, reply_html(await web.light(web.commands.places, reader_of(request))))


@router.get("/places/{name}", response_class=HTMLResponse)
async def place(request: Request, name: str) -> Response:
    """A place's digest: named practices (each a link to the passage), reports, places within."""
    web = web_of(request)
    reply = await web.call(web.commands.place, reader_of(request), name)
    return page(request, reply_html(reply), query=Query("", name))


@router.get("/notebook", response_class=HTMLResponse)
async def notebook(request: Request) -> Response:
    """The passages this reader saved, with remove buttons and the four export files."""
    web = web_of(request)
    user = reader_of(request)
    reply = await web.light(web.commands.show_notebook, user, surface="telegram")
    saved = web.commands.notebook.entries(user)
    language = web.commands.language(user)
    parts = []
    if saved:
        remove = "".join(
            f'<form class="action" method="post" action="/notebook/remove">{_hidden(chunk_id=entry.chunk_id)}'
            f'<button>{escape(text("web_remove", language))} {number}</button></form>'
            for number, entry in enumerate(saved, 1))
        exports = "".join(f'<a class="action" download href="/notebook/export/{fmt}">{label}</a>'
                          for fmt, label in (("docx", "Word .docx"), ("md", "Markdown .md"), ("ris", "RIS .ris"),
                                             ("csl", "CSL-JSON .json")))
        parts.append(f'<nav class="actions">{remove}</nav>')
        parts.append(f'<nav class="actions export"><strong>{escape(text("web_export", language))}</strong>{exports}</nav>')
        parts.append(f'<form class="action" method="post" action="/notebook/clear">'
                     f'<button>{escape(text("web_clear", language))}</button></form>')
    return page(request, reply_html(reply) + Markup("".join(parts)))


def _back(to: str) -> str:
    # Only this site's own answer pages are places to return to; anything else goes to the notebook.
    return to if to.startswith("/answers/") and "//" not in to else "/notebook"


@router.post("/notebook/save", response_class=HTMLResponse)
async def save(request: Request, chunk_id: str = Form(...), back: str = Form("")) -> Response:
    """Saves a passage, then goes back to the answers it came from with a notice above them."""
    web = web_of(request)
    key = back.removeprefix("/answers/").partition("?")[0]
    asked = web.questions.recall(key) if key else None
    notice = await web.light(web.commands.save, reader_of(request), chunk_id,
                            question=asked.question if asked else "")
    return _after_post(request, notice, _back(back))


@router.post("/notebook/remove", response_class=HTMLResponse)
async def remove(request: Request, chunk_id: str = Form(...)) -> Response:
    """Takes one passage out of the notebook."""
    web = web_of(request)
    return _after_post(request, await web.light(web.commands.unsave, reader_of(request), chunk_id), "/notebook")


@router.post("/notebook/clear", response_class=HTMLResponse)
async def clear(request: Request) -> Response:
    """Empties the notebook."""
    web = web_of(request)
    return _after_post(request, await web.light(web.commands.clear_notebook, reader_of(request)), "/notebook")


@router.get("/notebook/export/{fmt}")
async def export(request: Request, fmt: str) -> Response:
    """One export file of the notebook: docx, md, ris or csl."""
    web = web_of(request)
    reply, files = await web.light(web.commands.export, reader_of(request), today=datetime.date.today())
    if not files:
        return page(request, reply_html(reply), status=404)
    return export_response(files, fmt)


@router.get("/settings", response_class=HTMLResponse)
async def settings_page(request: Request) -> Response:
    """The reader's language and script of quotes."""
    web = web_of(request)
    user = reader_of(request)
    language, current = web.commands.language(user), web.commands.prefs.get(user).script

    def options(choices: Sequence[tuple[str, str]], chosen: str) -> str:
        return "".join(f'<option value="{value}"{" selected" if value == chosen else ""}>{escape(label)}</option>'
                       for value, label in choices)

    scripts = [(name, text(f"script_{name}", language)) for name in SCRIPT_CHOICES]
    form = (f'<form method="post" action="/settings" class="settings">'
            f'<label>{escape(text("web_language", language))} <select name="language">'
            f'{options([("zh", "中文"), ("en", "English")], language)}</select></label>'
            f'<label>{escape(text("web_script", language))} <select name="script">{options(scripts, current)}</select>'
            f'</label><button>{escape(text("web_apply", language))}</button></form>')
    return page(request, Markup(form))


@router.post("/settings", response_class=HTMLResponse)
async def settings_apply(request: Request, language: str = Form("zh"), script: str = Form("auto")) -> Response:
    """Applies the settings form through the same commands as /language and /script."""
    web = web_of(request)
    user = reader_of(request)
    first = web.commands.set_language(user, language)
    second = web.commands.script(user, script)
    return _after_post(request, Reply(first.layout + second.layout), "/settings")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, token: str = Form("")) -> Response:
    """Checks the access token once and keeps a digest of it in a cookie."""
    web = web_of(request)
    expected = web.settings.access_token.get_secret_value() if web.settings.access_token else ""
    if not expected or not token_matches(token.strip(), expected):
        return login_page(request, web.commands.language(reader_of(request)), message="web_bad_token")
    redirect = RedirectResponse("/", status_code=303)
    redirect.set_cookie(ACCESS_COOKIE, access_cookie_value(expected), httponly=True, samesite="lax",
                        secure=web.settings.secure_cookies)
    return redirect


@router.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    """For a reverse proxy's or orchestrator's health check."""
    return {"status": "ok"}
