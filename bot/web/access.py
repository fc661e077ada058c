"""Who may use the web app and how fast: allowlist, access token, per-client rate limits, reader ids (pure)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

READER_COOKIE = "reader"
ACCESS_COOKIE = "access"
READER_HEADER = "X-Reader"
# A reader id is a bearer secret for one notebook: 128 random bits, URL-safe (22 characters).
READER_ID_BYTES = 16
MAX_READER_ID_CHARS = 128


def new_reader_id() -> str:
    """A fresh unguessable reader id for a browser's cookie."""
    return secrets.token_urlsafe(READER_ID_BYTES)


def reader_key(reader_id: str) -> str:
    """The key a reader's settings and notebook are stored under: a hash, so the state file holds no cookie.

    The "web:" prefix keeps web readers apart from Telegram user ids and the terminal's reader.
    """
    return "web:" + hashlib.sha256(reader_id.encode()).hexdigest()[:32]


def is_reader_id(value: str) -> bool:
    """True for a reader id a client may present: 16–128 printable ASCII characters without spaces."""
    return 16 <= len(value) <= MAX_READER_ID_CHARS and value.isascii() and value.isprintable() and " " not in value


class Allowlist:
    """Client addresses and networks allowed to connect; an empty list allows every client."""

    def __init__(self, entries: Sequence[str]) -> None:
        try:
            self._networks = [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries]
        except ValueError as error:
            raise ValueError(f"web allowed_clients: {error}") from None

    def allows(self, host: str | None) -> bool:
        """True when this client address may use the app."""
        if not self._networks:
            return True
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:  # a Unix socket or test client without an address
            return False
        return any(address in network for network in self._networks)


def token_matches(presented: str | None, expected: str) -> bool:
    """True when the presented access token is the expected one (compared in constant time)."""
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())


def access_cookie_value(token: str) -> str:
    """What the access cookie holds: a digest of the token, so the token itself never sits in a browser."""
    return hashlib.sha256(b"reports-qa web access\0" + token.encode()).hexdigest()


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class ClientLimiter:
    """A token bucket per client: `burst` requests at once, then one per 60/per_minute seconds.

    The same rule as the Telegram bot's RateLimiter, keyed by client address instead of a user id
    (that one lives in bot/telegram_bot/, which only the bot may import).
    """

    def __init__(self, *, per_minute: float, burst: int, remembered: int = 10_000) -> None:
        self._rate_s = per_minute / 60.0
        self._burst = float(burst)
        self._remembered = remembered
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def allow(self, client: str, now: float) -> bool:
        """Takes a token for this client if one is left; False means the request is over the limit."""
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._buckets[client] = _Bucket(self._burst, now)
            while len(self._buckets) > self._remembered:
                self._buckets.popitem(last=False)
        self._buckets.move_to_end(client)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.at) * self._rate_s)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        return False

    def retry_after_s(self, client: str) -> int:
        """Whole seconds until this client has a token again (at least 1)."""
        bucket = self._buckets.get(client)
        missing = 1.0 - (bucket.tokens if bucket else 0.0)
        return max(1, int(missing / self._rate_s + 0.999))
