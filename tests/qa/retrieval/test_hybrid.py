"""Chunks ranked by multilingual-e5 chunk vectors, on both backends, filters before ranking."""

from __future__ import annotations

from pathlib import Path

from index.snapshots.snapshot import MULTILINGUAL_CHUNK_VECTORS, Snapshot
from index.stores.filters import parse_filters
from index.types import Document
from qa.models import Models
from qa.retrieval.fusion import reciprocal_rank_fusion
from qa.retrieval.hybrid import (
    DENSE,
    KEYWORD,
    MULTILINGUAL,
    HybridRetriever,
    QueryVectors,
    agree,
    vector_ranking,
)
from qa.settings import QASettings
from tests.index.backends import backend, backend_builder, backend_settings

DOCUMENTS = [
    Document(
        "velsa",
        "Velsa river",
        "velsa.txt",
        "en",
        "The Velsa river freezes every January. Its ferry to Uzbekistan was never built.",
        {"kind": "river"},
    ),
    Document(
        "glimmerfen",
        "Glimmerfen lighthouse",
        "glimmerfen.txt",
        "en",
        "The Glimmerfen lighthouse was painted teal in 1987 by Orla Vance. "
        "Visitors climb 131 steps to reach the gallery at the top of the tower.",
        {"kind": "coast"},
    ),
    Document(
        "bakery",
        "Mill Street bakery",
        "bakery.txt",
        "en",
        "The bakery on Mill Street sells rye bread baked in a wood oven every morning.",
        {"kind": "food"},
    ),
]
QUESTION = "Когда замерзает река Вельса?"  # "When does the Velsa river freeze?"


def doc_ids(snapshot: Snapshot, rows: list[int]) -> list[str]:
    return [snapshot.chunk_document(row).doc_id for row in rows]


@backend
def test_a_russian_question_ranks_its_english_chunk_first(
    kind: str, tmp_path: Path, models: Models
) -> None:
    snapshot, _ = backend_builder(backend_settings(kind, tmp_path), models).build(DOCUMENTS)
    assert models.multilingual is not None
    vector = models.multilingual.embed_queries([QUESTION])[0]
    ranked = vector_ranking(snapshot, MULTILINGUAL_CHUNK_VECTORS, vector, 3, None)
    assert sorted(doc_ids(snapshot, ranked)) == ["bakery", "glimmerfen", "velsa"]
    assert doc_ids(snapshot, ranked)[0] == "velsa"
    # A filter removes chunks before ranking: the others are still ranked, up to the depth.
    allowed = snapshot.fields.allowed_rows(parse_filters({"kind": {"$in": ["coast", "food"]}}))
    ranked = vector_ranking(snapshot, MULTILINGUAL_CHUNK_VECTORS, vector, 3, allowed)
    assert sorted(doc_ids(snapshot, ranked)) == ["bakery", "glimmerfen"]
    # The fused lists of a cross-lingual question (multilingual and keyword) agree.
    retriever = HybridRetriever(QASettings())
    vectors = QueryVectors(main=None, multilingual=vector)
    candidates = retriever.fuse(retriever.rankings(snapshot, QUESTION, vectors))
    assert doc_ids(snapshot, [c.row for c in candidates])[0] == "velsa"


TEAMS = [
    Document(
        "kestrel",
        "Kestrel Rovers",
        "kestrel.txt",
        "en",
        "The club won its first league title in 1999. Its stadium holds 12,000 people.",
    ),
    Document(
        "harbour",
        "Harbour City Lions",
        "harbour.txt",
        "en",
        "The club won its first league title in 2004. Its stadium holds 30,000 people.",
    ),
]


@backend
def test_a_chunk_is_found_by_its_document_title(kind: str, tmp_path: Path, models: Models) -> None:
    """Neither text names its club: only the titles tell the two chunks apart, and every
    list (BM25, dense, multilingual) reads them."""
    snapshot, _ = backend_builder(backend_settings(kind, tmp_path), models).build(TEAMS)
    question = "When did Kestrel Rovers win their first league title?"
    _, keyword_rows = snapshot.keyword.search(question, 2)
    assert doc_ids(snapshot, [int(r) for r in keyword_rows if r >= 0])[0] == "kestrel"
    english = models.embedder.embed_queries([question])
    _, dense_rows = snapshot.dense.search(english[0].reshape(1, -1), 2, None)
    assert doc_ids(snapshot, [int(r) for r in dense_rows[0] if r >= 0])[0] == "kestrel"
    assert models.multilingual is not None
    russian = models.multilingual.embed_queries(["Когда «Кестрел Роверс» впервые стал чемпионом?"])
    ranked = vector_ranking(snapshot, MULTILINGUAL_CHUNK_VECTORS, russian[0], 2, None)
    assert doc_ids(snapshot, ranked)[0] == "kestrel"


def test_the_lists_are_named_by_their_weight_and_fused_with_it(
    tmp_path: Path, models: Models
) -> None:
    """An English question searches all five lists; a group weighted 0 is not searched,
    and the fused order is the weighted fusion of the lists searched."""
    snapshot, _ = backend_builder(backend_settings("faiss", tmp_path), models).build(DOCUMENTS)
    question = "How many steps lead to the gallery of the lighthouse?"
    assert models.multilingual is not None
    vectors = QueryVectors(
        main=models.embedder.embed_queries([question])[0],
        multilingual=models.multilingual.embed_queries([question])[0],
    )
    settings = QASettings(rrf_k=3, dense_weight=1.0, multilingual_weight=2.0, keyword_weight=4.0)
    named = HybridRetriever(settings).rankings(snapshot, question, vectors)
    assert [group for group, _ in named] == [DENSE, DENSE, MULTILINGUAL, MULTILINGUAL, KEYWORD]
    assert all(doc_ids(snapshot, ranking)[0] == "glimmerfen" for _, ranking in named)
    weight = {DENSE: 1.0, MULTILINGUAL: 2.0, KEYWORD: 4.0}
    fused = reciprocal_rank_fusion(
        [ranking for _, ranking in named], k=3, weights=[weight[g] for g, _ in named]
    )
    candidates = HybridRetriever(settings).fuse(named)
    assert [(c.row, c.score) for c in candidates] == fused
    no_e5 = HybridRetriever(settings.model_copy(update={"multilingual_weight": 0.0}))
    groups = [group for group, _ in no_e5.rankings(snapshot, question, vectors)]
    assert groups == [DENSE, DENSE, KEYWORD]


def test_agree_means_the_same_first_chunk_from_the_main_embedder_and_bm25(
    tmp_path: Path, models: Models
) -> None:
    snapshot, _ = backend_builder(backend_settings("faiss", tmp_path), models).build(DOCUMENTS)
    question = "How many steps lead to the gallery of the lighthouse?"
    retriever = HybridRetriever(QASettings())
    main = models.embedder.embed_queries([question])[0]
    dense = retriever.dense_rankings(snapshot, main, None, 10)
    keyword = retriever.keyword_rankings(snapshot, question, None, 10)
    assert agree(dense, keyword)
    assert not agree(dense, [(KEYWORD, [r for r in keyword[0][1] if r != dense[0][1][0]])])
    assert not agree([], keyword)
    assert not agree(dense, [(KEYWORD, [])])
