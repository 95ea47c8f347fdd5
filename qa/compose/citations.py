"""Citation objects built from spans of a snapshot's documents."""

from __future__ import annotations

from index.snapshots.snapshot import Snapshot
from qa.types import Citation


def make_citation(
    snapshot: Snapshot, n: int, chunk_row: int, start: int, end: int, score: float
) -> Citation:
    """A citation quoting `document.text[start:end]` of the chunk's document."""
    document = snapshot.chunk_document(chunk_row)
    return Citation(
        n=n,
        doc_id=document.doc_id,
        title=document.title,
        source=document.source,
        chunk_id=snapshot.chunk_ids[chunk_row],
        quote=document.text[start:end],
        start=start,
        end=end,
        score=round(score, 4),
    )
