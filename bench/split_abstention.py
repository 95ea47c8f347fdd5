"""Abstention per situation, fitted on one half of a corpus set and measured on the other.

    .venv/bin/python -m bench.split_abstention corpora.json [--max-false-abstain 0.05]

Reads the per-question confidences that bench/corpora.py wrote (the confidence is the
evidence score the abstention threshold is compared with, on a 0-1 scale) and, for each
situation (a corpus set, that is a corpus language, and a question language), fits an
abstention threshold on the answerable questions of one fixed half of the articles
(bench/lib/corpus_sets.half_of) with the calibration's rule (bench/lib/abstention_budget.py):
the false abstention rate whose one-sided 95% Wilson upper bound stays within
`--max-false-abstain`. It reports what that
threshold does on the other half (fit on a, report b; then fit on b, report a) beside what
the shipped threshold did on the same questions. Nothing here changes citeqa's calibration:
it measures whether a per-situation threshold would separate the questions.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.lib.abstention_budget import budget_threshold, false_abstain_budget
from bench.lib.tables import fmt, markdown

HALVES = ("a", "b")


@dataclass(frozen=True)
class Outcome:
    """Abstention on a group of questions: recall on the unanswerable ones, false
    abstention rate on the answerable ones, and how many of each."""

    abstain_recall: float | None
    false_abstain_rate: float | None
    unanswerable: int
    answerable: int


def fit_threshold(answerable: Sequence[float], limit: float) -> float:
    """The confidence below which to abstain: the budget's quantile of the answerable ones."""
    return budget_threshold(answerable, false_abstain_budget(len(answerable), limit))


def outcome(rows: Sequence[dict[str, Any]], abstains: Sequence[bool]) -> Outcome:
    """`abstains[i]`: whether the question `rows[i]` is declined."""
    unanswerable = [a for r, a in zip(rows, abstains, strict=True) if not r["answerable"]]
    answerable = [a for r, a in zip(rows, abstains, strict=True) if r["answerable"]]
    return Outcome(
        abstain_recall=float(np.mean(unanswerable)) if unanswerable else None,
        false_abstain_rate=float(np.mean(answerable)) if answerable else None,
        unanswerable=len(unanswerable),
        answerable=len(answerable),
    )


def situations(results: dict[str, Any]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Per-question rows grouped by (corpus set, question language)."""
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for name, section in results["sets"].items():
        for row in section["per_question"]:
            grouped.setdefault((name, row["lang"]), []).append(row)
    return grouped


def split_fit(rows: Sequence[dict[str, Any]], limit: float) -> list[dict[str, Any]]:
    """For each half: the threshold fitted on the other half, and both outcomes on this one."""
    found = []
    for fitted_on, reported_on in (HALVES, HALVES[::-1]):
        fitting = [r["confidence"] for r in rows if r["half"] == fitted_on and r["answerable"]]
        reported = [r for r in rows if r["half"] == reported_on]
        if not fitting or not reported:
            continue
        threshold = fit_threshold(fitting, limit)
        found.append(
            {
                "fitted_on": fitted_on,
                "reported_on": reported_on,
                "threshold": round(threshold, 4),
                "fitted": outcome(
                    reported, [r["confidence"] < threshold for r in reported]
                ).__dict__,
                "shipped": outcome(reported, [r["abstained"] for r in reported]).__dict__,
            }
        )
    return found


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("results", type=Path, help="the JSON file bench/corpora.py wrote")
    parser.add_argument("--max-false-abstain", type=float, default=0.05)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = json.loads(args.results.read_text("utf-8"))
    rows = []
    for (name, lang), questions in sorted(situations(results).items()):
        for split in split_fit(questions, args.max_false_abstain):
            fitted, shipped = split["fitted"], split["shipped"]
            rows.append(
                [
                    name,
                    lang,
                    f"{split['fitted_on']} -> {split['reported_on']}",
                    f"{shipped['answerable']} + {shipped['unanswerable']}",
                    f"{split['threshold']:.3f}",
                    fmt(shipped["abstain_recall"]),
                    fmt(fitted["abstain_recall"]),
                    fmt(shipped["false_abstain_rate"]),
                    fmt(fitted["false_abstain_rate"]),
                ]
            )
    headers = [
        "set",
        "question language",
        "fitted on -> reported on",
        "answerable + unanswerable reported",
        "fitted threshold",
        "abstain recall, shipped",
        "abstain recall, fitted",
        "false abstention, shipped",
        "false abstention, fitted",
    ]
    print(markdown(headers, rows))
    print(f"\nfrom {args.results} (run {results.get('run', {}).get('started_at', '?')})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
