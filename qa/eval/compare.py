"""Regression checks: deltas against an earlier report, and `--fail-under` thresholds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qa.eval.aggregate import ALL_METRICS, LOWER_IS_BETTER, NEUTRAL_METRICS


@dataclass(frozen=True, slots=True)
class Delta:
    metric: str
    current: float | None
    baseline: float | None

    @property
    def change(self) -> float | None:
        if self.current is None or self.baseline is None:
            return None
        return self.current - self.baseline

    @property
    def improved(self) -> bool | None:
        """True when better, False when worse, None when equal or not comparable."""
        change = self.change
        if change is None or abs(change) < 1e-9 or self.metric in NEUTRAL_METRICS:
            return None
        return (change < 0) if self.metric in LOWER_IS_BETTER else (change > 0)


def compare(current: Mapping[str, float], baseline: Mapping[str, float]) -> list[Delta]:
    """One delta per metric of either report, contract metrics first."""
    names = [m for m in ALL_METRICS if m in current or m in baseline]
    names += sorted((set(current) | set(baseline)) - set(names))
    return [Delta(name, current.get(name), baseline.get(name)) for name in names]


def format_deltas(deltas: Sequence[Delta]) -> str:
    """A plain-text table: metric, this run, the baseline, the change (+ better, - worse)."""
    lines = [f"{'metric':<20} {'this run':>10} {'baseline':>10} {'change':>10}"]
    for d in deltas:
        mark = {True: "  better", False: "  worse", None: ""}[d.improved]
        lines.append(
            f"{d.metric:<20} {_num(d.current):>10} {_num(d.baseline):>10} "
            f"{_signed(d.change):>10}{mark}"
        )
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}" if abs(value) >= 100 else f"{value:.4f}"


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.4f}"


@dataclass(frozen=True, slots=True)
class Threshold:
    metric: str
    minimum: float


def parse_threshold(text: str) -> Threshold:
    """`hit@5=0.9` -> Threshold('hit@5', 0.9); ValueError with the reason otherwise."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise ValueError(f"{text!r}: expected METRIC=VALUE, such as hit@5=0.9")
    if name not in ALL_METRICS:
        raise ValueError(f"{text!r}: unknown metric {name!r}; one of {', '.join(ALL_METRICS)}")
    try:
        minimum = float(value)
    except ValueError:
        raise ValueError(f"{text!r}: {value.strip()!r} is not a number") from None
    return Threshold(name, minimum)


def shortfalls(metrics: Mapping[str, float], thresholds: Sequence[Threshold]) -> list[str]:
    """A message for each threshold the metrics fall short of (or do not report)."""
    messages = []
    for threshold in thresholds:
        value = metrics.get(threshold.metric)
        if value is None:
            messages.append(f"{threshold.metric} was not measured (needs unanswerable questions)")
        elif value < threshold.minimum:
            messages.append(f"{threshold.metric} = {value:.4f} < {threshold.minimum}")
    return messages
