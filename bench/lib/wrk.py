"""Requests per second with wrk (Debian's `wrk`): POST /v1/ask, questions in rotation."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

LUA = """
local bodies = {%s}
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "/v1/ask", {["Content-Type"] = "application/json"}, bodies[i])
end
"""
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


class WrkMissingError(RuntimeError):
    """wrk is not installed: `apt-get install -y wrk`."""


def lua_script(questions: Sequence[str]) -> str:
    bodies = ", ".join(json.dumps(json.dumps({"question": q})) for q in questions)
    return LUA % bodies


def run_wrk(url: str, questions: Sequence[str], connections: int, seconds: int) -> dict[str, float]:
    """One wrk run; requests/s, latency p50/p99 (ms) and failed requests."""
    binary = shutil.which("wrk")
    if binary is None:
        raise WrkMissingError("wrk is not installed: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "ask.lua"
        script.write_text(lua_script(questions))
        command = [
            binary,
            f"-t{min(connections, 2)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "60s",
            "--latency",
            "-s",
            str(script),
            url + "/v1/ask",
        ]
        output = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 120
        ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> dict[str, float]:
    result: dict[str, float] = {}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["requests_per_s"] = float(rps.group(1)) if rps else 0.0
    total = re.search(r"(\d+) requests in", output)
    result["requests"] = float(total.group(1)) if total else 0.0
    for label in ("50", "99"):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        if match:
            result[f"latency_ms_p{label}"] = round(
                float(match.group(1)) * _UNITS[match.group(2)], 1
            )
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", output)
    result["failed"] = float(non_2xx.group(1) if non_2xx else 0) + float(
        errors.group(1) if errors else 0
    )
    return result
