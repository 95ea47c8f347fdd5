"""Per-client rate limit: CITEQA_RATE_LIMIT such as "120/minute"; "0" turns it off.

A token bucket per client address holds up to `count` requests and refills at
`count` per period. Over the limit a request gets 429 with `Retry-After` (seconds).
Admin calls (documents and index) draw on buckets of their own, at
CITEQA_ADMIN_RATE_LIMIT, so that questions cannot lock the admin out nor uploads use up a
client's questions. Health, readiness and metrics probes and CORS preflights are not
limited. The client address is the connection's peer, or the one a trusted proxy named
(uvicorn's ProxyHeadersMiddleware, installed only for CITEQA_TRUSTED_PROXIES). At most
`max_clients` buckets are kept: past that the least recently used goes, so a flood of
addresses cannot grow the table without bound.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
ADMIN_PREFIXES = ("/v1/documents", "/v1/index")
_RATE = re.compile(r"(\d+)\s*(?:/|per)\s*(\d+)?\s*([a-z]+)")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float


def parse_rate(text: str) -> Rate | None:
    """ "120/minute", "10/second", "1000 per hour", "5/10 minutes"; None for "0" (off)."""
    value = text.strip().lower()
    if value in ("", "0", "off", "none"):
        return None
    match = _RATE.fullmatch(value)
    unit = _singular(match.group(3)) if match else ""
    if not match or unit not in PERIODS or int(match.group(1)) < 1:
        raise ValueError(
            f"rate limit {text!r} is not like '120/minute' (periods: second, minute, hour, "
            "day) or '0' for off"
        )
    multiple = int(match.group(2) or 1)
    if multiple < 1:
        raise ValueError(f"rate limit {text!r} has a zero period")
    return Rate(count=int(match.group(1)), seconds=float(PERIODS[unit] * multiple))


def _singular(unit: str) -> str:
    return unit[:-1] if len(unit) > 2 and unit.endswith("s") and unit not in PERIODS else unit


class TokenBuckets:
    """Token buckets keyed by client; idle (full again) buckets are dropped,
    and the least recently used one when `max_clients` are held."""

    def __init__(
        self,
        rate: Rate,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 100_000,
    ) -> None:
        self.rate = rate
        self.max_clients = max_clients
        self._clock = clock
        self._per_second = rate.count / rate.seconds
        # client -> (tokens, updated), least recently updated first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> float:
        """Take one token: 0.0 when allowed, else the seconds until one is available."""
        now = self._clock()
        self._prune(now)
        tokens, updated = self._buckets.pop(client, (float(self.rate.count), now))
        while len(self._buckets) >= self.max_clients:
            self._buckets.popitem(last=False)
        tokens = min(float(self.rate.count), tokens + (now - updated) * self._per_second)
        if tokens >= 1.0:
            self._buckets[client] = (tokens - 1.0, now)
            return 0.0
        self._buckets[client] = (tokens, now)
        return (1.0 - tokens) / self._per_second

    def _prune(self, now: float) -> None:
        """Drop buckets idle for over a period (full again), oldest first."""
        while self._buckets:
            client, (_, updated) = next(iter(self._buckets.items()))
            if now - updated <= self.rate.seconds:
                return
            del self._buckets[client]


class RateLimit:
    """ASGI middleware applying TokenBuckets to every HTTP request but the exempt ones:
    the admin buckets to admin paths, the others to the rest."""

    def __init__(
        self,
        app: ASGIApp,
        rate: Rate | None,
        admin_rate: Rate | None = None,
        max_clients: int = 100_000,
    ) -> None:
        self.app = app
        self.buckets = TokenBuckets(rate, max_clients=max_clients) if rate else None
        self.admin_buckets = (
            TokenBuckets(admin_rate, max_clients=max_clients) if admin_rate else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        buckets = self.admin_buckets if path.startswith(ADMIN_PREFIXES) else self.buckets
        if (
            buckets is None
            or scope["type"] != "http"
            or scope.get("method") == "OPTIONS"
            or path in EXEMPT_PATHS
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = buckets.take(client[0] if client else "unknown")
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        rate = buckets.rate
        body = json.dumps(
            {
                "error": {
                    "code": "rate_limited",
                    "message": f"too many requests: at most {rate.count} per "
                    f"{rate.seconds:g} s; retry in {retry_after} s",
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
