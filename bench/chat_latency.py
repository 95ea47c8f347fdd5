"""Time to the first `delta` event of POST /v1/chat, measured over HTTP by a client.

    .venv/bin/python bench/chat_latency.py --url http://127.0.0.1:8000 \
        [--questions tests/data/corpus_questions.en.jsonl] [--requests 30] [--out chat.json]

Sends `--requests` sequential chat turns against a running server (after 3 warm-up
turns), cycling through the answerable questions, and reports p50/p95 of the time to the
`meta` event, to the first `delta`, and to `done`, in milliseconds, next to the
pipeline's own time (`timings_ms.total` of `done`): the difference is what HTTP and the
event stream add.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/chat_latency.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from httpx_sse import connect_sse

from qa.eval.metrics import percentile

DEFAULT_QUESTIONS = Path("tests/data/corpus_questions.en.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", required=True, help="base URL of a running citeqa server")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.questions.read_text("utf-8").splitlines() if line]
    questions = [row["question"] for row in rows if not row.get("unanswerable")]
    result = measure(args.url, questions, args.requests)
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


def one_turn(client: httpx.Client, question: str) -> dict[str, float]:
    """Milliseconds from sending the request to `meta`, the first `delta` and `done`, and
    the pipeline's own total."""
    started = time.perf_counter()
    marks: dict[str, float] = {}
    pipeline_ms = 0.0
    with connect_sse(client, "POST", "/v1/chat", json={"question": question}) as source:
        source.response.raise_for_status()
        for event in source.iter_sse():
            if event.event not in marks:
                marks[event.event] = (time.perf_counter() - started) * 1000
            if event.event == "done":
                pipeline_ms = float(json.loads(event.data)["timings_ms"]["total"])
            if event.event in ("done", "error"):
                break
    if "delta" not in marks or "done" not in marks:
        raise RuntimeError(f"incomplete stream for {question!r}: {sorted(marks)}")
    return {
        "meta": marks["meta"],
        "first_delta": marks["delta"],
        "done": marks["done"],
        "pipeline": pipeline_ms,
    }


def measure(url: str, questions: list[str], requests: int) -> dict[str, object]:
    samples: dict[str, list[float]] = {"meta": [], "first_delta": [], "done": [], "pipeline": []}
    with httpx.Client(base_url=url, timeout=60) as client:
        for question in questions[:3]:  # warm-up, not counted
            one_turn(client, question)
        for i in range(requests):
            for name, ms in one_turn(client, questions[i % len(questions)]).items():
                samples[name].append(ms)
    return {
        "url": url,
        "requests": requests,
        **{
            f"{name}_ms_{label}": round(percentile(values, q), 1)
            for name, values in samples.items()
            for label, q in (("p50", 50), ("p95", 95))
        },
    }


if __name__ == "__main__":
    main()
