"""Markdown tables for the benchmark scripts."""

from __future__ import annotations

from collections.abc import Sequence


def fmt(value: float | str | None, metric: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if metric == "count" or metric.endswith("_count"):
        return f"{int(value)}"
    if "latency" in metric or metric.endswith("_ms") or abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def ratio(value: float | None, anchor: float | None) -> str:
    """value / anchor as `1.07x`; '-' when either is missing or the anchor is 0."""
    if value is None or anchor is None or anchor == 0:
        return "-"
    return f"{value / anchor:.2f}x"


def markdown(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
