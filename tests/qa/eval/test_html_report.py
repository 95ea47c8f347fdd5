"""report.html: self-contained, every figure present, all data text escaped."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from qa.eval.aggregate import aggregate, details
from qa.eval.datasets import EvalDataset, EvalQuestion
from qa.eval.html_report import render_html, worst_misses
from qa.eval.judge import Judgement
from qa.eval.report import report_body
from qa.eval.runner import EvalRun
from qa.types import Answer

EVIL = "<script>alert('x')</script>"


def judgement(
    qid: str, *, unanswerable: bool, abstained: bool, hit: bool, confidence: float
) -> Judgement:
    question = EvalQuestion(
        qid, f"{EVIL} question {qid}?", () if unanswerable else ("gold",), unanswerable
    )
    answer = Answer(
        answer=f"an <b>answer</b> {qid} [1]", abstained=abstained, confidence=confidence
    )
    answerable = not unanswerable
    return Judgement(
        question=question,
        answer=answer,
        latency_ms=10.0 + confidence * 50,
        first_hit_rank=(1 if hit else None) if answerable else None,
        answer_contains=(1.0 if hit and not abstained else 0.0) if answerable else None,
        exact_match=0.0 if answerable else None,
        f1=0.5 if answerable else None,
        citations=0,
        citations_valid=0,
        citations_unverifiable=0,
        citations_supported=0 if answerable else None,
    )


def make_run() -> EvalRun:
    judgements = [
        judgement("a", unanswerable=False, abstained=False, hit=True, confidence=0.9),
        judgement("b", unanswerable=False, abstained=False, hit=False, confidence=0.7),
        judgement("c", unanswerable=False, abstained=True, hit=True, confidence=0.1),
        judgement("d", unanswerable=True, abstained=False, hit=False, confidence=0.95),
        judgement("e", unanswerable=True, abstained=True, hit=False, confidence=0.05),
    ]
    dataset = EvalDataset(
        Path(f"data/{EVIL}.jsonl"), "jsonl", "0" * 64, [j.question for j in judgements]
    )
    return EvalRun(
        dataset=dataset,
        judgements=judgements,
        metrics=aggregate(judgements, with_abstention=True),
        details=details(judgements),
        target={"mode": "in-process", "index_dir": EVIL, "snapshot_id": "s"},
        started_at="2026-01-01T00:00:00+00:00",
        seconds=1.0,
        settings={"note": EVIL},
    )


def test_worst_misses_order() -> None:
    misses = worst_misses(make_run().judgements)
    # confident wrong answers first (unanswerable d at 0.95, then b), then abstentions (c)
    assert [j.question.id for j in misses] == ["d", "b", "c"]


def test_page_is_self_contained_with_three_figures_and_escaped_text() -> None:
    run = make_run()
    body = report_body(run, {"citeqa": "0.1.0"}, limit=None)
    page = render_html(run, body, baseline={"hit@1": 0.5, "hit@5": 0.75, "latency_ms_p50": 1.0})
    assert EVIL not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<b>answer</b>" not in page
    assert "<script" not in page
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(images) == 3
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page)  # nothing loaded from outside
    assert "baseline" in page
    assert "class='n better'" in page  # hit@1 0.667 > 0.5
    assert "class='n worse'" in page  # latency up
