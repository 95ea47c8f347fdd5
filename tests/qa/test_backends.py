"""The same questions, filters and answers on both index backends (FAISS and Milvus Lite)."""

from __future__ import annotations

import json

import pytest

from index.documents.corpus import load_corpus
from index.settings import IndexSettings
from index.stores.filters import parse_filters
from qa.factory import build_pipeline
from qa.models import Models
from qa.pipeline import QAPipeline
from tests.conftest import CORPUS, DATA
from tests.index.backends import (
    BACKENDS,
    SMALL_DOCUMENTS,
    backend,
    backend_builder,
    backend_settings,
)

QUESTION = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"


@pytest.fixture(scope="module")
def pipelines(tmp_path_factory: pytest.TempPathFactory, models: Models) -> dict[str, QAPipeline]:
    """The default corpus and two small documents, indexed by each backend."""
    documents, _ = load_corpus(IndexSettings(corpus_dir=CORPUS))
    built = {}
    for kind in BACKENDS:
        settings = backend_settings(kind, tmp_path_factory.mktemp(kind))
        snapshot, _ = backend_builder(settings, models).build([*documents, *SMALL_DOCUMENTS])
        built[kind] = build_pipeline(snapshot, models=models)
    return built


@backend
def test_the_corpus_question_is_answered_with_a_verbatim_citation(
    kind: str, pipelines: dict[str, QAPipeline]
) -> None:
    pipeline = pipelines[kind]
    answer = pipeline.ask(QUESTION)
    assert "Uzbekistan" in answer.answer
    assert answer.citations
    for citation in answer.citations:
        document = pipeline.snapshot.document(citation.doc_id)
        assert document is not None
        assert document.text[citation.start : citation.end] == citation.quote


@backend
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"tags": "sea"}, {"glimmerfen.txt"}),
        ({"tags": {"$in": ["river", "desert"]}}, {"velsa.txt"}),
        ({"kind": "notes", "year": 2024}, {"velsa.txt"}),
        ({"doc_id": {"$in": ["glimmerfen.txt", "velsa.txt"]}}, {"glimmerfen.txt", "velsa.txt"}),
        ({"publisher": "UNESCO-ICHEI", "lang": "en"}, {"unesco-ichei-iioe-central-asia.txt"}),
        ({"year": 1999}, set()),
    ],
)
def test_filters_select_before_ranking(
    kind: str, pipelines: dict[str, QAPipeline], filters: dict[str, object], expected: set[str]
) -> None:
    passages = pipelines[kind].search(QUESTION, top_k=10, filters=parse_filters(filters))
    assert {p.doc_id for p in passages} == expected


def test_milvus_evaluates_filters_in_its_query(pipelines: dict[str, QAPipeline]) -> None:
    from index.milvus.snapshot import _Searcher

    snapshot = pipelines["milvus"].snapshot
    assert isinstance(snapshot.dense, _Searcher)
    allowed = snapshot.fields.allowed_rows(parse_filters({"tags": {"$in": ["sea"]}}))
    expression = snapshot.dense.expression(allowed)
    assert 'fields["tags"] in ["sea"]' in expression
    assert "json_contains_any" in expression


def questions(lang: str) -> list[str]:
    rows = (json.loads(line) for line in (DATA / f"corpus_questions.{lang}.jsonl").open())
    return [row["question"] for row in rows]


@pytest.mark.parametrize("question", [QUESTION, *questions("en")[:6], *questions("ru")[:2]])
def test_both_backends_give_the_same_answer_and_passages(
    pipelines: dict[str, QAPipeline], question: str
) -> None:
    faiss, milvus = (pipelines[kind].ask(question, include_passages=True) for kind in BACKENDS)
    assert milvus.answer == faiss.answer
    assert [c.chunk_id for c in milvus.citations] == [c.chunk_id for c in faiss.citations]
    assert milvus.passages is not None
    assert faiss.passages is not None
    assert [p.chunk_id for p in milvus.passages] == [p.chunk_id for p in faiss.passages]
