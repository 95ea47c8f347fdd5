"""The composer interface: evidence in, an answer with citations out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from index.snapshots.snapshot import Snapshot
from qa.rerank.sentences import ScoredSentence
from qa.retrieval.candidates import Candidate
from qa.streaming import StreamEvent
from qa.types import Answer


@dataclass
class Evidence:
    """What retrieval found for one question, on one snapshot."""

    snapshot: Snapshot
    question: str
    candidates: list[Candidate]
    sentences: list[ScoredSentence]
    cross_lingual: bool = False
    scorer: str = "cross_encoder"  # what scored `sentences`: see qa.calibration.SCORERS
    language: str | None = None  # the question's, when the reader scored it
    unseen_terms: list[str] = field(default_factory=list)  # question terms the corpus lacks
    timings_ms: dict[str, float] = field(default_factory=dict)


class Composer(Protocol):
    """Writes the answer (or abstains) from the evidence."""

    def compose(self, evidence: Evidence) -> Answer: ...

    def stream(self, evidence: Evidence) -> Iterator[StreamEvent]:
        """The same answer as `compose`, as events; the last one is AnswerDone."""
        ...
