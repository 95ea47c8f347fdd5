"""The benchmark's question sample: answerable questions in file order,
`random.Random(seed).shuffle`, then the first `size`."""

from __future__ import annotations

import random
from collections.abc import Sequence

from qa.eval.datasets import EvalQuestion

SAMPLE_SIZE = 2000
SEED = 0


def sample_questions(
    questions: Sequence[EvalQuestion],
    size: int | None = SAMPLE_SIZE,
    *,
    answerable_only: bool = True,
    seed: int = SEED,
) -> list[EvalQuestion]:
    """`size` None: all of them (shuffled the same way)."""
    pool = [q for q in questions if not (answerable_only and q.unanswerable)]
    random.Random(seed).shuffle(pool)
    return pool if size is None else pool[:size]


def capped(questions: Sequence[EvalQuestion], limit: int | None) -> list[EvalQuestion]:
    """The first `limit` questions (all of them when `limit` is None)."""
    return list(questions if limit is None else questions[:limit])


def questions_about(
    questions: Sequence[EvalQuestion], doc_ids: set[str], size: int | None
) -> list[EvalQuestion]:
    """The sample (see `sample_questions`) of the answerable questions whose gold passage
    is among `doc_ids`: questions about the documents a benchmark indexed."""
    return sample_questions([q for q in questions if q.gold_doc_ids & doc_ids], size)
