"""Default-corpus latency: `citeqa serve` cold start to ready, and /v1/ask p50/p95.

    .venv/bin/python bench/ask_latency.py --corpus corpus \
        --questions tests/data/corpus_questions.en.jsonl [--requests 100] [--out ask.json]

Builds a fresh index of `--corpus` in a temporary folder (not timed), starts `citeqa serve`
as a child process (cold start = spawn to a ready /readyz), then sends `--requests`
sequential POST /v1/ask requests, cycling through the questions, and reports the
client-side latency percentiles and the server's own `timings_ms` medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/ask_latency.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.lib.server_process import ServerProcess
from qa.eval.metrics import percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True, help="JSONL with `question`")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    questions = [
        json.loads(line)["question"]
        for line in args.questions.read_text("utf-8").splitlines()
        if line.strip()
    ]
    with tempfile.TemporaryDirectory() as index_dir:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "api.cli",
                "index",
                "--corpus",
                str(args.corpus),
                "--index-dir",
                index_dir,
            ],
            check=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
            capture_output=True,
        )
        server = ServerProcess.start(Path(index_dir))
        try:
            result = measure(server, questions, args.requests)
        finally:
            server.stop()
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


def measure(server: ServerProcess, questions: list[str], requests: int) -> dict[str, object]:
    latencies: list[float] = []
    stages: dict[str, list[float]] = {}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for question in questions[:5]:  # warm-up, not counted
            client.post("/v1/ask", json={"question": question}).raise_for_status()
        for i in range(requests):
            started = time.perf_counter()
            response = client.post("/v1/ask", json={"question": questions[i % len(questions)]})
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            for stage, ms in response.json()["timings_ms"].items():
                stages.setdefault(stage, []).append(ms)
    return {
        "cold_start_to_ready_s": round(server.cold_start_s, 2),
        "healthz_up_s": round(server.up_s, 2),
        "requests": requests,
        "latency_ms_p50": round(percentile(latencies, 50), 1),
        "latency_ms_p95": round(percentile(latencies, 95), 1),
        "server_timings_ms_median": {k: round(statistics.median(v), 1) for k, v in stages.items()},
        "memory": server.memory_mb(),
    }


if __name__ == "__main__":
    main()
