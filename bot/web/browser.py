"""Headless Chromium from Debian's packages under Selenium: for the browser tests and the screenshot script.

Selenium is a development dependency ([dev]); nothing in the served app imports this module.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

# Debian's names: the `chromium` package and the driver from `chromium-driver`.
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)
PHONE_WIDTH_PX, DESK_WIDTH_PX = 390, 1100


def missing_browser() -> str:
    """Why a headless browser cannot run here ("" when it can): for a test's skip reason."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if not any(shutil.which(name) for name in BROWSERS):
        return "no chromium here (apt-get install chromium chromium-driver)"
    if not any(shutil.which(name) for name in DRIVERS):
        return "no chromedriver here (apt-get install chromium-driver)"
    return ""


ELEMENT_WAIT_S = 15


def headless_chromium(*, width_px: int = DESK_WIDTH_PX, height_px: int = 900,
                      downloads: Path | None = None, accept_language: str = "zh-CN,zh") -> WebDriver:
    """A headless Chromium driven by the system chromedriver (Selenium never downloads a browser of its own)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    browser = next(path for name in BROWSERS if (path := shutil.which(name)))
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width_px},{height_px}"):
        options.add_argument(argument)
    # Headless Chromium ignores --lang; the page takes a new reader's language from Accept-Language.
    prefs: dict[str, object] = {"intl.accept_languages": accept_language}
    if downloads is not None:
        prefs |= {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    options.add_experimental_option("prefs", prefs)
    driver = next(path for name in DRIVERS if (path := shutil.which(name)))
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    # Elements are looked for until they appear (up to this long): on a loaded 2-core machine the page
    # after a click can arrive after the next lookup, which failed the browser test once under load.
    chrome.implicitly_wait(ELEMENT_WAIT_S)
    return chrome
