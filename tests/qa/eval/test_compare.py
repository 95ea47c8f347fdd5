"""Deltas against an earlier report, and --fail-under thresholds."""

from __future__ import annotations

import pytest

from qa.eval.compare import compare, format_deltas, parse_threshold, shortfalls


def test_deltas_know_which_direction_is_better() -> None:
    deltas = {
        d.metric: d
        for d in compare(
            {
                "hit@5": 0.9,
                "latency_ms_p50": 40.0,
                "false_abstain_rate": 0.1,
                "confidence_ece_floor": 0.03,
                "count": 10,
            },
            {
                "hit@5": 0.8,
                "latency_ms_p50": 50.0,
                "false_abstain_rate": 0.05,
                "confidence_ece_floor": 0.08,
                "count": 20,
                "x": 1,
            },
        )
    }
    assert deltas["hit@5"].change == pytest.approx(0.1)
    assert deltas["hit@5"].improved is True
    assert deltas["latency_ms_p50"].improved is True  # lower latency is better
    assert deltas["false_abstain_rate"].improved is False
    assert deltas["count"].improved is None
    assert deltas["confidence_ece_floor"].improved is None  # sampling noise, not quality
    assert deltas["x"].current is None
    assert deltas["x"].change is None
    assert list(deltas)[:2] == ["hit@5", "false_abstain_rate"]  # contract order first
    table = format_deltas(list(deltas.values()))
    assert "hit@5" in table
    assert "+0.1000  better" in table
    assert "-10.0000  better" in table


def test_parse_threshold() -> None:
    threshold = parse_threshold("hit@5=0.9")
    assert (threshold.metric, threshold.minimum) == ("hit@5", 0.9)
    assert parse_threshold(" mrr@10 = 0.5").minimum == 0.5
    with pytest.raises(ValueError, match="expected METRIC=VALUE"):
        parse_threshold("hit@5")
    with pytest.raises(ValueError, match="unknown metric 'hit@7'"):
        parse_threshold("hit@7=0.5")
    with pytest.raises(ValueError, match="is not a number"):
        parse_threshold("hit@5=high")


def test_shortfalls() -> None:
    thresholds = [parse_threshold("hit@5=0.9"), parse_threshold("f1=0.2")]
    assert shortfalls({"hit@5": 0.9, "f1": 0.3}, thresholds) == []
    assert shortfalls({"hit@5": 0.89, "f1": 0.3}, thresholds) == ["hit@5 = 0.8900 < 0.9"]
    missing = shortfalls({}, [parse_threshold("abstain_f1=0.5")])
    assert missing == ["abstain_f1 was not measured (needs unanswerable questions)"]
