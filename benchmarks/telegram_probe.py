"""Probes the real `python -m bot` through a local Bot API emulator: `python benchmarks/telegram_probe.py [--index DIR]`.

The emulator is a small HTTP server on 127.0.0.1 speaking the Bot API's JSON. It feeds the bot what a busy
deployment sees: allowed readers asking and tapping every button, a stranger, a forged button, inline typing,
an allowed group of several members and a channel posting without a sender. Each probe prints `held` or
`FAILED`; the exit status is 0 only when every probe held. Needs a built index (`python -m index build`).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

# Run as a script or loaded by file path (tests/bot/test_probe.py): the project root is put on the path here.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.append(str(PROJECT_ROOT))

from tests.fakes import send_json  # noqa: E402

TOKEN = "4242:probe-token-not-for-logs"
BOT = {"id": 4242, "is_bot": True, "first_name": "Reports", "username": "ReportsBot", "can_join_groups": True,
       "can_read_all_group_messages": False, "supports_inline_queries": True}
READERS = [101, 102, 103]  # allowed users
GROUP, GROUP_MEMBERS = -1001, [201, 202, 203, 204, 205, 206, 207, 208]
CHANNEL = -1002
STRANGER = 666
QUESTION = "南山区如何组织快递骑手参与基层治理？"


class Emulator(ThreadingHTTPServer):
    """The Bot API: hands out queued updates on getUpdates and records every call the bot makes."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.pending: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.next_update = 1
        self.next_message = 1000

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/bot"

    def push(self, kind: str, body: dict[str, Any]) -> int:
        with self.lock:
            update_id, self.next_update = self.next_update, self.next_update + 1
            self.pending.append({"update_id": update_id, kind: body})
            return update_id

    def reply(self, method: str, params: dict[str, Any]) -> Any:
        with self.lock:
            self.calls.append((method, params))
            if method == "getMe":
                return BOT
            if method == "getUpdates":
                updates, self.pending = self.pending, []
                return updates
            if method in {"sendMessage", "sendDocument"}:
                self.next_message += 1
                chat_id = int(params.get("chat_id", 0))
                kind = "private" if chat_id > 0 else "channel" if chat_id == CHANNEL else "supergroup"
                message: dict[str, Any] = {"message_id": self.next_message, "date": 0, "from": BOT,
                                           "chat": {"id": chat_id, "type": kind}}
                if method == "sendMessage":
                    message["text"] = params.get("text", "")
                else:
                    message["document"] = {"file_id": "f", "file_unique_id": "u"}
                return message
            return True

    def sent(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [params for name, params in self.calls if name == method]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the bot hanging up mid long-poll when it stops is expected


class _Handler(BaseHTTPRequestHandler):
    server: Emulator

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        method = self.path.rsplit("/", 1)[-1]
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        content_type = self.headers.get("Content-Type", "")
        params: dict[str, Any] = {}
        if content_type.startswith("application/json"):
            params = json.loads(raw or b"{}")
        elif content_type.startswith("application/x-www-form-urlencoded"):
            params = dict(parse_qsl(raw.decode()))
        elif content_type.startswith("multipart/form-data"):  # a document: only the chat matters here
            marker = b'name="chat_id"\r\n\r\n'
            if marker in raw:
                params = {"chat_id": raw.split(marker, 1)[1].split(b"\r\n", 1)[0].decode()}
        result = self.server.reply(method, params)
        if method == "getUpdates" and result == []:
            time.sleep(0.1)  # a short long-poll
        send_json(self, {"ok": True, "result": result})

    def log_message(self, format: str, *args: object) -> None:
        pass


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"U{user_id}", "language_code": "zh-hans"}


def message(text: str, *, sender: int | None, chat_id: int, kind: str, message_id: int) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": message_id, "date": 0, "chat": {"id": chat_id, "type": kind}, "text": text}
    if sender is not None:
        body["from"] = user(sender)
    else:
        body["sender_chat"] = {"id": chat_id, "type": kind, "title": "Channel"}
    if text.startswith("@ReportsBot"):
        body["entities"] = [{"type": "mention", "offset": 0, "length": len("@ReportsBot")}]
    elif text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return body


def tap(emulator: Emulator, reader: int, data: str, query_id: str) -> None:
    shown = {"message_id": 1, "date": 0, "chat": {"id": reader, "type": "private"}, "from": BOT, "text": "答案",
             "reply_to_message": message(QUESTION, sender=reader, chat_id=reader, kind="private", message_id=1)}
    emulator.push("callback_query", {"id": query_id, "from": user(reader), "chat_instance": "ci", "data": data,
                                     "message": shown})


def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def buttons(params: dict[str, Any]) -> list[str]:
    markup = params.get("reply_markup")
    markup = json.loads(markup) if isinstance(markup, str) else markup or {"inline_keyboard": []}
    return [b.get("callback_data", "") for row in markup["inline_keyboard"] for b in row]


def probe(index_dir: Path | None, *, start_timeout_s: float = 240) -> list[tuple[str, bool, str]]:
    """Runs the bot against the emulator and returns (probe, held, detail) for each probe."""
    emulator = Emulator()
    threading.Thread(target=emulator.serve_forever, daemon=True).start()
    state = Path(tempfile.mkdtemp(prefix="probe-state-")) / "state"
    env = {**os.environ, "BOT_TOKEN": TOKEN, "BOT_BASE_URL": emulator.base_url, "BOT_STATE_DIR": str(state),
           "BOT_ALLOWED_USERS": ",".join(map(str, READERS)), "BOT_ALLOWED_CHATS": f"{GROUP},{CHANNEL}",
           "BOT_GROUP_MODE": "all", "BOT_RATE_BURST": "3", "BOT_RATE_PER_MINUTE": "6", "BOT_WEBHOOK_URL": ""}
    if index_dir is not None:
        env["INDEX_INDEX_DIR"] = str(index_dir)
    process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    results: list[tuple[str, bool, str]] = []
    try:
        if not wait_until(lambda: bool(emulator.sent("deleteWebhook")) or process.poll() is not None,
                          start_timeout_s):
            return [("bot starts polling", False, "no deleteWebhook within the start timeout")]
        for reader in READERS:
            emulator.push("message", message(QUESTION, sender=reader, chat_id=reader, kind="private", message_id=1))
        emulator.push("message", message(QUESTION, sender=STRANGER, chat_id=STRANGER, kind="private", message_id=1))
        answered = wait_until(lambda: {p["chat_id"] for p in emulator.sent("sendMessage")}
                              >= {str(r) for r in READERS} | {str(STRANGER)}, 60)
        first = {str(r): next((p for p in emulator.sent("sendMessage") if str(p["chat_id"]) == str(r)), {})
                 for r in READERS}
        results.append(("every allowed reader is answered with citations", answered
                        and all("[1]" in p.get("text", "") for p in first.values()), ""))
        stranger = [p for p in emulator.sent("sendMessage") if str(p["chat_id"]) == str(STRANGER)]
        results.append(("a stranger gets one refusal and no passage", len(stranger) == 1
                        and "[1]" not in stranger[0]["text"], f"{len(stranger)} messages"))

        reader = READERS[0]
        data = buttons(first[str(reader)])
        taps = [d for d in data if d[:2] in {"c|", "q|", "s|"}][:3] + [d for d in data if d.startswith("m|")][:1]
        forged = ["m|2|" + "0" * 16, "c|no-such:passage|00000000", "zz"]
        for n, datum in enumerate(taps + forged):
            tap(emulator, reader, datum, f"tap{n}")
        tap(emulator, STRANGER, taps[0] if taps else "zz", "stranger-tap")
        all_taps = len(taps) + len(forged) + 1
        tapped = wait_until(lambda: len(emulator.sent("answerCallbackQuery")) >= all_taps, 60)
        results.append(("a question and four quick taps: every tap answered", tapped and len(taps) == 4,
                        f"{len(emulator.sent('answerCallbackQuery'))} of {all_taps} answered"))

        for n in range(1, 9):
            emulator.push("inline_query", {"id": f"iq{n}", "from": user(reader), "query": QUESTION[:n + 2],
                                           "offset": ""})
        emulator.push("inline_query", {"id": "iq-stranger", "from": user(STRANGER), "query": QUESTION, "offset": ""})
        wait_until(lambda: len(emulator.sent("answerInlineQuery")) >= 9, 60)
        inline = emulator.sent("answerInlineQuery")
        mine = [p for p in inline if p.get("inline_query_id", "").startswith("iq") and p["inline_query_id"] != "iq-stranger"]
        results.append(("inline answers are personal, uncached under the allowlist, never refused for typing",
                        len(mine) == 8 and all(str(p.get("is_personal")).lower() == "true"
                                               and str(p.get("cache_time")) == "0" and "button" not in p for p in mine),
                        f"{len(mine)} answers"))
        results.append(("a stranger's inline query gets no results", any(
            p.get("inline_query_id") == "iq-stranger" and json.loads(p["results"]) == [] for p in inline), ""))

        for n, member in enumerate(GROUP_MEMBERS * 2):
            emulator.push("message", message(f"@ReportsBot 红色物业 {n}", sender=member, chat_id=GROUP,
                                             kind="supergroup", message_id=100 + n))
        for n in range(12):
            emulator.push("channel_post", message(f"红色物业 {n}", sender=None, chat_id=CHANNEL, kind="channel",
                                                  message_id=300 + n))
        asked_at = time.monotonic()
        late = READERS[1]
        emulator.push("message", message("网格化治理", sender=late, chat_id=late, kind="private", message_id=2))
        got = wait_until(lambda: sum(str(p["chat_id"]) == str(late) for p in emulator.sent("sendMessage")) >= 2, 60)
        waited = time.monotonic() - asked_at
        results.append(("a busy group and a channel do not stall a private reader", got and waited < 20,
                        f"answered after {waited:.1f} s"))
        wait_until(lambda: False, 3)
        channel = [p for p in emulator.sent("sendMessage") if str(p["chat_id"]) == str(CHANNEL)]
        results.append(("sender-less channel posts are limited per channel", 0 < len(channel) <= 4,
                        f"{len(channel)} replies to 12 posts"))
        tap(emulator, reader, next((d for d in taps if d.startswith("s|")), "zz"), "save-again")
        emulator.push("message", message("/export", sender=reader, chat_id=reader, kind="private", message_id=3))
        exported = wait_until(lambda: len(emulator.sent("sendDocument")) >= 4, 60)
        results.append(("a saved passage is exported", exported, f"{len(emulator.sent('sendDocument'))} files"))
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [state, *state.iterdir()] if not p.name.startswith(".")}
        results.append(("state files and folder are owner-only", bool(modes) and all(
            mode == (0o700 if name == "state" else 0o600) for name, mode in modes.items()), str(
            {k: oct(v) for k, v in modes.items()})))
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        emulator.shutdown()
        emulator.server_close()
    text = output.decode(errors="replace")
    results.append(("the token appears in no log line", TOKEN.split(":")[1] not in text, ""))
    results.append(("no traceback in the log", "Traceback" not in text, text[-400:] if "Traceback" in text else ""))
    results.append(("the bot stops cleanly on SIGTERM", process.returncode == 0,
                    f"exit {process.returncode}" + ("" if process.returncode == 0 else "; log ends: " + text[-800:])))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Prints one line per probe; 0 when all held."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: settings' index_dir)")
    args = parser.parse_args(argv)
    results = probe(args.index)
    for name, held, detail in results:
        print(f"{'held  ' if held else 'FAILED'} {name}" + (f" ({detail})" if detail else ""))
    return 0 if all(held for _, held, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
