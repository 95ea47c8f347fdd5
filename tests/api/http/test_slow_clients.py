"""Slow clients over real sockets, against the server as `citeqa serve` configures it: a
trickled request head or body, a silent connection and an unread response each lose
their connection after the configured time, while other clients are served."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.settings import ApiSettings
from qa.pipeline import QAPipeline
from tests.conftest import LiveServer

READ_TIMEOUT = 1.0
WRITE_TIMEOUT = 1.0
SLOW = 50


@pytest.fixture(scope="module")
def server(pipeline: QAPipeline) -> Iterator[LiveServer]:
    settings = ApiSettings(
        rate_limit="0",
        request_read_timeout=READ_TIMEOUT,
        min_body_rate=1024,
        response_write_timeout=WRITE_TIMEOUT,
    )
    with LiveServer(create_app(settings, pipeline=pipeline)) as live:
        yield live


def connect(server: LiveServer, receive_buffer: int | None = None) -> socket.socket:
    sock = socket.socket()
    if receive_buffer is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect(("127.0.0.1", server.port))
    sock.settimeout(0.05)
    return sock


def trickle_until_closed(socks: list[socket.socket], data: bytes, seconds: float) -> list[bytes]:
    """Send `data` one byte every 0.25 s on each socket until the server closes it or
    `seconds` pass; what each received."""
    received = [b""] * len(socks)
    open_ = set(range(len(socks)))
    deadline = time.monotonic() + seconds
    position = 0
    while open_ and time.monotonic() < deadline:
        for i in list(open_):
            try:
                if position < len(data):
                    socks[i].sendall(data[position : position + 1])
                chunk = socks[i].recv(4096)
                received[i] += chunk
                if not chunk:
                    open_.discard(i)
            except TimeoutError:
                continue
            except OSError:
                open_.discard(i)
        position += 1
        time.sleep(0.25)
    for sock in socks:
        sock.close()
    assert not open_, f"{len(open_)} slow connections were still open after {seconds} s"
    return received


def assert_answers(server: LiveServer) -> None:
    response = httpx.post(f"{server.url}/v1/search", json={"query": "IIOE"}, timeout=60)
    assert response.status_code == 200


def test_trickled_request_heads_are_cut_off_with_408(server: LiveServer) -> None:
    head = b"POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    socks = [connect(server) for _ in range(SLOW)]
    started = time.monotonic()
    received = trickle_until_closed(socks, head, seconds=10 * READ_TIMEOUT)
    assert time.monotonic() - started < 6 * READ_TIMEOUT
    assert all(r.startswith(b"HTTP/1.1 408 ") for r in received), received[:3]
    assert all(b'"code": "request_timeout"' in r for r in received)
    assert_answers(server)


def test_a_trickled_body_is_cut_off_with_408(server: LiveServer) -> None:
    body = b'{"query": "' + b"x" * 200 + b'"}'
    head = b"POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    sock = connect(server)
    sock.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body))
    received = trickle_until_closed([sock], body, seconds=10 * READ_TIMEOUT)
    assert received[0].startswith(b"HTTP/1.1 408 "), received
    assert_answers(server)


def test_a_silent_connection_is_closed(server: LiveServer) -> None:
    received = trickle_until_closed([connect(server)], b"", seconds=10 * READ_TIMEOUT)
    assert received[0].startswith(b"HTTP/1.1 408 "), received


def test_an_unread_response_is_dropped(server: LiveServer) -> None:
    size = len(httpx.get(f"{server.url}/openapi.json").content)
    requests = b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n" * (20_000_000 // size)
    sock = connect(server, receive_buffer=4096)
    sock.settimeout(10 * WRITE_TIMEOUT)
    sock.sendall(requests)  # pipelined (a few KB of requests); no response is read
    deadline = time.monotonic() + 10 * WRITE_TIMEOUT
    while server.server.server_state.connections and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not server.server.server_state.connections, "the unread connection was kept"
    sock.close()
    assert_answers(server)
