"""Server-sent events: the wire format, keep-alive comments, and a response that stops
its producer as soon as the client goes away."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

KEEP_ALIVE_SECONDS = 15.0
KEEP_ALIVE = b": keep-alive\n\n"
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def encode_event(event: str, data: str) -> bytes:
    """One event; `data` may span lines (each becomes a `data:` line)."""
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {event}\n{lines}\n".encode()


async def with_keep_alive(
    events: AsyncGenerator[bytes, None], every: float
) -> AsyncGenerator[bytes, None]:
    """`events`, plus a comment whenever nothing was sent for `every` seconds. Closing
    this generator cancels and closes `events`, even while it is waiting for work."""

    async def next_chunk() -> bytes:
        return await anext(events)

    pending: asyncio.Task[bytes] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.create_task(next_chunk())
            done, _ = await asyncio.wait({pending}, timeout=every)
            if not done:
                yield KEEP_ALIVE
                continue
            try:
                chunk = pending.result()
            except StopAsyncIteration:
                return
            pending = None
            yield chunk
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await events.aclose()


class EventStreamResponse(StreamingResponse):
    """`text/event-stream` with keep-alive comments and the headers that keep proxies
    from caching or buffering it. When the client disconnects, the producer is closed."""

    media_type = "text/event-stream"

    def __init__(
        self, events: AsyncGenerator[bytes, None], keep_alive: float | None = None
    ) -> None:
        self._stream = with_keep_alive(events, keep_alive or KEEP_ALIVE_SECONDS)
        super().__init__(self._stream, headers=HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._stream.aclose()
