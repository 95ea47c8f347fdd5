"""`citeqa milvus-lite` serves until stopped, and SIGTERM (what systemd, Docker and
Kubernetes send) stops it at once."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.slow


def test_sigterm_stops_the_server_and_its_engine(tmp_path: Path) -> None:
    log = tmp_path / "milvus.log"
    port = free_port()
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "milvus-lite", "--db", str(tmp_path / "m.db"),
             "--port", str(port)],
            stdout=handle,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while b"serving" not in log.read_bytes():
            assert process.poll() is None, log.read_text("utf-8", "replace")
            assert time.monotonic() < deadline, log.read_text("utf-8", "replace")
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0, log.read_text("utf-8", "replace")
    finally:
        process.kill()
        process.wait()
    # The engine went with it: nothing listens on its port any more.
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
