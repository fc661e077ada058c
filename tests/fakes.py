"""Deterministic stand-ins at the project's seams, shared by the tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


class FakeEmbedder:
    """Embeds text as normalised hashed character bigrams, so texts sharing words are close."""

    name = "fake-bigram-64"
    dimension = 64
    runtime = "fake"
    precision = "float32"
    batch_size = 32

    def _encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:]):
                bucket = hashlib.blake2b((a + b).encode(), digest_size=4).digest()
                vectors[row, int.from_bytes(bucket, "little") % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encode(texts)


# --- Bot front ends: FakeEngine (the AnswerEngine API over three hand-made reports) and FakeBotApi ---

import email.policy  # noqa: E402
import json  # noqa: E402  (appended section; imports kept next to the fakes that need them)
import re  # noqa: E402
from collections import Counter  # noqa: E402
from email.parser import BytesParser  # noqa: E402
from http.server import BaseHTTPRequestHandler  # noqa: E402
from urllib.parse import parse_qsl  # noqa: E402

import httpx  # noqa: E402

from index.places.digest import digest  # noqa: E402
from index.store.passages import report_heading  # noqa: E402
from index.errors import EmptyQuestionError, QuestionTooLongError, UnknownItemError  # noqa: E402
from index.records import Answer, Chunk, Citation, Document, Hit, PlaceSummary  # noqa: E402


def _report(doc: Document, sections_and_texts: Sequence[tuple[str, str]]) -> tuple[Document, list[Chunk]]:
    """A Document whose text is its passages joined, with chunks and offsets that agree."""
    chunks: list[Chunk] = []
    text = ""
    for position, (section, passage) in enumerate(sections_and_texts):
        start = len(text)
        text += passage + "\n"
        chunks.append(Chunk(chunk_id=f"{doc.doc_id}:{position}", doc_id=doc.doc_id, position=position,
                            section=section, text=passage, start=start, end=start + len(passage),
                            places=doc.places))
    return Document(**{**{n: getattr(doc, n) for n in Document.__slots__}, "text": text}), chunks


FAKE_REPORTS = [
    _report(
        Document(doc_id="001_744f9100ef1c3714", path="001_744f9100ef1c3714.txt", title="在黨的全面領導下構建社會治理共同體",
                 subtitle="——深圳市南山區的創新實踐與經驗啟示", text="", source="人民論壇", date="2021-09", kind="journal",
                 places=("深圳市", "南山區")),
        [("調研背景", "深圳市南山區把黨組織建在矛盾、問題突出的第一線。各方力量參與基層治理。"),
         ("一、黨建引領", "南山區成立快遞騎手黨支部，組織快遞騎手參與社區治理。騎手們成為城市的“移動探頭”。"),
         ("二、共建共治", "社區推行“五鄰營造”，居民議事會每月召開一次。")],
    ),
    _report(
        Document(doc_id="002_bcc05597e0a5e93c", path="002_bcc05597e0a5e93c.txt", title="发挥“两新”组织优势 提升基层治理效能",
                 text="", source="四川党的建设", date="2022-01-25", author="刘艳梅", places=("成都市", "天府新区"), kind="journal",
                 url="https://example.org/sc/2022.html"),
        [("", "天府新区推动“两新”组织参与基层治理，打造红色物业。"),
         ("红色物业", "红色物业把党支部建在小区，物业服务企业成为治理力量。" + "小区议事协商常态化。" * 30),
         ("成效", "两新党建论坛的主题是引领 融合 发展。")],
    ),
    _report(
        Document(doc_id="003_14ef7fced5c9eca1-2", path="003_14ef7fced5c9eca1.txt", title='<b>标签</b> & "引号"报告',
                 text="", date="2022-07-21"),
        [("<i>小节</i>", '网格员记录<b>&"quoted"</b>的标记文字，网格化治理覆盖全区。')],
    ),
]


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1) if not any(c.isspace() for c in text[i:i + 2])}


class FakeEngine:
    """The AnswerEngine API over FAKE_REPORTS; a passage matches when it shares a character bigram."""

    def __init__(self, *, top_k: int = 3, max_question_chars: int = 2000) -> None:
        self.documents_by_id = {doc.doc_id: doc for doc, _ in FAKE_REPORTS}
        self.chunks_by_id = {c.chunk_id: c for _, chunks in FAKE_REPORTS for c in chunks}
        self.top_k = top_k
        self.max_question_chars = max_question_chars
        self.questions: list[tuple[str, str | None, int]] = []

    def answer(self, question: str, *, place: str | None = None, offset: int = 0, limit: int | None = None) -> Answer:
        question = question.strip()
        self.questions.append((question, place, offset))
        if not question.strip("?？!！。.,， "):
            raise EmptyQuestionError("请输入具体的问题。")
        if len(question) > self.max_question_chars:
            raise QuestionTooLongError(f"问题太长（{len(question)}字），请控制在{self.max_question_chars}字以内。",
                                       chars=len(question), limit=self.max_question_chars)
        wanted = _bigrams(question.lower())
        places = (self.place_summary(place).place,) if place else ()
        scored = [(len(wanted & _bigrams(c.text.lower())), c) for c in self.chunks_by_id.values()
                  if not places or places[0] in c.places]
        ranked = [c for score, c in sorted(scored, key=lambda sc: -sc[0]) if score > 0]
        page = ranked[offset:offset + (limit or self.top_k)]
        hits = tuple(self._hit(c, wanted) for c in page)
        citations = tuple(
            Citation(number=offset + i + 1, doc_id=h.chunk.doc_id, chunk_id=h.chunk.chunk_id,
                     title=self.documents_by_id[h.chunk.doc_id].title, source=self.documents_by_id[h.chunk.doc_id].source,
                     date=self.documents_by_id[h.chunk.doc_id].date, section=h.chunk.section,
                     path=self.documents_by_id[h.chunk.doc_id].path)
            for i, h in enumerate(hits)
        )
        return Answer(question=question, hits=hits, citations=citations, abstained=not ranked, places=places,
                      offset=offset, total=len(ranked))

    def _hit(self, chunk: Chunk, wanted: set[str]) -> Hit:
        sentences = [m for m in re.finditer(r"[^。]+。?", chunk.text)]
        best = max(sentences, key=lambda m: len(wanted & _bigrams(m.group().lower())))
        return Hit(chunk=chunk, score=1.0, best_sentence=best.group(), best_start=best.start(), best_end=best.end())

    def chunk(self, chunk_id: str) -> Chunk:
        if chunk_id not in self.chunks_by_id:
            raise UnknownItemError(f"找不到段落 {chunk_id}。", kind="passage", item=chunk_id)
        return self.chunks_by_id[chunk_id]

    def neighbours(self, chunk_id: str, *, radius: int = 1) -> list[Chunk]:
        chunk = self.chunk(chunk_id)
        return [c for c in self.chunks_by_id.values()
                if c.doc_id == chunk.doc_id and abs(c.position - chunk.position) <= radius]

    def document(self, doc_id: str) -> Document:
        if doc_id not in self.documents_by_id:
            raise UnknownItemError(f"找不到报告 {doc_id}。", kind="report", item=doc_id)
        return self.documents_by_id[doc_id]

    def documents(self) -> list[Document]:
        return list(self.documents_by_id.values())

    def places(self) -> list[tuple[str, int]]:
        counts = Counter(p for doc in self.documents_by_id.values() for p in doc.places)
        return counts.most_common()

    def place_summary(self, place: str) -> PlaceSummary:
        for name, _ in self.places():
            if name.rstrip("市区區新") .startswith(place.rstrip("市区區")) or place == name:
                docs = tuple(d for d in self.documents_by_id.values() if name in d.places)
                practices = tuple(sorted({m for d in docs for m in re.findall(r"“([^”]+)”", d.text)}))
                passages = [c for c in self.chunks_by_id.values() if c.doc_id in {d.doc_id for d in docs}]
                return PlaceSummary(place=name, report_count=len(docs), reports=tuple(map(report_heading, docs)),
                                    practices=practices, digest=digest(practices, passages))
        raise UnknownItemError(f"报告里没有关于“{place}”的内容。", kind="place", place=place)

    def topics(self) -> list[str]:
        return ["红色物业", "快递骑手", "网格化治理"]


class FailingEngine(FakeEngine):
    """A FakeEngine whose answers fail unexpectedly, for error-handler tests."""

    def answer(self, question: str, *, place: str | None = None, offset: int = 0, limit: int | None = None) -> Answer:
        raise RuntimeError("database exploded at /secret/path")


BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Reports", "username": "ReportsBot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
USER = {"id": 7, "is_bot": False, "first_name": "Ann", "language_code": "zh-hans"}


def text_message_payload(text: str, *, update_id: int = 1, message_id: int = 10, chat_type: str = "private",
                         reply_to: dict[str, object] | None = None) -> dict[str, object]:
    """The JSON Telegram sends for a text message, with bot_command/mention entities filled in."""
    entities = [{"type": "bot_command" if m.group().startswith("/") else "mention", "offset": m.start(),
                 "length": m.end() - m.start()} for m in re.finditer(r"^/\w+(@\w+)?|@\w+", text)]
    chat = {"id": 7 if chat_type == "private" else -100, "type": chat_type}
    message: dict[str, object] = {"message_id": message_id, "date": 0, "chat": chat, "from": USER, "text": text}
    if entities:
        message["entities"] = entities
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    return {"update_id": update_id, "message": message}


def callback_payload(data: str, *, question: str | None = "快递骑手", update_id: int = 2) -> dict[str, object]:
    """A button press on one of the bot's answers, which replied to the message holding `question`."""
    message: dict[str, object] = {"message_id": 11, "date": 0, "chat": {"id": 7, "type": "private"},
                                  "from": BOT_USER, "text": "答案"}
    if question is not None:
        message["reply_to_message"] = text_message_payload(question)["message"]
    return {"update_id": update_id, "callback_query": {"id": "cb1", "from": USER, "chat_instance": "ci",
                                                       "data": data, "message": message}}


def inline_query_payload(query: str, *, update_id: int = 3) -> dict[str, object]:
    """Someone typing `@bot <query>` in any chat."""
    return {"update_id": update_id, "inline_query": {"id": "iq1", "from": USER, "query": query, "offset": ""}}


def _form(request: httpx.Request) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return dict(parse_qsl(request.content.decode())), []
    message = BytesParser(policy=email.policy.default).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content)
    params, files = {}, []
    for part in message.iter_parts():
        name, payload = part.get_param("name", header="content-disposition"), part.get_payload(decode=True)
        if part.get_filename():
            files.append((part.get_filename(), payload))
        else:
            params[str(name)] = payload.decode()
    return params, files


def send_json(handler: BaseHTTPRequestHandler, payload: object, status: int = 200) -> None:
    """Answers an http.server request with a JSON body: the fake Bot API servers of the tests and the probe."""
    body = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class FakeBotApi:
    """In-process Bot API: records each call, answers the way Telegram does."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.files: list[tuple[str, bytes]] = []  # (file name, bytes) of every uploaded document

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]  # …/bot<token>/sendMessage
        params, files = _form(request)  # PTB posts form-encoded fields, or multipart with a file
        self.files.extend(files)
        self.calls.append((method, params))
        result: object = True
        if method == "getMe":
            result = BOT_USER
        elif method == "sendDocument":
            result = {"message_id": 100 + len(self.calls), "date": 0, "from": BOT_USER,
                      "chat": {"id": int(params.get("chat_id", 1)), "type": "private"},
                      "document": {"file_id": "f", "file_unique_id": "u", "file_name": files[-1][0] if files else ""}}
        elif method == "sendMessage":
            result = {"message_id": 100 + len(self.calls), "date": 0, "from": BOT_USER,
                      "chat": {"id": int(params.get("chat_id", 1)), "type": "private"}, "text": params.get("text", "")}
        return httpx.Response(200, json={"ok": True, "result": result})

    def sent(self, method: str = "sendMessage") -> list[dict[str, str]]:
        return [params for name, params in self.calls if name == method]

    def sent_texts(self) -> list[str]:
        return [params["text"] for params in self.sent()]

    def buttons(self, index: int = -1) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button under the index-th sent message."""
        markup = json.loads(self.sent()[index].get("reply_markup", '{"inline_keyboard": []}'))
        return [(b["text"], b.get("callback_data", "")) for row in markup["inline_keyboard"] for b in row]
