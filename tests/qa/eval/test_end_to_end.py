"""End to end: the SQuAD slice and the corpus questions, asked in process and over HTTP
of a live server, give the same answers and the same metrics."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.app import create_app
from api.settings import ApiSettings
from qa.eval.aggregate import ABSTENTION_METRICS, ALL_METRICS, LATENCY_METRICS
from qa.eval.datasets import EvalDataset, EvalQuestion, load_dataset
from qa.eval.report import question_row
from qa.eval.runner import EvalRun, run_eval
from qa.eval.targets import HttpTarget, InProcessTarget
from qa.pipeline import QAPipeline
from tests.conftest import DATA, LiveServer

pytestmark = pytest.mark.slow


def mixed_questions(dataset: EvalDataset, each: int) -> list[EvalQuestion]:
    """The first `each` answerable and `each` unanswerable questions, in file order."""
    answerable = [q for q in dataset.questions if not q.unanswerable][:each]
    unanswerable = [q for q in dataset.questions if q.unanswerable][:each]
    return answerable + unanswerable


@pytest.fixture(scope="module")
def slice_server(slice_pipeline: QAPipeline) -> Iterator[LiveServer]:
    app = create_app(ApiSettings(rate_limit="0"), pipeline=slice_pipeline)
    with LiveServer(app) as server:
        yield server


def assert_same_outcome(local: EvalRun, remote: EvalRun) -> None:
    for name in set(ALL_METRICS) - set(LATENCY_METRICS):
        assert local.metrics.get(name) == remote.metrics.get(name), name
    drop = {"latency_ms"}
    rows_local = [
        {k: v for k, v in question_row(j).items() if k not in drop} for j in local.judgements
    ]
    rows_remote = [
        {k: v for k, v in question_row(j).items() if k not in drop} for j in remote.judgements
    ]
    assert rows_local == rows_remote


def test_squad_slice_in_process_and_over_http_agree(
    slice_v2: EvalDataset, slice_pipeline: QAPipeline, slice_server: LiveServer
) -> None:
    questions = mixed_questions(slice_v2, 20)
    local = run_eval(slice_v2, InProcessTarget(slice_pipeline), questions=questions, progress=False)
    remote_target = HttpTarget(slice_server.url)
    remote_target.check_ready()
    remote = run_eval(slice_v2, remote_target, questions=questions, progress=False)
    assert_same_outcome(local, remote)
    metrics = local.metrics
    assert set(metrics) == set(ALL_METRICS)
    assert metrics["count"] == 40
    # the slice is easy to retrieve from, and citations are verbatim by construction
    assert metrics["hit@5"] >= 0.9
    assert metrics["citation_validity"] == 1.0
    assert local.details["citations_unverifiable"] == 0
    assert remote.target["mode"] == "http"
    assert remote.target["documents"] == 33


def test_squad_v1_slice_has_no_abstention_metrics(
    slice_v1: EvalDataset, slice_pipeline: QAPipeline
) -> None:
    run = run_eval(slice_v1, InProcessTarget(slice_pipeline), limit=15, progress=False)
    assert set(run.metrics) == set(ALL_METRICS) - set(ABSTENTION_METRICS)
    assert run.metrics["count"] == 15
    assert run.metrics["hit@10"] >= run.metrics["hit@5"] >= run.metrics["hit@1"]
    assert 0 < run.metrics["answer_contains"] <= 1


def test_corpus_questions_jsonl_in_process_and_over_http_agree(
    pipeline: QAPipeline, live_server: LiveServer
) -> None:
    """JSONL against an existing index: relevance by answer containment, citations checked
    against the snapshot in process and against the returned passages over HTTP."""
    dataset = load_dataset(DATA / "corpus_questions.en.jsonl")
    local = run_eval(dataset, InProcessTarget(pipeline), progress=False)
    remote = run_eval(dataset, HttpTarget(live_server.url), progress=False)
    assert_same_outcome(local, remote)
    assert remote.details["citations_unverifiable"] == 0
    assert local.metrics["citation_validity"] == 1.0
    assert set(ABSTENTION_METRICS) <= set(local.metrics)
