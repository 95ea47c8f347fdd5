"""Load test: concurrent clients ask questions while the index is refreshed and swapped.

    python bench/load.py --url http://127.0.0.1:8000 --api-key KEY

16 clients post questions to /v1/ask without pause for 60 seconds. With an API key, a
document is uploaded at one third of the run and deleted at two thirds, each starting a
background refresh and snapshot swap. Reports requests/s, latency percentiles (all
requests, and those that overlapped a refresh) and every error; writes them as JSON to
--out. Exits 1 if any request failed. The server's rate limit must allow the load
(CITEQA_RATE_LIMIT=0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = REPO / "tests" / "data" / "corpus_questions.en.jsonl"
FALLBACK_QUESTIONS = [
    "Where does UNESCO-ICHEI plan to establish an IIOE National Center?",
    "When did the 2022 Central Asian Symposium on ICT in Education take place?",
    "Which office organised CASIE 2022?",
]
PROBE_DOC = "load-probe.txt"
PROBE_TEXT = (
    "Load probe\n"
    "The Velsa river is 42 kilometres long and freezes every January. "
    "Fishermen of Tarnowick sell trout from the Velsa at a market on Tuesdays. "
    "A ferry named Gull crossed the Velsa until the stone bridge opened in 1802."
)


@dataclass
class Sample:
    started: float  # seconds since the run began
    seconds: float
    status: int  # 0 for a transport error
    error: str | None = None


@dataclass
class RefreshEvent:
    action: str
    queued_at: float
    finished_at: float | None = None
    snapshot_before: str | None = None
    snapshot_after: str | None = None
    embedded_chunks: int | None = None
    error: str | None = None


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    refreshes: list[RefreshEvent] = field(default_factory=list)


def load_questions(path: Path) -> list[str]:
    if not path.is_file():
        return FALLBACK_QUESTIONS
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [str(row["question"]) for row in rows] or FALLBACK_QUESTIONS


async def client_loop(
    http: httpx.AsyncClient, questions: list[str], offset: int, t0: float, end: float, run: Run
) -> None:
    i = offset
    while time.perf_counter() < end:
        question = questions[i % len(questions)]
        i += 1
        started = time.perf_counter()
        try:
            response = await http.post("/v1/ask", json={"question": question})
            error = None if response.status_code == 200 else response.text[:300]
            status = response.status_code
            if status == 200 and "answer" not in response.json():
                error, status = "a 200 without an answer", 0
        except httpx.HTTPError as exc:
            status, error = 0, f"{type(exc).__name__}: {exc}"
        run.samples.append(Sample(started - t0, time.perf_counter() - started, status, error))


async def refresh_driver(
    http: httpx.AsyncClient, api_key: str, duration: float, t0: float, run: Run
) -> None:
    headers = {"X-API-Key": api_key}
    steps = [("upload", duration / 3), ("delete", 2 * duration / 3)]
    for action, at in steps:
        await asyncio.sleep(max(0.0, t0 + at - time.perf_counter()))
        before = (await http.get("/v1/index", headers=headers)).json()["snapshot_id"]
        event = RefreshEvent(action, time.perf_counter() - t0, snapshot_before=before)
        run.refreshes.append(event)
        if action == "upload":
            files = {"file": (PROBE_DOC, PROBE_TEXT.encode(), "text/plain")}
            response = await http.post("/v1/documents", files=files, headers=headers)
        else:
            response = await http.delete(f"/v1/documents/{PROBE_DOC}", headers=headers)
        if response.status_code != 202:
            event.error = f"{response.status_code}: {response.text[:300]}"
            continue
        ticket = response.json()["ticket"]
        while True:
            status = (await http.get("/v1/index", headers=headers)).json()
            if status["refresh"]["completed"] >= ticket:
                break
            await asyncio.sleep(0.1)
        event.finished_at = time.perf_counter() - t0
        event.snapshot_after = status["snapshot_id"]
        event.error = status["refresh"]["last_error"]
        last = status["refresh"]["last"] or {}
        event.embedded_chunks = last.get("embedded_chunks")


async def run_load(args: argparse.Namespace) -> Run:
    questions = load_questions(args.questions)
    limits = httpx.Limits(
        max_connections=args.clients + 4, max_keepalive_connections=args.clients + 4
    )
    run = Run()
    async with httpx.AsyncClient(base_url=args.url, timeout=args.timeout, limits=limits) as http:
        ready = await http.get("/readyz")
        if ready.status_code != 200:
            raise SystemExit(f"the server is not ready: {ready.text}")
        t0 = time.perf_counter()
        end = t0 + args.duration
        tasks = [client_loop(http, questions, i * 7, t0, end, run) for i in range(args.clients)]
        if args.api_key:
            tasks.append(refresh_driver(http, args.api_key, args.duration, t0, run))
        await asyncio.gather(*tasks)
    return run


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of `values` (q in [0, 100])."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def latency_stats(samples: list[Sample]) -> dict[str, float]:
    ms = [s.seconds * 1000 for s in samples]
    return {
        "count": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms, default=float("nan")), 1),
    }


def summarise(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    ok = [s for s in run.samples if s.status == 200 and s.error is None]
    errors = [s for s in run.samples if s.status != 200 or s.error is not None]
    windows = [(e.queued_at, e.finished_at) for e in run.refreshes if e.finished_at is not None]
    during = [
        s
        for s in ok
        if any(start <= s.started + s.seconds and s.started <= end for start, end in windows)
    ]
    statuses: dict[str, int] = {}
    for sample in run.samples:
        statuses[str(sample.status)] = statuses.get(str(sample.status), 0) + 1
    return {
        "url": args.url,
        "clients": args.clients,
        "duration_s": args.duration,
        "requests": len(run.samples),
        "errors": len(errors),
        "statuses": statuses,
        "requests_per_s": round(len(run.samples) / args.duration, 2),
        "latency": latency_stats(ok),
        "latency_during_refresh": latency_stats(during),
        "refreshes": [asdict(event) for event in run.refreshes],
        "first_errors": [asdict(s) for s in errors[:10]],
    }


def print_summary(summary: dict[str, Any]) -> None:
    latency, during = summary["latency"], summary["latency_during_refresh"]
    print(
        f"{summary['requests']} requests in {summary['duration_s']} s from "
        f"{summary['clients']} clients: {summary['requests_per_s']} requests/s, "
        f"{summary['errors']} errors"
    )
    print(
        f"latency ms: p50 {latency['p50_ms']}, p95 {latency['p95_ms']}, "
        f"p99 {latency['p99_ms']}, max {latency['max_ms']}"
    )
    print(
        f"during refreshes ({during['count']} requests): p50 {during['p50_ms']}, "
        f"p95 {during['p95_ms']}, p99 {during['p99_ms']}"
    )
    for event in summary["refreshes"]:
        took = (
            f"{event['finished_at'] - event['queued_at']:.1f} s"
            if event["finished_at"] is not None
            else "unfinished"
        )
        print(
            f"refresh ({event['action']}) at {event['queued_at']:.1f} s took {took}: "
            f"{event['snapshot_before']} -> {event['snapshot_after']}, "
            f"{event['embedded_chunks']} chunks embedded, error {event['error']}"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="The citeqa server.")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="Seconds.")
    parser.add_argument("--api-key", help="Admin key: refresh the index during the run.")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSONL.")
    parser.add_argument("--timeout", type=float, default=120.0, help="Per request, seconds.")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "load.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run = asyncio.run(run_load(args))
    summary = summarise(run, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    print_summary(summary)
    print(f"written to {args.out}")
    refresh_failed = any(e["error"] or e["finished_at"] is None for e in summary["refreshes"])
    return 1 if summary["errors"] or refresh_failed else 0


if __name__ == "__main__":
    sys.exit(main())
