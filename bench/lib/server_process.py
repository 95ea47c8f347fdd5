"""`citeqa serve` as a child process: start it, time it to ready, read its memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """A server on a free loopback port; `cold_start_s` is spawn to a ready /readyz."""

    process: subprocess.Popen[bytes]
    url: str
    up_s: float
    cold_start_s: float

    @classmethod
    def start(
        cls,
        index_dir: Path,
        timeout: float = 300.0,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> ServerProcess:
        """`env` adds to (or overrides) the environment; the rate limit is off unless set.
        The server runs in `cwd` (default: this process's)."""
        port = free_port()
        env = {
            **os.environ,
            "CITEQA_RATE_LIMIT": "0",
            "CITEQA_INDEX_DIR": str(index_dir),
            **(env or {}),
        }
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        up = None
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"citeqa serve exited with {process.returncode}")
            try:
                if up is None and httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    up = time.perf_counter() - started
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    ready = time.perf_counter() - started
                    return cls(process, url, up or ready, ready)
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        process.terminate()
        raise RuntimeError(f"citeqa serve was not ready within {timeout:.0f} s")

    def memory_mb(self) -> dict[str, float]:
        """Resident memory now (VmRSS) and at its peak (VmHWM), in MiB."""
        values = memory_kib(self.process.pid)
        return {
            "rss_mb": round(values.get("VmRSS", 0) / 1024, 1),
            "peak_rss_mb": round(values.get("VmHWM", 0) / 1024, 1),
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (resident at the peak) of a process, in KiB, from
    /proc; raises OSError once the process is gone."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values
