"""Screenshots of the web app's main pages, for the README and docs/web.md: `python docs/web_screenshots.py`.

Serves the app on 127.0.0.1 over the built index (var/index; --fake: the tests' FakeEngine), drives
headless Chromium (Debian's chromium and chromium-driver) through a reader's session, and writes
one PNG per page into docs/screenshots/ (or --out): home, answer, context, cite, place digest,
notebook, and the answer page at phone width.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.replies.engine import Engine  # noqa: E402
from bot.web.app import build_app  # noqa: E402
from bot.web.browser import PHONE_WIDTH_PX, headless_chromium, missing_browser  # noqa: E402
from bot.web.serve import ServerThread  # noqa: E402
from bot.web.settings import WebSettings  # noqa: E402

HERE = Path(__file__).resolve().parent
QUESTION = "南山区怎么发动快递骑手参与治理"
PLACE = "南山"


def _engine(fake: bool) -> tuple[Engine, str, str]:
    if fake:
        from tests.fakes import FakeEngine

        return FakeEngine(), "快遞騎手", "南山"
    from index.answer.engine import open_engine
    from index.settings import IndexSettings

    return open_engine(IndexSettings()), QUESTION, PLACE


def main(argv: list[str] | None = None) -> int:
    """Takes the screenshots; prints each file written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "screenshots")
    parser.add_argument("--fake", action="store_true", help="the tests' FakeEngine instead of var/index")
    args = parser.parse_args(argv)
    if reason := missing_browser():
        print(f"error: {reason}", file=sys.stderr)
        return 1
    from selenium.webdriver.common.by import By

    engine, question, place = _engine(args.fake)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as state, ServerThread(
            build_app(engine, WebSettings(state_dir=Path(state), rate_per_minute=600, rate_burst=100))) as server:
        desk = headless_chromium(height_px=1300)
        phone = headless_chromium(width_px=PHONE_WIDTH_PX, height_px=844)
        try:
            def shot(driver: object, name: str) -> None:
                path = args.out / f"{name}.png"
                driver.save_screenshot(str(path))  # type: ignore[attr-defined]
                print(path)

            desk.get(server.url + "/")
            shot(desk, "home")
            desk.find_element(By.ID, "q").send_keys(question)
            desk.find_element(By.ID, "ask").click()
            answer_url = desk.current_url
            shot(desk, "answer")
            desk.find_element(By.PARTIAL_LINK_TEXT, "上下文").click()
            shot(desk, "context")
            desk.get(answer_url)
            desk.find_element(By.PARTIAL_LINK_TEXT, "引用").click()
            shot(desk, "cite")
            desk.get(answer_url)
            for number in (1, 2):  # each save reloads the page, so find the next button afresh
                desk.find_element(By.XPATH, f"//button[text()='[{number}] 收藏']").click()
            desk.get(server.url + "/notebook")
            shot(desk, "notebook")
            desk.get(server.url + f"/places/{place}")
            shot(desk, "place")
            phone.get(server.url + "/")
            phone.find_element(By.ID, "q").send_keys(question)
            phone.find_element(By.ID, "ask").click()
            shot(phone, "answer-phone")
        finally:
            desk.quit()
            phone.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
