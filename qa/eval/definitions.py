"""One-line definitions of the report's metrics, shown in report.html and listed in
docs/evaluation-and-benchmarks.md."""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "hit@1": "answerable questions with a relevant passage ranked first",
    "hit@3": "answerable questions with a relevant passage in the top 3",
    "hit@5": "answerable questions with a relevant passage in the top 5",
    "hit@10": "answerable questions with a relevant passage in the top 10",
    "mrr@10": "mean of 1/rank of the first relevant passage (0 beyond rank 10)",
    "ndcg@10": "mean of 1/log2(1 + rank) of the first relevant passage (0 beyond rank 10)",
    "answer_contains": "answerable questions whose answer contains a gold answer (normalised)",
    "exact_match": "answerable questions whose answer, markers removed, equals a gold answer",
    "f1": "SQuAD token F1 of the answer (markers removed) with the best gold answer",
    "short_answer_coverage": "answered answerable questions that got a short answer",
    "short_answer_exact_match": "short answers shown that equal a gold answer (normalised)",
    "short_answer_f1": "SQuAD token F1 of the short answers shown, with the best gold answer",
    "short_answer_precision": "short answers shown whose token F1 is at least 0.5",
    "abstain_precision": "abstentions that were on unanswerable questions",
    "abstain_recall": "unanswerable questions on which citeqa abstained",
    "abstain_f1": "harmonic mean of abstain_precision and abstain_recall",
    "false_abstain_rate": "answerable questions on which citeqa abstained",
    "citation_validity": "citations whose quote equals the source text at their offsets",
    "confidence_ece": "expected calibration error of the confidence of answered answerable "
    "questions, as the probability that the answer holds a gold answer (10 bins)",
    "confidence_ece_floor": "the confidence_ece that confidences right exactly as often as "
    "they say would show on these answers (sampling noise; 1,000 seeded draws)",
    "citation_support": "citations (answerable questions) whose quote or chunk holds a gold answer",
    "latency_ms_p50": "median time to answer one question, as the client sees it (ms)",
    "latency_ms_p95": "95th percentile of the time to answer one question (ms)",
    "count": "questions evaluated",
}
