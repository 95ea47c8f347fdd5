"""Per-question judgements to the report's `metrics` (names fixed: users' CI checks
read them; docs/evaluation-and-benchmarks.md lists them)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa.eval.judge import Judgement
from qa.eval.metrics import (
    abstention_scores,
    first_hit_ndcg,
    hit_at_k,
    mean,
    percentile,
    reciprocal_rank,
)

HIT_KS = (1, 3, 5, 10)
RETRIEVAL_METRICS = ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10")
ANSWER_METRICS = ("answer_contains", "exact_match", "f1")
SHORT_ANSWER_METRICS = (
    "short_answer_coverage",
    "short_answer_exact_match",
    "short_answer_f1",
    "short_answer_precision",
)
# A shown short answer counts as right for `short_answer_precision` from this token F1 on.
SHORT_ANSWER_RIGHT_F1 = 0.5
ABSTENTION_METRICS = ("abstain_precision", "abstain_recall", "abstain_f1", "false_abstain_rate")
CITATION_METRICS = ("citation_validity", "citation_support")
CALIBRATION_METRICS = ("confidence_ece", "confidence_ece_floor")
# Equal-width confidence bins of the expected calibration error.
ECE_BINS = 10
# Outcome sets drawn for `confidence_ece_floor`.
ECE_DRAWS = 1000
LATENCY_METRICS = ("latency_ms_p50", "latency_ms_p95")
ALL_METRICS = (
    *RETRIEVAL_METRICS,
    *ANSWER_METRICS,
    *SHORT_ANSWER_METRICS,
    *ABSTENTION_METRICS,
    *CITATION_METRICS,
    *CALIBRATION_METRICS,
    *LATENCY_METRICS,
    "count",
)
LOWER_IS_BETTER = frozenset({"false_abstain_rate", "confidence_ece", *LATENCY_METRICS})
# Figures of the questions asked, not of how well they were answered: neither better nor worse.
NEUTRAL_METRICS = frozenset({"count", "confidence_ece_floor"})


def aggregate(judgements: Sequence[Judgement], with_abstention: bool) -> dict[str, float]:
    """Every contract metric; abstention metrics only when `with_abstention` (the data has
    unanswerable questions). Ratios with nothing to count (no citations, say) are 0.0."""
    answerable = [j for j in judgements if j.answerable]
    metrics = retrieval_metrics([j.first_hit_rank for j in answerable])
    metrics["answer_contains"] = mean([j.answer_contains or 0.0 for j in answerable])
    metrics["exact_match"] = mean([j.exact_match or 0.0 for j in answerable])
    metrics["f1"] = mean([j.f1 or 0.0 for j in answerable])
    metrics |= short_answer_metrics(answerable)
    if with_abstention:
        scores = abstention_scores(
            [j.answer.abstained for j in judgements], [not j.answerable for j in judgements]
        )
        metrics["abstain_precision"] = scores.precision
        metrics["abstain_recall"] = scores.recall
        metrics["abstain_f1"] = scores.f1
        metrics["false_abstain_rate"] = scores.false_abstain_rate
    cited = sum(j.citations for j in judgements)
    metrics["citation_validity"] = _ratio(sum(j.citations_valid for j in judgements), cited)
    metrics["citation_support"] = _ratio(
        sum(j.citations_supported or 0 for j in answerable), sum(j.citations for j in answerable)
    )
    answered = [j for j in answerable if not j.answer.abstained]
    confidences = [j.answer.confidence for j in answered]
    metrics["confidence_ece"] = expected_calibration_error(
        confidences, [bool(j.answer_contains) for j in answered]
    )
    metrics["confidence_ece_floor"] = calibrated_ece(confidences)
    latencies = [j.latency_ms for j in judgements]
    metrics["latency_ms_p50"] = percentile(latencies, 50)
    metrics["latency_ms_p95"] = percentile(latencies, 95)
    metrics["count"] = len(judgements)
    return {name: round(value, 4) for name, value in metrics.items()}


def short_answer_metrics(answerable: Sequence[Judgement]) -> dict[str, float]:
    """Over the answerable questions citeqa answered: the share with a short answer, and
    over those shown, exact match, token F1 and the share with F1 >= 0.5."""
    answered = [j for j in answerable if not j.answer.abstained]
    shown = [j for j in answered if j.short_f1 is not None]
    return {
        "short_answer_coverage": _ratio(len(shown), len(answered)),
        "short_answer_exact_match": mean([j.short_exact_match or 0.0 for j in shown]),
        "short_answer_f1": mean([j.short_f1 or 0.0 for j in shown]),
        "short_answer_precision": mean(
            [float((j.short_f1 or 0.0) >= SHORT_ANSWER_RIGHT_F1) for j in shown]
        ),
    }


def expected_calibration_error(confidences: Sequence[float], outcomes: Sequence[bool]) -> float:
    """Mean |share right - mean confidence| over ECE_BINS equal-width bins, weighted by the
    bins' sizes: 0 when a confidence of p is right p of the time."""
    if not confidences:
        return 0.0
    right = np.asarray(outcomes, dtype=np.float64)[None, :]
    return float(_binned_gaps(np.asarray(confidences, dtype=np.float64), right)[0])


def calibrated_ece(confidences: Sequence[float], draws: int = ECE_DRAWS, seed: int = 0) -> float:
    """The ECE that confidences right exactly as often as they say would still show on this
    many answers (the mean over `draws` outcome sets drawn from the confidences, seeded): the
    sampling noise under `confidence_ece`: about 0.08 on 100 answers, 0.03 on 1,000."""
    if not confidences:
        return 0.0
    chances = np.asarray(confidences, dtype=np.float64)
    drawn = np.random.default_rng(seed).random((draws, len(chances))) < chances
    return float(_binned_gaps(chances, drawn.astype(np.float64)).mean())


def _binned_gaps(confidences: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """The ECE of each row of `outcomes` (rows x answers) against `confidences`."""
    bins = np.minimum((confidences * ECE_BINS).astype(int), ECE_BINS - 1)
    member = np.eye(ECE_BINS)[bins]  # answers x bins
    gaps = np.abs(outcomes @ member - confidences @ member)  # rows x bins
    per_row: np.ndarray = gaps.sum(axis=1) / len(confidences)
    return per_row


def retrieval_metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    """hit@k, MRR@10 and nDCG@10 from the rank of each question's first relevant passage."""
    metrics = {f"hit@{k}": mean([hit_at_k(r, k) for r in ranks]) for k in HIT_KS}
    metrics["mrr@10"] = mean([reciprocal_rank(r, 10) for r in ranks])
    metrics["ndcg@10"] = mean([first_hit_ndcg(r, 10) for r in ranks])
    return metrics


def details(judgements: Sequence[Judgement]) -> dict[str, float]:
    """Counts behind the metrics, for the report (not part of `metrics`)."""
    answered = [j for j in judgements if not j.answer.abstained]
    words = sorted(len(j.answer_text.split()) for j in answered)
    return {
        "questions": len(judgements),
        "answerable": sum(j.answerable for j in judgements),
        "unanswerable": sum(not j.answerable for j in judgements),
        "abstained": len(judgements) - len(answered),
        "citations": sum(j.citations for j in judgements),
        "citations_invalid": sum(j.citations - j.citations_valid for j in judgements),
        "citations_unverifiable": sum(j.citations_unverifiable for j in judgements),
        "answer_words_median": percentile([float(w) for w in words], 50),
    }


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0
