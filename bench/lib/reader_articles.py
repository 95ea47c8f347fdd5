"""The SQuAD articles the multilingual reader trained on, and the article of a question:
what benchmarks and the calibration leave out so they never grade the reader's training data."""

from __future__ import annotations

from index.snapshots.snapshot import Snapshot
from qa.eval.datasets import EvalQuestion
from qa.reader.card import ReaderCard, bundled_weights_dir


def trained_articles() -> set[str]:
    """The titles of the SQuAD articles of the bundled reader's training (from its card)."""
    return set(ReaderCard.read(bundled_weights_dir()).training["squad_training_articles"])


def article_of(question: EvalQuestion, snapshot: Snapshot) -> str | None:
    """The article of the question's first gold document in `snapshot`, if any."""
    for doc_id in question.gold_doc_ids:
        document = snapshot.document(doc_id)
        if document is not None:
            return str(document.metadata.get("article"))
    return None
