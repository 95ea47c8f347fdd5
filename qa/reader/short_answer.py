"""The short answer: the exact words of a cited quote that answer the question.

The reader finds the best span of the answer's best sentence (it has already read that
sentence when it chose it; otherwise it reads it now, one pair). The span is shown only
when it lies inside the sentence's citation and its calibrated score clears the line:
a wrong highlight is worse than none.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.snapshots.snapshot import DOC, START, Snapshot
from qa.calibration import SpanCalibration, span_features
from qa.compose.base import Evidence
from qa.reader.reader import Reader, Span
from qa.rerank.sentences import ScoredSentence, reader_inputs
from qa.types import Answer, Citation, ShortAnswer

# Trimmed from both ends of a span: a highlight starts and ends on a word. A final full
# stop is trimmed too, unless it ends an abbreviation ("D.C.", "U.S.").
_EDGES = " \t\n\r,;:!?"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A short answer before the display line, with what its score weighs
    (qa.calibration.span_features)."""

    short: ShortAnswer
    features: tuple[float, float, float]


class ShortAnswerFinder:
    def __init__(self, reader: Reader, calibration: SpanCalibration) -> None:
        self.reader = reader
        self.calibration = calibration

    def find(self, evidence: Evidence, answer: Answer) -> ShortAnswer | None:
        """The short answer, when its calibrated score clears the line."""
        candidate = self.candidate(evidence, answer)
        if candidate is None or candidate.short.score < self.calibration.line(evidence.scorer):
            return None
        return candidate.short

    def candidate(self, evidence: Evidence, answer: Answer) -> Candidate | None:
        """The best span of the answer's best sentence inside its citation, whatever its
        score (calibration fits the score's curve on these)."""
        if answer.abstained or not answer.citations or not evidence.sentences:
            return None
        snapshot = evidence.snapshot
        best = evidence.sentences[0]
        citation = _citation_holding(snapshot, best.row, answer.citations)
        if citation is None:
            return None
        span = best.span or self._read(snapshot, evidence.question, best)
        if span is None:
            return None
        bounds = _in_document(snapshot, best.row, span, citation)
        if bounds is None:
            return None
        start, end = bounds
        text = snapshot.documents[int(snapshot.sentences[best.row, DOC])].text[start:end]
        features = span_features(span.mass, answer.confidence, len(text.split()))
        score = self.calibration.probability(features)
        short = ShortAnswer(
            text=text, citation=citation.n, start=start, end=end, score=round(score, 4)
        )
        return Candidate(short, features)

    def _read(self, snapshot: Snapshot, question: str, sentence: ScoredSentence) -> Span | None:
        (reading,) = self.reader.read(question, reader_inputs(snapshot, [sentence.row]))
        return reading.span


def _citation_holding(snapshot: Snapshot, row: int, citations: list[Citation]) -> Citation | None:
    doc_row, start, end = (int(v) for v in snapshot.sentences[row])
    doc_id = snapshot.documents[doc_row].doc_id
    for citation in citations:
        if citation.doc_id == doc_id and citation.start < end and start < citation.end:
            return citation
    return None


def _in_document(
    snapshot: Snapshot, row: int, span: Span, citation: Citation
) -> tuple[int, int] | None:
    """The span's document characters, trimmed to words; None when it leaves the quote."""
    doc_row = int(snapshot.sentences[row, DOC])
    text = snapshot.documents[doc_row].text
    offset = int(snapshot.sentences[row, START])
    start, end = offset + span.start, offset + span.end
    while start < end and text[start] in _EDGES:
        start += 1
    while end > start and text[end - 1] in _EDGES:
        end -= 1
    if end - start > 1 and text[end - 1] == "." and "." not in text[start : end - 1].split()[-1]:
        end -= 1
    if start >= end or start < citation.start or end > citation.end:
        return None
    return start, end
