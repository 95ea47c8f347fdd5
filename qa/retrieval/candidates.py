"""A retrieved chunk on its way through the pipeline."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Candidate:
    """Chunk row `row` of the snapshot with the score of the stage that last ranked it."""

    row: int
    score: float
