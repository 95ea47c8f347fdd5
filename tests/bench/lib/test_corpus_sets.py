"""bench/lib/corpus_sets.py: the corpus test sets load with their gold documents, in two
fixed halves."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.lib.corpus_sets import half_of, in_half, load_set

SETS = Path(__file__).resolve().parents[3] / "bench" / "data" / "corpora"


@pytest.mark.parametrize(
    ("name", "answerable", "unanswerable"), [("kk", 324, 150), ("ru", 122, 40)]
)
def test_the_sets_load_with_their_gold_documents(
    name: str, answerable: int, unanswerable: int
) -> None:
    corpus_set = load_set(SETS / name)
    questions = corpus_set.questions
    assert sum(not q.unanswerable for q in questions) == answerable
    assert sum(q.unanswerable for q in questions) == unanswerable
    doc_ids = {d.doc_id for d in corpus_set.documents}
    assert len(doc_ids) == len(corpus_set.documents)  # Cyrillic file names, distinct ids
    for question in questions:
        assert bool(question.gold_doc_ids) is not question.unanswerable
        assert question.gold_doc_ids <= doc_ids
    assert {corpus_set.languages[q.id] for q in questions} == {name}
    halves = [in_half(corpus_set, "a"), in_half(corpus_set, "b")]
    assert sum(map(len, halves)) == len(questions)
    assert all(halves)


def test_halves_are_fixed_by_the_article_name() -> None:
    assert half_of("Kenya") == half_of("Kenya")
    assert {half_of(f"article {i}") for i in range(20)} == {"a", "b"}
