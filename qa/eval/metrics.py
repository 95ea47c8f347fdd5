"""Metric functions: answer overlap (SQuAD), ranking (hit@k, MRR, nDCG), abstention."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa.eval.normalize import answer_tokens, normalize_answer


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised gold answer."""
    normalised = normalize_answer(prediction)
    return float(any(normalised == normalize_answer(gold) for gold in golds))


def f1_score(prediction: str, golds: Sequence[str]) -> float:
    """SQuAD token F1, the best over the gold answers (0.0 without golds)."""
    predicted = answer_tokens(prediction)
    return max((_token_f1(predicted, answer_tokens(gold)) for gold in golds), default=0.0)


def _token_f1(predicted: list[str], gold: list[str]) -> float:
    same = sum((Counter(predicted) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision = same / len(predicted)
    recall = same / len(gold)
    return 2 * precision * recall / (precision + recall)


def first_relevant_rank(relevant: Sequence[bool]) -> int | None:
    """1-based rank of the first relevant item, None when none is relevant."""
    return next((rank for rank, hit in enumerate(relevant, start=1) if hit), None)


def hit_at_k(rank: int | None, k: int) -> float:
    return float(rank is not None and rank <= k)


def reciprocal_rank(rank: int | None, k: int) -> float:
    """1/rank when the first relevant item is within the top k, else 0 (MRR@k per query)."""
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def ndcg_at_k(gains: Sequence[float], k: int, relevant_total: int) -> float:
    """nDCG@k with the gains of the ranked list and `relevant_total` items of gain 1."""
    dcg = sum(gain / math.log2(i + 2) for i, gain in enumerate(gains[:k]))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(relevant_total, k)))
    return dcg / ideal if ideal > 0 else 0.0


def first_hit_ndcg(rank: int | None, k: int) -> float:
    """nDCG@k when a question has one relevant item counted at its first rank."""
    return 1.0 / math.log2(rank + 1) if rank is not None and rank <= k else 0.0


@dataclass(frozen=True, slots=True)
class AbstentionScores:
    """Abstaining is the positive class; an undefined ratio (0/0) is 0.0."""

    precision: float
    recall: float
    f1: float
    false_abstain_rate: float


def abstention_scores(abstained: Sequence[bool], unanswerable: Sequence[bool]) -> AbstentionScores:
    if len(abstained) != len(unanswerable):
        raise ValueError("abstained and unanswerable must have the same length")
    pairs = list(zip(abstained, unanswerable, strict=True))
    true_positive = sum(a and u for a, u in pairs)
    abstentions = sum(a for a, _ in pairs)
    unanswerable_total = sum(u for _, u in pairs)
    answerable_total = len(pairs) - unanswerable_total
    precision = _ratio(true_positive, abstentions)
    recall = _ratio(true_positive, unanswerable_total)
    f1 = _ratio(2 * precision * recall, precision + recall)
    false_abstain = _ratio(abstentions - true_positive, answerable_total)
    return AbstentionScores(precision, recall, f1, false_abstain)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (linear interpolation), 0.0 for no values."""
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else 0.0


def mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0
