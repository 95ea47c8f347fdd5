"""Markdown tables and JSON results files for the benchmark scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


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


def write_results(path: Path, results: Mapping[str, Any]) -> None:
    """`results` as indented JSON at `path`, and where it went on standard error."""
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults: {path}", file=sys.stderr)
