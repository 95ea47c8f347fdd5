"""Ask every question of a dataset, judge each reply, and aggregate the metrics."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tqdm import tqdm

from qa.eval.aggregate import aggregate, details
from qa.eval.datasets import EvalDataset, EvalQuestion
from qa.eval.judge import DatasetTexts, Judgement, SnapshotTexts, TextSource, judge
from qa.eval.targets import Target


@dataclass
class EvalRun:
    """The outcome of one evaluation: judgements in question order, and their metrics."""

    dataset: EvalDataset
    judgements: list[Judgement]
    metrics: dict[str, float]
    details: dict[str, float]
    target: dict[str, Any]
    started_at: str
    seconds: float
    settings: dict[str, Any] = field(default_factory=dict)


def texts_for(target: Target, dataset: EvalDataset) -> TextSource | None:
    """The best source to check citations against (see qa.eval.judge)."""
    snapshot = target.snapshot
    if snapshot is not None:
        return SnapshotTexts(snapshot)
    if dataset.documents:
        return DatasetTexts({d.doc_id: d.text for d in dataset.documents})
    return None


def run_eval(
    dataset: EvalDataset,
    target: Target,
    *,
    limit: int | None = None,
    questions: Sequence[EvalQuestion] | None = None,
    progress: bool = True,
) -> EvalRun:
    """Ask `questions` (default: the dataset's first `limit`) one at a time, in order."""
    chosen = list(questions) if questions is not None else dataset.limited(limit)
    texts = texts_for(target, dataset)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    judgements: list[Judgement] = []
    with tqdm(chosen, desc="asking", unit="q", disable=not progress) as bar:
        for question in bar:
            judgements.append(judge(question, target.ask(question.question), texts))
            if len(judgements) % 25 == 0:
                bar.set_postfix(hit5=_running_hit5(judgements), refresh=False)
    return EvalRun(
        dataset=dataset,
        judgements=judgements,
        metrics=aggregate(judgements, with_abstention=any(q.unanswerable for q in chosen)),
        details=details(judgements),
        target=target.describe(),
        started_at=started_at,
        seconds=round(time.perf_counter() - started, 2),
    )


def _running_hit5(judgements: list[Judgement]) -> str:
    ranks = [j.first_hit_rank for j in judgements if j.answerable]
    hits = sum(r is not None and r <= 5 for r in ranks)
    return f"{hits / len(ranks):.3f}" if ranks else "-"
