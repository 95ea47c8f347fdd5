"""The report's figures, drawn with matplotlib and returned as base64 PNG data."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from qa.eval.judge import Judgement
from qa.eval.metrics import percentile

WIDTH, HEIGHT, DPI = 6.4, 3.6, 100


def png_base64(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def hit_curve(
    judgements: Sequence[Judgement], baseline: Mapping[str, float] | None = None
) -> Figure:
    """hit@k for k = 1..10 over answerable questions (and the baseline's hit@1/3/5/10)."""
    ranks = [j.first_hit_rank for j in judgements if j.answerable]
    ks = list(range(1, 11))
    values = [
        sum(r is not None and r <= k for r in ranks) / len(ranks) if ranks else 0.0 for k in ks
    ]
    figure = Figure(figsize=(WIDTH, HEIGHT))
    ax = figure.subplots()
    ax.plot(ks, values, marker="o", label="this run")
    if baseline:
        points = [(k, baseline[f"hit@{k}"]) for k in (1, 3, 5, 10) if f"hit@{k}" in baseline]
        ax.plot(*zip(*points, strict=True), "s--", color="grey", label="baseline")
    for k, value in zip(ks, values, strict=True):
        if k in (1, 5, 10):
            ax.annotate(f"{value:.3f}", (k, value), textcoords="offset points", xytext=(0, -14))
    ax.set(xlabel="k", ylabel="hit@k", title="Retrieval: hit@k", xticks=ks, ylim=(0, 1.02))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return figure


def latency_histogram(judgements: Sequence[Judgement]) -> Figure:
    latencies = [j.latency_ms for j in judgements]
    figure = Figure(figsize=(WIDTH, HEIGHT))
    ax = figure.subplots()
    ax.hist(latencies, bins=40, color="#4c72b0")
    for q, style in ((50, "-"), (95, "--")):
        value = percentile(latencies, q)
        ax.axvline(value, color="black", linestyle=style, label=f"p{q} {value:.0f} ms")
    ax.set(xlabel="latency (ms)", ylabel="questions", title="Time to answer one question")
    ax.legend()
    return figure


def confidence_histogram(judgements: Sequence[Judgement]) -> Figure:
    """Answer confidence of answerable questions (answered right, or not) and unanswerable
    ones: where the groups overlap, no abstention threshold can separate them."""
    groups = {
        "answerable, answer holds gold": [
            j.answer.confidence for j in judgements if j.answerable and j.answer_contains
        ],
        "answerable, missed": [
            j.answer.confidence for j in judgements if j.answerable and not j.answer_contains
        ],
        "unanswerable": [j.answer.confidence for j in judgements if not j.answerable],
    }
    figure = Figure(figsize=(WIDTH, HEIGHT))
    ax = figure.subplots()
    bins = [i / 40 for i in range(41)]
    for (label, values), color in zip(
        groups.items(), ("#55a868", "#dd8452", "#c44e52"), strict=True
    ):
        if values:
            ax.hist(
                values,
                bins=bins,
                alpha=0.55,
                color=color,
                label=f"{label} ({len(values)})",
                log=True,
            )
    ax.set(
        xlabel="answer confidence",
        ylabel="questions (log scale)",
        title="Abstention score (Answer.confidence)",
        xlim=(0, 1),
    )
    ax.legend(loc="upper center", fontsize="small")
    return figure
