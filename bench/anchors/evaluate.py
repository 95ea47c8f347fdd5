"""Retrieval metrics and query time of an anchor, on citeqa's evaluation questions."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from tqdm import tqdm

from bench.anchors.base import Anchor
from qa.eval.aggregate import retrieval_metrics
from qa.eval.datasets import EvalQuestion
from qa.eval.metrics import first_relevant_rank, percentile

DEPTH = 10


@dataclass(frozen=True)
class AnchorRun:
    """Per answerable question, in order: the rank of its first relevant chunk and the
    query time."""

    ranks: list[int | None]
    latencies_ms: list[float]

    def metrics(self, first: int | None = None) -> dict[str, float]:
        """hit@k, MRR@10, nDCG@10 and latency over the first `first` questions (or all)."""
        ranks, latencies = self.ranks[:first], self.latencies_ms[:first]
        metrics = retrieval_metrics(ranks)
        metrics["latency_ms_p50"] = percentile(latencies, 50)
        metrics["latency_ms_p95"] = percentile(latencies, 95)
        metrics["count"] = len(ranks)
        return {k: round(v, 4) for k, v in metrics.items()}


def evaluate_anchor(
    anchor: Anchor, questions: Sequence[EvalQuestion], progress: bool = True
) -> AnchorRun:
    """Search the anchor for each answerable question (a chunk of a gold document is
    relevant), timing each search."""
    ranks: list[int | None] = []
    latencies: list[float] = []
    answerable = [q for q in questions if not q.unanswerable]
    for question in tqdm(answerable, desc=anchor.name, unit="q", disable=not progress):
        started = time.perf_counter()
        hits = anchor.search(question.question, DEPTH)
        latencies.append((time.perf_counter() - started) * 1000)
        ranks.append(first_relevant_rank([h.doc_id in question.gold_doc_ids for h in hits]))
    return AnchorRun(ranks, latencies)
