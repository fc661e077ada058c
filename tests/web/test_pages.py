"""The pages: asking and reading without JavaScript, the shared buttons as links and forms, notebook, settings."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from bot.replies.layout import Block, Span, text_block
from bot.web.html import layout_html

COURIER = "001_744f9100ef1c3714:1"
COURIER_URL = "001_744f9100ef1c3714%3A1"


def test_the_home_page_asks_with_a_plain_form(client: TestClient) -> None:
    page = client.get("/")

    assert page.status_code == 200
    assert '<form class="ask" method="post" action="/ask">' in page.text
    assert '<option value="南山區">' in page.text  # places offered in the place field
    assert "党建引领基层治理 · 报告问答" in page.text


def test_an_answer_page_marks_the_best_sentence_and_links_each_passage(client: TestClient) -> None:
    page = client.post("/ask", data={"q": "快遞騎手"})

    assert page.status_code == 200
    assert "<mark>南山區成立快遞騎手黨支部，組織快遞騎手參與社區治理。</mark>" in page.text
    assert f'href="/passages/{COURIER_URL}/context">[1] 上下文</a>' in page.text
    assert f'href="/passages/{COURIER_URL}/cite">[1] 引用</a>' in page.text
    assert f'<input type="hidden" name="chunk_id" value="{COURIER}">' in page.text
    assert '<html lang="zh-Hant">' in page.text  # asked in Traditional: shown in it, with its fonts


def test_asking_redirects_to_a_page_whose_address_holds_no_question(client: TestClient) -> None:
    page = client.post("/ask", data={"q": "治理"})

    assert page.history[0].status_code == 303
    assert re.fullmatch(r"/answers/[0-9a-f]{16}", page.url.path)
    assert "治理" not in str(page.url)


def test_more_results_link_to_the_next_offset(client: TestClient) -> None:
    first = client.post("/ask", data={"q": "治理"})
    more = re.search(r'<a class="action more" href="(/answers/\w+\?offset=2)">', first.text)
    assert more is not None

    second = client.get(more.group(1))

    assert "第 3–" in second.text


def test_an_unknown_answer_key_says_the_page_has_expired(client: TestClient) -> None:
    page = client.get("/answers/000000000000")

    assert page.status_code == 404 and "这个按钮对应的问题已找不到，请重新提问。" in page.text


def test_a_blank_question_gets_the_engines_message(client: TestClient) -> None:
    page = client.post("/ask", data={"q": " ？"})

    assert page.status_code == 422 and "请输入具体的问题，" in page.text


def test_a_place_typed_as_a_command_opens_its_digest(client: TestClient) -> None:
    digest = client.post("/ask", data={"q": "/place 南山"})

    assert digest.url.path == "/places/南山"
    assert "五邻营造" in digest.text
    assert f'href="/passages/{COURIER_URL}/context">▸ 移動探頭</a>' in digest.text


def test_the_chats_slash_commands_work_in_the_question_box(client: TestClient) -> None:
    page = client.post("/ask", data={"q": "/sources"})

    assert "共 3 份报告" in page.text


def test_context_and_cite_pages(client: TestClient) -> None:
    context = client.get(f"/passages/{COURIER_URL}/context")
    cite = client.get(f"/passages/{COURIER_URL}/cite")

    assert context.text.count("<blockquote>") == 3 and "▶ 所引段落" in context.text
    assert '<pre id="copy-1">' in cite.text and 'data-copy="copy-2"' in cite.text
    assert "参考文献（GB/T 7714—2015）" in cite.text


def test_saving_from_an_answer_shows_the_answer_again_with_a_notice(client: TestClient) -> None:
    answer = client.post("/ask", data={"q": "快遞騎手"})
    back = answer.url.path

    saved = client.post("/notebook/save", data={"chunk_id": COURIER, "back": back})
    again = client.get(back)
    notebook = client.get("/notebook")

    assert saved.url.path == back
    assert '<div class="notice" role="status">' in saved.text and "已收藏" in saved.text
    assert "<mark>" in saved.text
    assert "已收藏" not in again.text  # a notice is shown once
    assert "筆記本：1 段" in notebook.text  # "auto" script: the reader's last question was in Traditional
    assert 'href="/notebook/export/docx"' in notebook.text


def test_removing_and_exporting_from_the_notebook_page(client: TestClient) -> None:
    client.post("/notebook/save", data={"chunk_id": COURIER})
    client.post("/notebook/save", data={"chunk_id": "002_bcc05597e0a5e93c:0"})

    exported = client.get("/notebook/export/md")
    removed = client.post("/notebook/remove", data={"chunk_id": COURIER})

    assert exported.headers["content-type"].startswith("text/markdown")
    assert exported.text.startswith("# 摘录笔记")
    assert removed.url.path == "/notebook"
    assert "已从笔记本移除，现有 1 段。" in removed.text and "笔记本：1 段" in removed.text


def test_saving_never_sends_the_browser_off_the_site(client: TestClient) -> None:
    saved = client.post("/notebook/save", data={"chunk_id": COURIER, "back": "https://evil.example/answers/x"})

    assert saved.url.path == "/notebook"


def test_an_unknown_export_format_is_named(client: TestClient) -> None:
    client.post("/notebook/save", data={"chunk_id": COURIER})

    page = client.get("/notebook/export/pdf")

    assert page.status_code == 400
    assert "没有“pdf”这种导出格式：可选 docx、md、ris、csl。" in page.text


def test_settings_switch_the_pages_language(client: TestClient) -> None:
    client.post("/settings", data={"language": "en", "script": "traditional"})

    page = client.post("/ask", data={"q": "治理"})

    assert '<html lang="en">' in page.text
    assert ">Ask</button>" in page.text and "[1] context" in page.text


def test_an_unknown_passage_page_says_so_in_the_readers_language(client: TestClient) -> None:
    page = client.get("/passages/nope%3A1/context")

    assert page.status_code == 404
    assert '<p class="message">找不到这段文字，索引可能已经更新，请重新提问。</p>' in page.text


def test_an_unknown_page_is_a_page(client: TestClient) -> None:
    page = client.get("/nowhere")

    assert page.status_code == 404 and "找不到这个页面。" in page.text


def test_report_text_is_escaped_and_styles_become_tags() -> None:
    layout = ((text_block((Span("<b>标签</b> & “引号”", "bold"), Span("注", "italic"))),
               Block(((Span("» "), Span("预览", "mark")),), "preview"),
               Block(((Span("前"), Span("最好", "mark"), Span("<script>")),), "quote")),)

    html = str(layout_html(layout))

    assert "<strong>&lt;b&gt;标签&lt;/b&gt; &amp; “引号”</strong><em>注</em>" in html
    assert "预览" not in html  # a page shows the whole passage, so Telegram's preview line is left out
    assert "<blockquote>前<mark>最好</mark>&lt;script&gt;</blockquote>" in html
    assert not re.search(r"<script", html)
