"""A reader's session in headless Chromium: ask, read, open context, cite, save, export; with and without JavaScript.

Runs where Debian's chromium and chromium-driver are installed (.ci/run installs them); skipped elsewhere.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from bot.web.browser import PHONE_WIDTH_PX, headless_chromium, missing_browser
from bot.web.serve import ServerThread

pytestmark = pytest.mark.skipif(bool(missing_browser()), reason=missing_browser() or "browser present")
DOWNLOAD_WAIT_S = 20


@pytest.fixture
def site(web_app: FastAPI) -> Iterator[str]:
    with ServerThread(web_app) as server:
        yield server.url


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(downloads: Path) -> Iterator[Any]:
    driver = headless_chromium(downloads=downloads)
    yield driver
    driver.quit()


def _ask(browser: Any, site: str, question: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site + "/")
    browser.find_element(By.ID, "q").send_keys(question)
    browser.find_element(By.ID, "ask").click()


def _wait_for_file(folder: Path, suffix: str) -> Path:
    deadline = time.monotonic() + DOWNLOAD_WAIT_S
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} file downloaded into {folder}")


def test_a_reader_asks_reads_cites_saves_and_exports(browser: Any, site: str, downloads: Path) -> None:
    from selenium.webdriver.common.by import By

    _ask(browser, site, "快遞騎手")
    marked = browser.find_element(By.TAG_NAME, "mark").text
    browser.find_element(By.LINK_TEXT, "[1] 上下文").click()
    context_quotes = len(browser.find_elements(By.TAG_NAME, "blockquote"))
    browser.back()
    browser.find_element(By.LINK_TEXT, "[1] 引用").click()
    copy = browser.find_element(By.CSS_SELECTOR, "button.copy")
    copy_label = copy.text
    browser.back()
    browser.find_element(By.XPATH, "//button[text()='[1] 收藏']").click()
    notice = browser.find_element(By.CLASS_NAME, "notice").text
    browser.find_element(By.LINK_TEXT, "笔记本").click()
    notebook = browser.find_element(By.CLASS_NAME, "content").text
    browser.find_element(By.PARTIAL_LINK_TEXT, "Markdown").click()
    exported = _wait_for_file(downloads, ".md").read_text(encoding="utf-8")

    assert marked == "南山區成立快遞騎手黨支部，組織快遞騎手參與社區治理。"
    assert context_quotes == 3
    assert copy_label == "复制"  # shown by app.js, which found the quote to copy
    assert notice.startswith("已收藏")
    assert "筆記本：1 段" in notebook
    assert "[^1]" in exported and "快遞騎手" in exported


def test_asking_and_reading_work_without_javascript(downloads: Path, site: str) -> None:
    from selenium.webdriver.common.by import By

    driver = headless_chromium(downloads=downloads)
    try:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        _ask(driver, site, "红色物业")
        passages = driver.find_elements(By.TAG_NAME, "blockquote")
        driver.find_element(By.LINK_TEXT, "[1] 引用").click()
        copy_hidden = not driver.find_element(By.CSS_SELECTOR, "button.copy").is_displayed()
        reference = driver.find_element(By.ID, "copy-2").text
    finally:
        driver.quit()

    assert len(passages) == 2
    assert copy_hidden  # no script, no copy button: the reference is there to select
    assert reference.startswith("[1] 刘艳梅. 发挥“两新”组织优势")  # numbered, as the numeric system cites


def test_the_answer_page_fits_a_phone(downloads: Path, site: str) -> None:
    driver = headless_chromium(width_px=PHONE_WIDTH_PX, downloads=downloads)
    try:
        _ask(driver, site, "红色物业")
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    finally:
        driver.quit()

    assert overflow <= 0  # nothing wider than the screen: no sideways scrolling
