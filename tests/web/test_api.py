"""The HTTP JSON API: the same commands and notices as the chat and `index ask --json`, per-reader notebooks."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import rispy
from fastapi.testclient import TestClient

from bot.web.app import build_app
from bot.web.settings import WebSettings
from index.records import Answer, Understanding
from tests.fakes import FailingEngine, FakeEngine

COURIER = "001_744f9100ef1c3714:1"
RED = "002_bcc05597e0a5e93c:1"


class FutianEngine(FakeEngine):
    """A FakeEngine whose answers carry the notice the real engine gives for a place no report covers."""

    def answer(self, question: str, *, place: str | None = None, offset: int = 0, limit: int | None = None) -> Answer:
        answer = super().answer(question, place=place, offset=offset, limit=limit)
        return dataclasses.replace(answer, understood=Understanding(places_not_covered=("福田区",)))


def test_ask_returns_the_fields_of_ask_json_with_the_reply_text(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "快遞騎手"})

    body = response.json()
    assert response.status_code == 200
    assert {"question", "abstained", "places", "understood", "results"} <= body.keys()
    assert [r["chunk_id"] for r in body["results"]][0] == COURIER
    assert body["results"][0]["rank"] == 1
    assert body["understood"]["notices"] == []
    assert "[1] 《" in body["text"]
    assert body["language"] == "zh"


def test_ask_carries_the_notice_for_a_place_no_report_covers(tmp_path: Path) -> None:
    app = build_app(FutianEngine(), WebSettings(state_dir=tmp_path))

    with TestClient(app) as client:
        body = client.post("/api/ask", json={"question": "福田区 治理"}).json()

    assert body["understood"]["places_not_covered"] == ["福田区"]
    assert body["understood"]["notices"][0]["code"] == "place_not_covered"  # the same structured notice as ask --json
    assert body["understood"]["notices"][0]["text"].startswith("报告中没有关于福田区的内容")
    assert body["text"].startswith("⚠ 报告中没有关于福田区的内容")


def test_ask_honours_top_k_offset_and_place(client: TestClient) -> None:
    first = client.post("/api/ask", json={"question": "治理", "top_k": 1}).json()
    second = client.post("/api/ask", json={"question": "治理", "top_k": 1, "offset": 1}).json()
    placed = client.post("/api/ask", json={"question": "治理", "place": "天府新区", "top_k": 5}).json()

    assert len(first["results"]) == 1 and first["next_offset"] == 1
    assert second["results"][0]["rank"] == 2
    assert second["results"][0]["chunk_id"] != first["results"][0]["chunk_id"]
    assert {r["doc_id"] for r in placed["results"]} == {"002_bcc05597e0a5e93c"}


def test_ask_shows_passages_in_the_script_asked_for(client: TestClient) -> None:
    simplified = client.post("/api/ask", json={"question": "快遞騎手", "script": "simplified"}).json()
    original = client.post("/api/ask", json={"question": "快遞騎手", "script": "original"}).json()

    assert simplified["script"] == "simplified"
    assert "党支部" in simplified["results"][0]["text"]
    assert "黨支部" in original["results"][0]["text"]


def test_top_k_beyond_the_limit_is_refused_in_one_line(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "治理", "top_k": 500})

    assert response.status_code == 400
    assert response.json()["error"] == "top_k 最多 20。"


def test_a_field_of_the_wrong_type_is_named(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "治理", "top_k": "many"})

    assert response.status_code == 422
    assert response.json()["error"].startswith("top_k: ")
    assert "\n" not in response.json()["error"]


def test_a_blank_question_gets_the_engines_message(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "  ？ "})

    assert response.status_code == 422
    assert response.json() == {"error": "请输入具体的问题，例如“南山区怎么发动快递骑手参与治理”。", "code": "empty_question"}


def test_passage_context_and_cite(client: TestClient) -> None:
    passage = client.get(f"/api/passages/{COURIER}").json()
    context = client.get(f"/api/passages/{COURIER}/context").json()
    cite = client.get(f"/api/passages/{COURIER}/cite").json()

    assert passage["chunk_id"] == COURIER and "快递骑手" in passage["text"]  # a new reader's script: simplified
    assert [(p["chunk_id"], p["cited"]) for p in context["passages"]] == [
        ("001_744f9100ef1c3714:0", False), (COURIER, True), ("001_744f9100ef1c3714:2", False)]
    assert cite["reference"].startswith("在黨的全面領導下構建社會治理共同體")
    assert "参考文献（GB/T 7714—2015）" in cite["text"]


def test_an_unknown_passage_is_404_with_the_engines_message(client: TestClient) -> None:
    response = client.get("/api/passages/nope:1")

    assert response.status_code == 404
    assert response.json() == {"error": "找不到这段文字，索引可能已经更新，请重新提问。", "code": "unknown_passage"}


def test_places_and_a_place_digest(client: TestClient) -> None:
    places = client.get("/api/places").json()
    digest = client.get("/api/places/南山").json()

    assert {"name": "南山區", "reports": 1} in places["places"]
    assert digest["place"] == "南山區"
    assert [r["doc_id"] for r in digest["reports"]] == ["001_744f9100ef1c3714"]
    assert [(p["name"], p["chunk_id"]) for p in digest["practices"]] == [("五鄰營造", "001_744f9100ef1c3714:2"),
                                                                         ("移動探頭", COURIER)]


def test_notebook_saves_lists_removes_and_clears(client: TestClient) -> None:
    saved = client.post("/api/notebook", json={"chunk_id": COURIER, "question": "快遞騎手"}).json()
    client.post("/api/notebook", json={"chunk_id": RED})
    removed = client.delete(f"/api/notebook/{COURIER}").json()
    cleared = client.delete("/api/notebook").json()

    assert saved["message"].startswith("已收藏，笔记本里现有 1 段")
    assert [(p["chunk_id"], p["question"]) for p in saved["passages"]] == [(COURIER, "快遞騎手")]
    assert [p["chunk_id"] for p in removed["passages"]] == [RED]
    assert removed["message"] == "已从笔记本移除，现有 1 段。"
    assert cleared["passages"] == [] and cleared["message"] == "笔记本已清空（1 段）。"


def test_notebook_exports_each_format(client: TestClient) -> None:
    client.post("/api/notebook", json={"chunk_id": COURIER})
    client.post("/api/notebook", json={"chunk_id": RED})

    docx = client.get("/api/notebook/export/docx")
    markdown = client.get("/api/notebook/export/md")
    ris = client.get("/api/notebook/export/ris")
    csl = client.get("/api/notebook/export/csl")

    assert "word/footnotes.xml" in zipfile.ZipFile(io.BytesIO(docx.content)).namelist()
    assert docx.headers["content-disposition"].startswith('attachment; filename="notebook-')
    assert markdown.text.count("[^") == 4  # two quotes, each with a footnote mark and its note
    # Titles as their records have them (001's record is in Traditional): citation data is never converted.
    assert [entry["title"][:7] for entry in rispy.loads(ris.text)] == ["在黨的全面領導", "发挥“两新”组"]
    assert [item["id"] for item in json.loads(csl.text)] == ["001_744f9100ef1c3714", "002_bcc05597e0a5e93c"]


def test_an_empty_notebook_has_nothing_to_export(client: TestClient) -> None:
    response = client.get("/api/notebook/export/md")

    assert response.status_code == 404
    assert response.json()["error"] == "笔记本是空的，没有可导出的段落。"


def test_no_reader_sees_another_readers_notebook(web_app: object) -> None:
    with TestClient(web_app) as alice, TestClient(web_app) as bob:  # type: ignore[arg-type]
        alice.post("/api/notebook", json={"chunk_id": COURIER})

        assert [p["chunk_id"] for p in alice.get("/api/notebook").json()["passages"]] == [COURIER]
        assert bob.get("/api/notebook").json()["passages"] == []


def test_api_clients_name_their_readers_with_a_header(client: TestClient) -> None:
    one, two = {"X-Reader": "wecom-user-0001-abcdef"}, {"X-Reader": "wecom-user-0002-abcdef"}

    client.post("/api/notebook", json={"chunk_id": RED}, headers=one)

    assert [p["chunk_id"] for p in client.get("/api/notebook", headers=one).json()["passages"]] == [RED]
    assert client.get("/api/notebook", headers=two).json()["passages"] == []


def test_settings_change_the_language_of_replies(client: TestClient) -> None:
    changed = client.put("/api/settings", json={"language": "en", "script": "traditional"}).json()
    body = client.post("/api/ask", json={"question": "快遞騎手"}).json()

    assert changed == {"language": "en", "script": "traditional"}
    assert body["language"] == "en" and body["script"] == "traditional"
    assert body["text"].startswith("Question: ")


def test_openapi_describes_every_endpoint(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()

    assert sorted(spec["paths"]) == [
        "/api/ask", "/api/notebook", "/api/notebook/export/{fmt}", "/api/notebook/{chunk_id}", "/api/passages/{chunk_id}",
        "/api/passages/{chunk_id}/cite", "/api/passages/{chunk_id}/context", "/api/places", "/api/places/{name}",
        "/api/settings"]


def test_an_unexpected_error_is_an_apology_without_its_details(tmp_path: Path) -> None:
    app = build_app(FailingEngine(), WebSettings(state_dir=tmp_path))

    with TestClient(app) as client:
        response = client.post("/api/ask", json={"question": "快遞騎手"})

    assert response.status_code == 500
    assert response.json() == {"error": "抱歉，处理这条消息时出了点问题，请稍后再试。", "code": "internal_error"}
