"""Query latency: citeqa's and the LangChain anchor's times in this run, and both timed in
turns on the same questions.

These shared machines change speed by a quarter within minutes (the same 200 questions took
69 to 91 ms at the median in one process), and every stage slows alike. Two systems timed
minutes apart therefore give a ratio that says as much about the machine as about them.
Timed in turns, question by question, both see the same machine: citeqa first on one
question, the anchor first on the next, so neither always runs on caches the other warmed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tqdm import tqdm

from bench.anchors.base import Anchor
from bench.anchors.evaluate import DEPTH
from bench.lib.harness import Bench
from bench.lib.tables import fmt, markdown, ratio
from qa.eval.datasets import EvalQuestion
from qa.eval.metrics import percentile
from qa.eval.runner import EvalRun
from qa.eval.versions import describe_machine, machine


@dataclass(frozen=True)
class PairedLatency:
    """Per question, in order: citeqa's time and the anchor's, in ms."""

    citeqa_ms: list[float]
    anchor_ms: list[float]

    def summary(self) -> dict[str, float | None]:
        """p50 and p95 of each, and citeqa's over the anchor's at both (None when the
        anchor's time is 0)."""
        figures: dict[str, float | None] = {
            "questions": len(self.citeqa_ms),
            "citeqa_p50": round(percentile(self.citeqa_ms, 50), 3),
            "citeqa_p95": round(percentile(self.citeqa_ms, 95), 3),
            "anchor_p50": round(percentile(self.anchor_ms, 50), 3),
            "anchor_p95": round(percentile(self.anchor_ms, 95), 3),
        }
        for p in ("p50", "p95"):
            citeqa, anchor = figures[f"citeqa_{p}"], figures[f"anchor_{p}"]
            figures[f"ratio_{p}"] = round(citeqa / anchor, 3) if citeqa and anchor else None
        return figures


def time_in_turns(
    ask: Callable[[str], object],
    anchor: Anchor,
    questions: Sequence[EvalQuestion],
    progress: bool = True,
) -> PairedLatency:
    """Time `ask` and `anchor.search` on each question, alternating which goes first."""
    citeqa_ms: list[float] = []
    anchor_ms: list[float] = []

    def search(text: str) -> object:
        return anchor.search(text, DEPTH)

    turns: list[tuple[Callable[[str], object], list[float]]] = [
        (ask, citeqa_ms),
        (search, anchor_ms),
    ]
    for i, question in enumerate(tqdm(questions, desc="in turns", unit="q", disable=not progress)):
        for call, into in turns if i % 2 == 0 else reversed(turns):
            started = time.perf_counter()
            call(question.question)
            into.append((time.perf_counter() - started) * 1000)
    return PairedLatency(citeqa_ms, anchor_ms)


def latency(
    bench: Bench,
    citeqa: EvalRun,
    anchors: dict[str, dict[str, float]],
    in_turns: PairedLatency,
) -> None:
    """Query times from the SQuAD v1.1 runs, and from citeqa and the LangChain anchor timed
    in turns on the same questions (the ratio to trust on a machine whose speed drifts)."""
    langchain = anchors["LangChain"]
    rows = [
        [
            "citeqa /v1/ask (in process)",
            fmt(citeqa.metrics["latency_ms_p50"], "latency"),
            fmt(citeqa.metrics["latency_ms_p95"], "latency"),
            "1.00x",
        ],
        *[
            [
                f"{name} anchor (retrieval)",
                fmt(m["latency_ms_p50"], "latency"),
                fmt(m["latency_ms_p95"], "latency"),
                ratio(citeqa.metrics["latency_ms_p50"], m["latency_ms_p50"]),
            ]
            for name, m in anchors.items()
        ],
    ]
    paired = in_turns.summary()
    bench.results["latency"] = {
        "citeqa_p50": citeqa.metrics["latency_ms_p50"],
        "citeqa_p95": citeqa.metrics["latency_ms_p95"],
        "langchain_p50": langchain["latency_ms_p50"],
        "langchain_p95": langchain["latency_ms_p95"],
        "ratio_p50_to_langchain": round(
            citeqa.metrics["latency_ms_p50"] / langchain["latency_ms_p50"], 3
        )
        if langchain["latency_ms_p50"]
        else None,
        "in_turns_with_langchain": paired,
    }
    bench.section(
        "Query latency (ms, in process, this run)",
        markdown(["system", "p50", "p95", "citeqa p50 / this p50"], rows),
        f"Timed on {describe_machine(machine())}.",
    )
    turns = [
        [
            "citeqa /v1/ask (in process)",
            fmt(paired["citeqa_p50"], "latency"),
            fmt(paired["citeqa_p95"], "latency"),
            "-",
        ],
        [
            "LangChain anchor (retrieval)",
            fmt(paired["anchor_p50"], "latency"),
            fmt(paired["anchor_p95"], "latency"),
            ratio(paired["citeqa_p50"], paired["anchor_p50"])
            + " / "
            + ratio(paired["citeqa_p95"], paired["anchor_p95"]),
        ],
    ]
    bench.section(
        "Query latency, citeqa and the LangChain anchor timed in turns (ms, in process)",
        markdown(["system", "p50", "p95", "citeqa over this (p50 / p95)"], turns),
        f"{paired['questions']} questions of the sample, each asked of both in turn "
        "(bench/quality/latency.py).",
    )
