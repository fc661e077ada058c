"""Every word the assistant says around the passages, in Chinese and in English: one language per reader.

Report text, titles and references stay as the reports give them; labels, help, notices and errors
come from here, so an English conversation carries no Chinese label and a Chinese one no English.
"""

from __future__ import annotations

import re
from typing import Literal

from index.errors import QaError

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
# What a reader may type after /language.
LANGUAGE_WORDS: dict[str, Language] = {
    "zh": "zh", "cn": "zh", "chinese": "zh", "中文": "zh", "汉语": "zh", "漢語": "zh",
    "en": "en", "english": "en", "英文": "en", "英语": "en", "英語": "en",
}

_TEXTS: dict[str, tuple[str, str]] = {
    # answers
    "question": ("问题：", "Question: "),
    "place": ("地点：", "Place: "),
    "doubtful": ("⚠ 措辞可能与原文不同，引用前请核对原始出处。",
                 "⚠ Wording may differ from the original; check the source before quoting."),
    "range": ("第 {first}–{last} 条，共 {total} 条", "{first}–{last} of {total}"),
    "no_more": ("没有更多结果了。", "No more results."),
    "nothing": ("报告里没有能回答这个问题的内容。", "Nothing in the reports answers this question."),
    "covers": ("报告涉及：", "The reports cover: "),
    "places_covered": ("涉及的地方：", "Places they cover: "),
    "rephrase": ("可以换个说法再问，或用 /places 看看有哪些地方。",
                 "Try other words, or send /places to see the places covered."),
    "key_terms": ("", "Key terms: "),
    # help
    "title": ("党建引领基层治理 · 报告问答", "Party-building-led grassroots governance · questions to the reports"),
    "intro": ("我从 {reports} 份报告里找出回答问题的原文段落，并注明出处；我不编写答案。",
              "I answer with passages quoted from {reports} reports, each with its source; I never write answers."),
    "ask_in": ("可以用中文（简体或繁体）或英文提问。", "Ask in English or Chinese."),
    "try": ("可以这样问", "Try"),
    "commands": ("命令", "Commands"),
    "help_places": ("地方：", "Places: "),
    "help_topics": ("主题：", "Topics: "),
    "cmd_sources": ("/sources — 报告列表", "/sources — the reports"),
    "cmd_places": ("/places — 地方与报告数", "/places — places and their reports"),
    "cmd_place": ("/place 南山 — 某地的做法、报告和下属地方", "/place Nanshan — a place's practices, reports and places"),
    "cmd_place_question": ("/place 南山 快递骑手 — 只在某地的报告里查找", "/place Nanshan couriers — ask about one place only"),
    "cmd_script": ("/script 简体 | 繁体 | 原文 | auto — 引文字体（auto 跟随提问）",
                   "/script simplified | traditional | original | auto — script of quotes (auto follows your question)"),
    "cmd_language": ("/language en — 改用英文", "/language zh — switch to Chinese"),
    "cmd_notebook": ("/notebook — 收藏的段落；/export — 导出 Word、Markdown、RIS/CSL-JSON",
                     "/notebook — saved passages; /export — Word, Markdown, RIS/CSL-JSON files"),
    "cmd_buttons": ("答案下的按钮：上下文、引用、收藏、更多结果", "Buttons under answers: context, cite, save, more"),
    "cmd_inline": ("在任何聊天输入 @{bot} 红色物业 可插入段落", "Type @{bot} red property in any chat to insert passages"),
    "cmd_more": ("more — 更多结果；/context 2 — 第 2 条的上下文；/cite 2 — 第 2 条的引用",
                 "more — more results; /context 2 — around result 2; /cite 2 — cite result 2"),
    "cmd_save": ("/save 2 — 收藏第 2 条；/notebook — 笔记本；/export [文件夹] — 导出文件",
                 "/save 2 — save result 2; /notebook — saved passages; /export [folder] — write the files"),
    "cmd_quit": ("/quit — 退出（或 Ctrl-D）", "/quit — leave (or Ctrl-D)"),
    # lists
    "reports_count": ("共 {n} 份报告", "{n} reports"),
    "no_places": ("报告里没有标注地方。", "The reports name no places."),
    "places_title": ("地方", "Places"),
    "place_count": ("{name} — {count} 份报告", "{name} — {count} reports"),
    "places_hint": ("点按钮或发送 /place 地名 查看做法。", "Tap a place or send /place <name> for its practices."),
    "place_reports": ("：{n} 份报告", ": {n} reports"),
    "place_reports_more": ("另有 {n} 份报告；/sources 列出全部报告", "{n} more reports; /sources lists every report"),
    "practices": ("做法", "Practices"),
    "reports": ("报告", "Reports"),
    "places_under": ("下属地方", "Places within"),
    "place_only": ("只在这里查找：/place {place} 你的问题", "Ask about this place only: /place {place} <question>"),
    # context and citing
    "context": ("上下文：", "Context: "),
    "cited": ("▶ 所引段落", "▶ cited passage"),
    "before": ("前文", "before"),
    "after": ("后文", "after"),
    "quote": ("引用这段原文", "Quote"),
    "reference": ("参考文献（GB/T 7714—2015）", "Reference (GB/T 7714—2015)"),
    "original_source": ("原始出处：", "Original source: "),
    # buttons
    "btn_context": ("[{n}] 上下文", "[{n}] context"),
    "btn_cite": ("[{n}] 引用", "[{n}] cite"),
    "btn_save": ("[{n}] 收藏", "[{n}] save"),
    "btn_more": ("更多结果 ▸ ({n}–)", "More ▸ ({n}–)"),
    # terminal hints
    "hint_more": ("more 更多结果", "more: more results"),
    "hint_context": ("/context {n} 上下文", "/context {n}: context"),
    "hint_cite": ("/cite {n} 引用", "/cite {n}: cite"),
    "hint_save": ("/save {n} 收藏", "/save {n}: save"),
    "ask_first": ("请先提一个问题。", "Ask a question first."),
    "no_result": ("没有第 {n} 条结果；请先提问，再用结果前的编号。", "There is no result {n}; ask a question, then use its numbers."),
    "banner": ("报告问答 · /help 查看用法，/quit 退出。", "Questions to the reports · /help for help, /quit to leave."),
    "interrupted": ("（已中断）", "(interrupted)"),
    "cannot_write": ("无法写入 {path}：{reason}", "Cannot write {path}: {reason}"),
    # notebook
    "saved": ("已收藏，笔记本里现有 {n} 段。/notebook 查看，/export 导出。",
              "Saved; the notebook holds {n}. /notebook to see it, /export to export it."),
    "saved_in_memory": ("已收藏，但暂时无法写入磁盘（磁盘可能已满）：重启前请 /export 导出；空间恢复后下次收藏时会自动写入。",
                        "Saved, but it could not be written to disk (it may be full): /export before a restart; it is "
                        "written at the next save once there is room."),
    "passage_changed": ("注意：这份报告在回答之后有改动，这一段已不是当时显示的文字。以下是报告现在的文字。",
                        "Note: the report changed after this answer; this passage no longer reads as shown then. "
                        "Below is the report's current text."),
    "passage_changed_save": ("这份报告在回答之后有改动，这一段已不是当时显示的文字，所以没有收藏。请重新提问。",
                             "The report changed after this answer, so this passage was not saved. Please ask again."),
    "notebook_changed": ("笔记本保存的是收藏时的原文。其中 {changed} 段的报告此后有改动，{gone} 段已不在索引中。",
                         "The notebook keeps the text as saved. Since then {changed} of these passages changed in "
                         "their reports and {gone} are no longer in the index."),
    "already_saved": ("这段已经在笔记本里了。/notebook 查看。", "That passage is already in the notebook. /notebook to see it."),
    "notebook_full": ("笔记本已满（{n} 段）。请先 /export 导出，再 /notebook clear 清空。",
                      "The notebook is full ({n} passages). /export it, then /notebook clear."),
    "notebook_empty": ("笔记本是空的。在答案下点“收藏”（终端里用 /save 2）保存段落。",
                       "The notebook is empty. Tap “save” under a passage (/save 2 in the terminal)."),
    "notebook_title": ("笔记本：{n} 段", "Notebook: {n} passages"),
    "notebook_missing": ("另有 {n} 段已不在索引中，导出时略去。", "{n} more are no longer in the index and are left out."),
    "notebook_export": ("/export — 导出 Word、Markdown、RIS 和 CSL-JSON", "/export — Word, Markdown, RIS and CSL-JSON files"),
    "notebook_export_terminal": ("/export [文件夹] — 导出 Word、Markdown、RIS 和 CSL-JSON 文件",
                                 "/export [folder] — write Word, Markdown, RIS and CSL-JSON files"),
    "notebook_clear": ("/notebook clear — 清空笔记本", "/notebook clear — empty the notebook"),
    "removed": ("已从笔记本移除，现有 {n} 段。", "Removed; the notebook holds {n}."),
    "not_in_notebook": ("这段不在笔记本里。", "That passage is not in the notebook."),
    "notebook_cleared": ("笔记本已清空（{n} 段）。", "The notebook is empty now ({n} removed)."),
    "nothing_to_export": ("笔记本是空的，没有可导出的段落。", "The notebook is empty: nothing to export."),
    "exported": ("已导出 {n} 段{skipped}：Word 带脚注和参考文献表，Markdown，RIS 与 CSL-JSON 可导入 Zotero、EndNote、NoteExpress。",
                 "Exported {n} passages{skipped}: Word with footnotes and a reference list, Markdown, and RIS and "
                 "CSL-JSON for Zotero, EndNote and NoteExpress."),
    "export_skipped": ("（{n} 段已不在索引中，略去）", " ({n} no longer in the index, left out)"),
    "export_title": ("摘录笔记", "Notebook"),
    "export_references": ("参考文献", "References"),
    "export_source": ("出处", "Source"),
    "export_date": ("导出日期", "Exported"),
    "export_quotes": ("引文字体：{name}；参考文献按原始记录著录，不转换字体", "Quotes in {name}; references as recorded, never converted"),
    "script_as_reported": ("各报告原文的字体", "each report's own script"),
    # settings
    "script_now": ("引文字体：{name}", "Script of quotes: {name}"),
    "script_unknown": ("不认识“{word}”。可选：auto、简体、繁体、原文。",
                       "“{word}” is not a choice: auto, simplified, traditional or original."),
    "script_auto": ("跟随提问的字体", "your question's script"),
    "script_simplified": ("简体", "Simplified"),
    "script_traditional": ("繁体", "Traditional"),
    "script_original": ("报告原文的字体", "the report's own"),
    "language_now": ("界面语言：中文。/language en 改用英文。", "Language: English. /language zh for Chinese."),
    "language_unknown": ("不认识“{word}”。可选：zh（中文）、en（English）。", "“{word}” is not a choice: en or zh."),
    # web page (bot/web): labels of its forms, links and navigation
    "web_ask": ("提问", "Ask"),
    "web_question": ("问题", "Question"),
    "web_place": ("地点（可不填）", "Place (optional)"),
    "web_any_place": ("所有地方", "All places"),
    "web_places": ("地方", "Places"),
    "web_notebook": ("笔记本", "Notebook"),
    "web_settings": ("设置", "Settings"),
    "web_language": ("界面语言", "Language"),
    "web_script": ("引文字体", "Script of quotes"),
    "web_apply": ("保存设置", "Apply"),
    "web_copy": ("复制", "Copy"),
    "web_copied": ("已复制", "Copied"),
    "web_remove": ("移除", "Remove"),
    "web_clear": ("清空笔记本", "Empty the notebook"),
    "web_export": ("导出：", "Export: "),
    "web_token": ("访问口令", "Access token"),
    "web_enter": ("进入", "Enter"),
    "web_need_token": ("这个站点需要访问口令。", "This site needs an access token."),
    "web_bad_token": ("访问口令不对。", "That access token is wrong."),
    "web_refused": ("这个地址不能访问本站。", "This address may not use this site."),
    "web_slow_down": ("请求太多，请稍等片刻再试。", "Too many requests; please wait a moment."),
    "web_not_found": ("找不到这个页面。", "There is no such page."),
    # errors
    "apology": ("抱歉，处理这条消息时出了点问题，请稍后再试。", "Sorry, something went wrong; please try again."),
    "stale_button": ("这个按钮对应的问题已找不到，请重新提问。", "This button has expired; please ask again."),
    "err_empty": ("请输入具体的问题，例如“南山区怎么发动快递骑手参与治理”。",
                  "Please type a question, for example “How did Nanshan involve courier riders?”"),
    "err_too_long": ("问题太长（{chars} 字），请精简到 {limit} 字以内。",
                     "That question is too long ({chars} characters); please keep it under {limit}."),
    "err_place": ("报告中没有关于“{place}”的内容。发送 /places 查看报告涉及的地方。",
                  "The reports say nothing about “{place}”. Send /places to see the places they cover."),
    "err_gone": ("找不到这段文字，索引可能已经更新，请重新提问。", "That passage is gone; the index may have been updated. Please ask again."),
    "err_top_k": ("top_k 最多 {limit}。", "top_k must be at most {limit}."),
    "err_report_gone": ("找不到这份报告，索引可能已经更新。", "That report is gone; the index may have been updated."),
}
_LANGUAGE_CODE = re.compile(r"^(zh|en)\b", re.IGNORECASE)
SAMPLE_QUESTIONS = {
    "zh": ("南山区如何组织快递骑手参与基层治理？", "什麼是“紅色物業”？", "/place 栖霞 网格"),
    "en": ("How did Nanshan organise courier riders?", "What is red property management?", "/place Qixia grid"),
}


def text(key: str, language: str, **values: object) -> str:
    """The text for key in a language (Chinese unless "en"), with {placeholders} filled in."""
    zh, en = _TEXTS[key]
    if language != "en":
        return zh.format(**values)
    # English counts agree with their noun: "1 report", "1 passage", "2 passages".
    return _ONE.sub(r"\1", en.format(**values))


_ONE = re.compile(r"(?<![\d.,])(1 (?:report|passage|result|question|place))s\b")


def language_from_code(code: str | None) -> Language:
    """A reader's language from Telegram's language_code: Chinese for zh-*, otherwise English."""
    if not code:
        return "zh"
    match = _LANGUAGE_CODE.match(code)
    return "zh" if match and match.group(1).lower() == "zh" else "en"


def error_text(error: QaError, language: str) -> str:
    """An expected error in the reader's language, worded from its code and fields (never parsed from its message).

    Errors without words here (index or settings trouble for the operator) keep their own message.
    """
    key = _ERROR_WORDS.get(error.code)
    if key is None:
        return str(error)
    return text(key, language, **error.fields)


_ERROR_WORDS = {"empty_question": "err_empty", "question_too_long": "err_too_long", "unknown_place": "err_place",
                "unknown_passage": "err_gone", "unknown_report": "err_report_gone", "too_many_passages": "err_top_k"}