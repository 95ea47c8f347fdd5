"""`report.json` and `questions.jsonl`: the machine-readable results of an evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qa.eval.judge import Judgement
from qa.eval.runner import EvalRun

REPORT_JSON = "report.json"
QUESTIONS_JSONL = "questions.jsonl"
REPORT_HTML = "report.html"


def report_body(run: EvalRun, versions: dict[str, Any], limit: int | None = None) -> dict[str, Any]:
    """The content of report.json."""
    dataset = run.dataset
    return {
        "metrics": run.metrics,
        "details": run.details,
        "dataset": {
            "path": str(dataset.path),
            "format": dataset.format,
            "version": dataset.version,
            "sha256": dataset.sha256,
            "questions": len(dataset.questions),
            "evaluated": len(run.judgements),
            "documents": len(dataset.documents) or None,
            "limit": limit,
        },
        "target": run.target,
        "settings": run.settings,
        "versions": versions,
        "started_at": run.started_at,
        "seconds": run.seconds,
    }


def question_row(judgement: Judgement) -> dict[str, Any]:
    """One line of questions.jsonl: the contract's fields, then the per-question scores."""
    question, answer = judgement.question, judgement.answer
    return {
        "id": question.id,
        "question": question.question,
        "answers": list(question.answers),
        "unanswerable": question.unanswerable,
        "answer": answer.answer,
        "abstained": answer.abstained,
        "citations": [c.model_dump() for c in answer.citations],
        "retrieved": [{"chunk_id": p.chunk_id, "score": p.score} for p in answer.passages or []],
        "latency_ms": round(judgement.latency_ms, 2),
        "confidence": answer.confidence,
        "first_hit_rank": judgement.first_hit_rank,
        "answer_contains": judgement.answer_contains,
        "exact_match": judgement.exact_match,
        "f1": None if judgement.f1 is None else round(judgement.f1, 4),
        "citations_valid": judgement.citations_valid,
        "short_answer": answer.short_answer.model_dump() if answer.short_answer else None,
        "short_answer_f1": None if judgement.short_f1 is None else round(judgement.short_f1, 4),
    }


def write_json_files(run: EvalRun, out: Path, body: dict[str, Any]) -> None:
    """Write report.json (`body`) and questions.jsonl into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / REPORT_JSON).write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", "utf-8")
    with (out / QUESTIONS_JSONL).open("w", encoding="utf-8") as handle:
        for judgement in run.judgements:
            handle.write(json.dumps(question_row(judgement), ensure_ascii=False) + "\n")


class ReportError(ValueError):
    """A report.json that cannot be compared with."""


def load_metrics(path: Path) -> dict[str, float]:
    """The `metrics` of a report.json written by `citeqa eval`."""
    try:
        body = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: cannot read the report: {exc}") from exc
    metrics = body.get("metrics") if isinstance(body, dict) else None
    if not isinstance(metrics, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in metrics.values()
    ):
        raise ReportError(f"{path}: no 'metrics' object of numbers (not a citeqa eval report)")
    return {str(k): float(v) for k, v in metrics.items()}
