"""uvicorn's h11 protocol with deadlines for clients that read or write too slowly.

uvicorn bounds the idle time between requests (keep-alive) but not the time a client takes
to send one, nor the time it leaves a response unread: a client that trickles its request
or never reads holds its connection, and the work behind it, for as long as it likes.
Here:

- a connection must send the head of its first request within `read_timeout` seconds,
  and a request whose head has begun must complete it within `read_timeout` seconds;
- a body may pause at most `read_timeout` seconds between two pieces and must average at
  least `min_body_rate` bytes a second after its first `read_timeout` seconds;
- a response the client does not read (the send buffer stays full) is dropped after
  `write_timeout` seconds.

A request that runs out of time gets `408` with a JSON error when no response has begun,
and its connection is closed. Time during which the server itself has paused reading
(the app has not taken the body yet) is not held against the client.
"""

from __future__ import annotations

import asyncio
import json
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

_BODY = json.dumps(
    {"error": {"code": "request_timeout", "message": "the request was not sent in time"}}
).encode()
REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: application/json\r\n"
    b"connection: close\r\n"
    b"content-length: " + str(len(_BODY)).encode() + b"\r\n\r\n" + _BODY
)


class BoundedH11Protocol(H11Protocol):
    """H11Protocol plus the read and write deadlines above (class attributes; see
    `bounded_protocol` for a class with chosen values)."""

    read_timeout: float = 10.0
    min_body_rate: float = 1024.0
    write_timeout: float = 60.0

    _read_timer: asyncio.TimerHandle | None = None
    _write_timer: asyncio.TimerHandle | None = None
    _body_started: float | None = None
    _body_received = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_read(self.loop.time() + self.read_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_read()
        self._disarm_write()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        now = self.loop.time()
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._body_started is None:
                self._body_started, self._body_received = now, 0
            self._body_received += len(data)
            on_pace = self._body_started + self.read_timeout
            on_pace += self._body_received / self.min_body_rate
            self._arm_read(min(now + self.read_timeout, on_pace))
        elif state is h11.IDLE:  # a head in progress: its deadline stands
            if self._read_timer is None:
                self._arm_read(now + self.read_timeout)
        else:  # the request is in (or the connection is done with)
            self._disarm_read()
            self._body_started = None

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_timer is None:
            self._write_timer = self.loop.call_later(self.write_timeout, self._write_timed_out)

    def resume_writing(self) -> None:
        self._disarm_write()
        super().resume_writing()

    def _arm_read(self, when: float) -> None:
        self._disarm_read()
        self._read_timer = self.loop.call_at(when, self._read_timed_out)

    def _disarm_read(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _disarm_write(self) -> None:
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused:  # the server is the slow one
            self._arm_read(self.loop.time() + self.read_timeout)
            return
        log.info("closing a connection from %s: its request came too slowly", self._peer())
        if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            self.transport.write(REQUEST_TIMEOUT)
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the app's receive() ends, its sends are dropped
            self.cycle.message_event.set()
        self.transport.close()

    def _write_timed_out(self) -> None:
        self._write_timer = None
        log.info("dropping a connection from %s: its response went unread", self._peer())
        self.transport.abort()  # close() would wait for the unread data to drain

    def _peer(self) -> str:
        return self.client[0] if self.client else "unknown"


def bounded_protocol(
    read_timeout: float, min_body_rate: float, write_timeout: float
) -> type[BoundedH11Protocol]:
    """A BoundedH11Protocol class with these deadlines, for `uvicorn.Config(http=...)`."""
    return type(
        "BoundedH11Protocol",
        (BoundedH11Protocol,),
        {
            "read_timeout": read_timeout,
            "min_body_rate": min_body_rate,
            "write_timeout": write_timeout,
        },
    )
