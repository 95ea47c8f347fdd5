"""The anchors: the textbook chunks, BM25 (bm25s) and the LangChain retriever, on the slice."""

from __future__ import annotations

import pytest

from bench.anchors.base import textbook_chunks
from bench.anchors.bm25_anchor import BM25Anchor
from bench.anchors.evaluate import evaluate_anchor
from bench.anchors.langchain_anchor import LangChainAnchor
from qa.eval.datasets import load_dataset
from tests.conftest import DATA

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def test_textbook_chunks_split_each_paragraph() -> None:
    dataset = load_dataset(DATA / "squad_slice.json")
    chunks = textbook_chunks(dataset.documents)
    assert len(chunks) >= len(dataset.documents)
    assert all(len(c.text) <= 1000 for c in chunks)
    texts = {d.doc_id: d.text for d in dataset.documents}
    assert all(c.text in texts[c.doc_id] for c in chunks)


def test_anchors_find_the_paragraphs_of_the_slice() -> None:
    dataset = load_dataset(DATA / "squad_slice.json")
    chunks = textbook_chunks(dataset.documents)
    questions = dataset.questions[:30]
    for anchor in (BM25Anchor(chunks), LangChainAnchor(chunks)):
        run = evaluate_anchor(anchor, questions, progress=False)
        metrics = run.metrics()
        assert metrics["count"] == 30
        assert metrics["hit@10"] >= metrics["hit@5"] >= 0.7, anchor.name
        assert metrics["latency_ms_p50"] > 0
        assert len(anchor.search("Who owns Sky?", 10)) == 10
        first = run.metrics(first=10)
        assert first["count"] == 10
        assert first["hit@5"] == sum(r is not None and r <= 5 for r in run.ranks[:10]) / 10
    assert BM25Anchor(chunks).search("the of and", 10) == []  # only stop words
