"""bench/quality/latency.py: citeqa and an anchor timed in turns on the same questions."""

from __future__ import annotations

import json
import time

import pytest

from bench.anchors.base import AnchorChunk, textbook_chunks
from bench.anchors.bm25_anchor import BM25Anchor
from bench.quality.latency import PairedLatency, time_in_turns
from qa.eval.datasets import load_dataset
from tests.conftest import DATA

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class RecordingAnchor:
    """BM25 that notes in `order` when it is searched."""

    def __init__(self, anchor: BM25Anchor, order: list[str]) -> None:
        self.anchor, self.order, self.name = anchor, order, anchor.name

    def search(self, query: str, k: int) -> list[AnchorChunk]:
        self.order.append("anchor")
        return self.anchor.search(query, k)


def test_both_are_timed_on_every_question_taking_turns_to_go_first() -> None:
    dataset = load_dataset(DATA / "squad_slice.json")
    order: list[str] = []
    anchor = RecordingAnchor(BM25Anchor(textbook_chunks(dataset.documents)), order)

    def ask(text: str) -> None:
        order.append("citeqa")
        time.sleep(0.002)

    paired = time_in_turns(ask, anchor, dataset.questions[:6], progress=False)
    assert order[:4] == ["citeqa", "anchor", "anchor", "citeqa"]
    assert len(paired.citeqa_ms) == len(paired.anchor_ms) == 6
    assert min(paired.citeqa_ms) >= 2.0
    summary = paired.summary()
    assert summary["questions"] == 6
    citeqa_p50, anchor_p50 = summary["citeqa_p50"], summary["anchor_p50"]
    assert citeqa_p50 is not None
    assert anchor_p50 is not None
    assert summary["ratio_p50"] == pytest.approx(citeqa_p50 / anchor_p50, rel=0.01)


def test_a_zero_anchor_time_gives_no_ratio() -> None:
    summary = PairedLatency([5.0, 7.0], [0.0, 0.0]).summary()
    assert summary["citeqa_p50"] == 6.0
    assert summary["ratio_p50"] is None
    assert json.loads(json.dumps(summary, allow_nan=False))["ratio_p95"] is None
