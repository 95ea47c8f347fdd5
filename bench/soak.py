"""Soak: minutes of mixed hostile and normal traffic at a bounded rate against a real
`citeqa serve`, with its memory over time, every 5xx and the answers' correctness.

    python -m bench.soak --corpus corpus --questions tests/data/corpus_questions.en.jsonl \\
        --duration 300 --rate 4 --out bench/results/soak.json

The corpus is copied into a work folder together with hostile files (a YAML alias bomb,
front matter and HTML nested 3,000 deep, a link to a file outside the folder), which
`citeqa index` must skip while exiting 0. A server is started on that index with an admin
key, and each question is asked once, quietly: the baseline. Then requests go out at
`--rate` a second (at most `--max-in-flight` at once), in a fixed rotation of:

- normal: questions from `--questions` (a spoofed X-Forwarded-For on some), searches,
  two-turn chats continued by their conversation id, and every minute an upload and a
  deletion of a small document, each waited for until its refresh is done;
- hostile: chats without an id carrying the largest history the API takes (20 turns of
  20,000 characters), lone surrogates and 3,000-deep JSON on every JSON route, an
  oversized body, an empty question, and uploads of the hostile files and of 2,000-deep
  metadata;
- all the while `--slow-clients` connections that trickle a request head, one byte every
  two seconds, each reopened once the server closes it.

Reported: the server's resident memory every `--sample` seconds, the count of every
status per kind (anything other than the expected statuses is a failure, any 5xx is),
the share of answers that still contain a gold answer among questions answered right in
the baseline, per minute, and how long the server let slow clients hold a connection.
Exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.lib.hostile import HOSTILE_FILES, Probe, big_history, hostile_probes
from bench.lib.http_pool import pool_limits
from bench.lib.server_process import ServerProcess, memory_kib
from bench.lib.tables import markdown, write_results
from qa.eval.versions import describe_machine, machine

REPO = Path(__file__).resolve().parent.parent
API_KEY = "soak-admin-key-0123456789"
MAX_BODY_BYTES = 1 << 20
PROBE_DOC = "soak-probe.txt"
PROBE_TEXT = "Soak probe\nThe Velsa river is 42 kilometres long and freezes every January.\n"
# One rotation: the share of each kind of request.
ROTATION = [
    "ask",
    "ask_forwarded",
    "search",
    "chat",
    "big_history_chat",
    "hostile",
    "ask",
    "hostile",
    "ask",
    "big_history_chat",
    "ask_forwarded",
    "hostile",
]
ADMIN_EVERY_S = 60.0


@dataclass
class Question:
    text: str
    answers: list[str]


@dataclass
class Outcome:
    kind: str
    at: float  # seconds since the run began
    status: int  # 0: no answer (transport error)
    expected: bool
    correct: bool | None = None  # for questions answered right in the baseline
    detail: str = ""


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    rss_mb: list[tuple[float, float]] = field(default_factory=list)
    slow_held_s: list[float] = field(default_factory=list)
    refreshes: list[dict[str, Any]] = field(default_factory=list)


def contains_gold(answer: str, golds: list[str]) -> bool:
    text = " ".join(answer.lower().split())
    return any(" ".join(gold.lower().split()) in text for gold in golds)


def load_questions(path: Path) -> list[Question]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [
        Question(str(row["question"]), [str(a) for a in row.get("answers") or []])
        for row in rows
        if not row.get("unanswerable") and row.get("answers")
    ]


def prepare_index(corpus: Path, work: Path) -> tuple[Path, Path, list[str]]:
    """A copy of `corpus` with the hostile files and an outward link, and its index
    built by `citeqa index` (which must exit 0); the lines it printed about skipped files."""
    copy = work / "corpus"
    shutil.copytree(corpus, copy)
    for name, text in HOSTILE_FILES.items():
        (copy / name).write_text(text, "utf-8")
    (work / "outside.txt").write_text("The vault code is 0451.", "utf-8")
    os.symlink(work / "outside.txt", copy / "outside-link.txt")
    index_dir = work / "index"
    command = [sys.executable, "-m", "api.cli", "index", "--corpus", str(copy)]
    result = subprocess.run(
        [*command, "--index-dir", str(index_dir)],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if result.returncode != 0:
        raise SystemExit(f"citeqa index exited {result.returncode}:\n{result.stderr[-3000:]}")
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    return copy, index_dir, skipped


async def ask(http: httpx.AsyncClient, question: str, headers: dict[str, str]) -> httpx.Response:
    return await http.post("/v1/ask", json={"question": question}, headers=headers)


async def chat_events(http: httpx.AsyncClient, body: dict[str, Any]) -> tuple[int, list[Any]]:
    """Status and the (event, data) pairs of one /v1/chat call."""
    response = await http.post("/v1/chat", json=body)
    if response.status_code != 200:
        return response.status_code, []
    events = []
    for block in response.text.split("\n\n"):
        lines = block.splitlines()
        name = next((line[7:] for line in lines if line.startswith("event: ")), None)
        data = "\n".join(line[6:] for line in lines if line.startswith("data: "))
        if name:
            events.append((name, json.loads(data)))
    return 200, events


class Traffic:
    """The requests of one run, and what each got."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        questions: list[Question],
        baseline: dict[str, bool],
        t0: float,
        run: Run,
    ) -> None:
        self.http = http
        self.questions = questions
        self.baseline = baseline
        self.t0 = t0
        self.run = run
        self.rng = random.Random(0)
        self.probes = hostile_probes(MAX_BODY_BYTES)
        self.counter = 0

    def record(self, kind: str, status: int, expected: bool, **more: Any) -> None:
        at = time.perf_counter() - self.t0
        self.run.outcomes.append(Outcome(kind, at, status, expected, **more))

    async def one(self, kind: str) -> None:
        self.counter += 1
        try:
            await getattr(self, kind)()
        except httpx.HTTPError as exc:
            self.record(kind, 0, False, detail=f"{type(exc).__name__}: {exc}")

    async def ask(self, headers: dict[str, str] | None = None, kind: str = "ask") -> None:
        question = self.questions[self.counter % len(self.questions)]
        response = await ask(self.http, question.text, headers or {})
        correct = None
        if response.status_code == 200 and self.baseline.get(question.text):
            correct = contains_gold(response.json()["answer"], question.answers)
        detail = "" if correct is not False else question.text
        self.record(
            kind, response.status_code, response.status_code == 200, correct=correct, detail=detail
        )

    async def ask_forwarded(self) -> None:
        spoofed = f"203.0.113.{self.rng.randrange(1, 255)}"
        await self.ask({"X-Forwarded-For": spoofed}, kind="ask_forwarded")

    async def search(self) -> None:
        question = self.questions[self.counter % len(self.questions)]
        response = await self.http.post("/v1/search", json={"query": question.text})
        ok = response.status_code == 200 and bool(response.json()["results"])
        self.record("search", response.status_code, ok)

    async def chat(self) -> None:
        status, events = await chat_events(self.http, {"question": "Who presented IIOE?"})
        ok = status == 200 and bool(events) and events[-1][0] == "done"
        self.record("chat", status, ok)
        if not ok:
            return
        conversation_id = events[0][1]["conversation_id"]
        body = {"question": "What position does she hold?", "conversation_id": conversation_id}
        status, events = await chat_events(self.http, body)
        resumed = bool(events) and events[0][1].get("resumed") is True
        ok = status == 200 and resumed and events[-1][0] == "done"
        self.record("chat_follow_up", status, ok, detail="" if resumed else "not resumed")

    async def big_history_chat(self) -> None:
        body = {"question": "What is IIOE?", "history": big_history()}
        status, events = await chat_events(self.http, body)
        self.record("big_history_chat", status, status == 200 and events[-1][0] == "done")

    async def hostile(self) -> None:
        probe = self.probes[self.counter % len(self.probes)]
        await self.send_probe(probe)

    async def send_probe(self, probe: Probe) -> None:
        headers = dict(probe.headers)
        if probe.admin:
            headers["X-API-Key"] = API_KEY
        response = await self.http.request(
            probe.method,
            probe.path,
            content=probe.content or None,
            headers=headers,
            files=probe.files,
            data=probe.data,
        )
        expected = response.status_code in probe.expect and _json_error(response)
        self.record(probe.kind, response.status_code, expected, detail=response.text[:200])

    async def admin_cycle(self) -> None:
        """Upload a document, wait for its refresh; delete it, wait again."""
        headers = {"X-API-Key": API_KEY}
        for action in ("upload", "delete"):
            started = time.perf_counter()
            if action == "upload":
                files = {"file": (PROBE_DOC, PROBE_TEXT.encode(), "text/plain")}
                response = await self.http.post("/v1/documents", files=files, headers=headers)
            else:
                response = await self.http.delete(f"/v1/documents/{PROBE_DOC}", headers=headers)
            self.record(action, response.status_code, response.status_code == 202)
            if response.status_code != 202:
                continue
            ticket = response.json()["ticket"]
            status: dict[str, Any] = {}
            while time.perf_counter() - started < 600:
                status = (await self.http.get("/v1/index", headers=headers)).json()
                if status["refresh"]["completed"] >= ticket:
                    break
                await asyncio.sleep(0.5)
            refresh = status.get("refresh", {})
            skipped = (refresh.get("last") or {}).get("skipped_files") or []
            self.run.refreshes.append(
                {
                    "action": action,
                    "seconds": round(time.perf_counter() - started, 1),
                    "done": refresh.get("completed", 0) >= ticket,
                    "error": refresh.get("last_error"),
                    "skipped": sorted(row["file"] for row in skipped),
                }
            )


def _json_error(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and set(body) == {"error"}


async def slow_client(host: str, port: int, end: float, run: Run) -> None:
    """Trickle a request head, one byte every two seconds, until the server hangs up;
    record how long it let the connection be held; start again until `end`."""
    head = b"POST /v1/ask HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\n"
    while time.perf_counter() < end:
        opened = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            await asyncio.sleep(1)
            continue
        try:
            for byte in head:
                if time.perf_counter() >= end or reader.at_eof():
                    break
                writer.write(bytes([byte]))
                await writer.drain()
                try:
                    if await asyncio.wait_for(reader.read(1024), timeout=2.0) == b"":
                        break
                except TimeoutError:
                    continue
                break  # the server answered (408) and closes
        except OSError:
            pass
        finally:
            held = time.perf_counter() - opened
            writer.close()
        if time.perf_counter() < end:
            run.slow_held_s.append(held)


async def sample_memory(pid: int, t0: float, end: float, every: float, run: Run) -> None:
    while time.perf_counter() < end:
        try:
            rss = memory_kib(pid).get("VmRSS", 0) / 1024
        except OSError:
            return
        run.rss_mb.append((round(time.perf_counter() - t0, 1), round(rss, 1)))
        await asyncio.sleep(every)


async def soak(args: argparse.Namespace, server: ServerProcess, questions: list[Question]) -> Run:
    run = Run()
    limits = pool_limits(args.max_in_flight + 4)
    timeout = httpx.Timeout(args.timeout)
    async with httpx.AsyncClient(base_url=server.url, timeout=timeout, limits=limits) as http:
        baseline = {}
        for question in questions:
            response = await ask(http, question.text, {})
            response.raise_for_status()
            baseline[question.text] = contains_gold(response.json()["answer"], question.answers)
        t0 = time.perf_counter()
        end = t0 + args.duration
        traffic = Traffic(http, questions, baseline, t0, run)
        host, port = server.url.removeprefix("http://").split(":")
        background = [
            asyncio.create_task(sample_memory(server.process.pid, t0, end, args.sample, run)),
            *(
                asyncio.create_task(slow_client(host, int(port), end, run))
                for _ in range(args.slow_clients)
            ),
        ]
        in_flight: set[asyncio.Task[None]] = set()
        next_admin = t0 + min(ADMIN_EVERY_S, args.duration / 3)
        admin: asyncio.Task[None] | None = None
        sent = 0
        while time.perf_counter() < end:
            if time.perf_counter() >= next_admin and (admin is None or admin.done()):
                admin = asyncio.create_task(traffic.admin_cycle())
                next_admin += ADMIN_EVERY_S
            if len(in_flight) < args.max_in_flight:
                kind = ROTATION[sent % len(ROTATION)]
                task = asyncio.create_task(traffic.one(kind))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                sent += 1
            await asyncio.sleep(max(0.0, t0 + sent / args.rate - time.perf_counter()))
        await asyncio.gather(*in_flight, *background, *([admin] if admin else []))
    return run


def summarise(run: Run, args: argparse.Namespace, skipped: list[str]) -> dict[str, Any]:
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for outcome in run.outcomes:
        by_kind[outcome.kind][str(outcome.status)] += 1
    failures = [o for o in run.outcomes if not o.expected or o.correct is False]
    judged = [o for o in run.outcomes if o.correct is not None]
    minutes: dict[int, list[bool]] = defaultdict(list)
    for outcome in judged:
        minutes[int(outcome.at // 60)].append(bool(outcome.correct))
    rss = [value for _, value in run.rss_mb]
    half = [value for at, value in run.rss_mb if at >= args.duration / 2]
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "duration_s": args.duration,
        "rate_per_s": args.rate,
        "requests": len(run.outcomes),
        "server_errors_5xx": sum(1 for o in run.outcomes if o.status >= 500),
        "transport_errors": sum(1 for o in run.outcomes if o.status == 0),
        "unexpected": len(failures),
        "statuses": {kind: dict(counts) for kind, counts in sorted(by_kind.items())},
        "correct": {
            "judged": len(judged),
            "share": round(sum(bool(o.correct) for o in judged) / len(judged), 4)
            if judged
            else None,
            "per_minute": {
                str(minute): round(sum(values) / len(values), 4)
                for minute, values in sorted(minutes.items())
            },
        },
        "rss_mb": {
            "start": rss[0] if rss else None,
            "end": rss[-1] if rss else None,
            "max": max(rss, default=None),
            "growth": round(rss[-1] - rss[0], 1) if rss else None,
            "growth_second_half": round(half[-1] - half[0], 1) if len(half) > 1 else None,
            "samples": run.rss_mb,
        },
        "slow_clients": {
            "connections": len(run.slow_held_s),
            "held_max_s": round(max(run.slow_held_s, default=0.0), 1),
        },
        "refreshes": run.refreshes,
        "index_skipped": skipped,
        "first_failures": [vars(o) for o in failures[:20]],
    }


def print_summary(summary: dict[str, Any]) -> None:
    rss, correct = summary["rss_mb"], summary["correct"]
    print(
        f"{summary['requests']} requests in {summary['duration_s']:g} s "
        f"({summary['rate_per_s']:g}/s) on {describe_machine(summary['machine'])}"
    )
    print(
        f"5xx: {summary['server_errors_5xx']}, transport errors: "
        f"{summary['transport_errors']}, unexpected answers: {summary['unexpected']}"
    )
    print(
        f"correct (questions right in the baseline): {correct['share']} of "
        f"{correct['judged']}; per minute {correct['per_minute']}"
    )
    print(
        f"RSS MiB: start {rss['start']}, end {rss['end']}, max {rss['max']}, growth "
        f"{rss['growth']} (second half {rss['growth_second_half']})"
    )
    slow = summary["slow_clients"]
    print(f"slow clients: {slow['connections']} connections, held at most {slow['held_max_s']} s")
    rows = [
        [kind, ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))]
        for kind, counts in summary["statuses"].items()
    ]
    print(markdown(["kind", "statuses"], rows))
    for refresh in summary["refreshes"]:
        print(f"refresh after {refresh['action']}: {refresh}")
    print("citeqa index skipped: " + "; ".join(summary["index_skipped"]))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, required=True, help="Documents folder.")
    parser.add_argument("--questions", type=Path, required=True, help="JSONL with answers.")
    parser.add_argument("--limit", type=int, help="Ask only the first N questions.")
    parser.add_argument("--duration", type=float, default=300.0, help="Seconds.")
    parser.add_argument("--rate", type=float, default=4.0, help="Requests a second.")
    parser.add_argument("--max-in-flight", type=int, default=8)
    parser.add_argument("--slow-clients", type=int, default=20)
    parser.add_argument("--sample", type=float, default=5.0, help="Seconds between RSS reads.")
    parser.add_argument("--timeout", type=float, default=300.0, help="Per request, seconds.")
    parser.add_argument("--work", type=Path, help="Work folder (default: a temporary one).")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "soak.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    questions = load_questions(args.questions)[: args.limit]
    with tempfile.TemporaryDirectory(prefix="citeqa-soak-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        corpus, index_dir, skipped = prepare_index(args.corpus, work)
        env = {
            "CITEQA_CORPUS_DIR": str(corpus),
            "CITEQA_API_KEYS": API_KEY,
            "CITEQA_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
            # On, and far above the soak's own rate: every request is from one address.
            "CITEQA_RATE_LIMIT": f"{int(args.rate * 600)}/minute",
            "CITEQA_ADMIN_RATE_LIMIT": "600/minute",
        }
        server = ServerProcess.start(index_dir, env=env)
        try:
            run = asyncio.run(soak(args, server, questions))
        finally:
            server.stop()
    summary = summarise(run, args, skipped)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_results(args.out, summary)
    print_summary(summary)
    print(f"written to {args.out}")
    failed = (
        summary["unexpected"]
        or summary["server_errors_5xx"]
        or any(r["error"] or not r["done"] for r in summary["refreshes"])
        or len(skipped) != len(HOSTILE_FILES) + 1
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
