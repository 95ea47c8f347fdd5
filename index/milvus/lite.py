"""Milvus Lite as a network server: one local Milvus that several processes share.

Milvus Lite opened from a file path runs inside one process (it locks the file). To share
one database between replicas on a machine, run its engine listening on a TCP port and
point every process at it (CITEQA_MILVUS_URI=http://127.0.0.1:PORT), as they would point
at a Milvus server or cluster elsewhere.
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from index.milvus.client import MilvusUnavailableError


class LiteServer:
    """The Milvus Lite 2.5 engine serving the database file `db` on `host:port`."""

    def __init__(self, db: Path, host: str = "127.0.0.1", port: int = 19530) -> None:
        self.db = db.resolve()
        self.host = host
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None
        self._lock: int | None = None

    @property
    def uri(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 60.0) -> LiteServer:
        """Start the engine and wait until it accepts connections."""
        try:
            import milvus_lite.server as lite
        except ImportError as exc:
            raise MilvusUnavailableError("Milvus Lite needs: pip install 'citeqa[milvus]'") from exc
        self.db.parent.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self.db.parent / f".{self.db.name}.lock", os.O_CREAT | os.O_RDWR)
        try:
            fcntl.lockf(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise MilvusUnavailableError(f"{self.db} is open in another process") from exc
        binaries = Path(lite.BIN_PATH)
        env = {
            **os.environ,
            "LD_LIBRARY_PATH": f"{binaries}:{os.environ.get('LD_LIBRARY_PATH', '')}",
        }
        self._process = subprocess.Popen(
            [str(binaries / "milvus"), str(self.db), f"{self.host}:{self.port}", "ERROR"],
            env=env,
            cwd=self.db.parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self.stop()
                raise MilvusUnavailableError(f"Milvus Lite exited with {self._process.returncode}")
            with socket.socket() as sock:
                if sock.connect_ex((self.host, self.port)) == 0:
                    return self
            time.sleep(0.1)
        self.stop()
        raise MilvusUnavailableError(f"Milvus Lite did not listen on {self.uri}")

    def wait(self) -> int:
        assert self._process is not None
        return self._process.wait()

    def request_stop(self) -> None:
        """Ask the engine to stop (SIGTERM) without waiting: safe in a signal handler, which
        may run while this thread is inside `wait`."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the engine to stop (SIGTERM), and kill it if it does not."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> LiteServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
