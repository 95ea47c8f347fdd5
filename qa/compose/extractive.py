"""The extractive composer: the answer is the one to three sentences that hold the fact.

The best-scoring sentence is the answer; a second or third joins it when its score is
within `margin` of the best and the answer stays under `max_words`. Each sentence is cited
`[n]` with its exact span. Below the calibrated evidence threshold, the composer abstains.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from index.snapshots.snapshot import DOC, SENT_HI, SENT_LO, Snapshot
from qa.calibration import Logistic
from qa.compose.base import Evidence
from qa.compose.citations import make_citation
from qa.compose.trimming import trim_opener
from qa.rerank.sentences import ScoredSentence
from qa.streaming import AnswerDelta, AnswerDone, CitationEvent, StreamEvent
from qa.types import NOT_FOUND, Answer, Citation


@dataclass(frozen=True, slots=True)
class ExtractiveSettings:
    """Per scorer: the evidence score below which we abstain, and the margin within which
    a further sentence joins the answer (see qa/calibration.json). A question with a content
    term that occurs nowhere in the corpus ("the *budget* of the center"; function words do
    not count) must clear the higher `abstain_below_unseen` bar: the corpus may well not
    hold what it asks for. `language_abstain_below` (scorer -> question language ->
    threshold) replaces `abstain_below` for the languages it names."""

    abstain_below: dict[str, float]
    margins: dict[str, float]
    abstain_below_unseen: dict[str, float]
    confidence: dict[str, Logistic]
    language_confidence: dict[str, dict[str, Logistic]] = field(default_factory=dict)
    language_abstain_below: dict[str, dict[str, float]] = field(default_factory=dict)
    max_sentences: int = 3
    max_words: int = 80


class ExtractiveComposer:
    def __init__(self, settings: ExtractiveSettings) -> None:
        self.settings = settings

    def compose(self, evidence: Evidence) -> Answer:
        chosen = self.select(evidence)
        confidence = self.confidence(evidence.sentences[0], evidence) if evidence.sentences else 0.0
        if not chosen:
            return Answer(answer=NOT_FOUND, abstained=True, citations=[], confidence=confidence)
        snapshot = evidence.snapshot
        citations: list[Citation] = []
        parts: list[str] = []
        for n, sentence in enumerate(chosen, start=1):
            doc_row, start, end = (int(v) for v in snapshot.sentences[sentence.row])
            start, end = trim_opener(snapshot.documents[doc_row].text, start, end)
            citation = make_citation(
                snapshot, n, sentence.chunk_row, start, end, self.confidence(sentence, evidence)
            )
            citations.append(citation)
            parts.append(f"{citation.quote} [{n}]")
        return Answer(
            answer=" ".join(parts), abstained=False, citations=citations, confidence=confidence
        )

    def stream(self, evidence: Evidence) -> Iterator[StreamEvent]:
        """Sentence by sentence: each sentence with its marker, then its citation."""
        answer = self.compose(evidence)
        if answer.abstained:
            yield AnswerDelta(answer.answer)
        for i, citation in enumerate(answer.citations):
            yield AnswerDelta(("" if i == 0 else " ") + f"{citation.quote} [{citation.n}]")
            yield CitationEvent(citation)
        yield AnswerDone(answer)

    def select(self, evidence: Evidence) -> list[ScoredSentence]:
        """The sentences of the answer in text order, or [] to abstain.

        The best sentence answers; others join it only from the same chunk (one coherent
        passage, cited as that passage), within the margin and the word budget. A line that
        only repeats its document's title is never the answer.
        """
        snapshot = evidence.snapshot
        ranked = [s for s in evidence.sentences if not _is_title_line(snapshot, s.row)]
        threshold = self.abstain_below(evidence)
        if evidence.unseen_terms:
            threshold = max(threshold, self.settings.abstain_below_unseen[evidence.scorer])
        if not ranked or ranked[0].score < threshold:
            return []
        best = ranked[0]
        lowest = max(threshold, best.score - self.settings.margins[evidence.scorer])
        lo, hi = (int(v) for v in snapshot.chunks[best.chunk_row, [SENT_LO, SENT_HI]])
        chosen = [best]
        words = len(snapshot.sentence_text(best.row).split())
        for sentence in ranked[1:]:
            if len(chosen) >= self.settings.max_sentences or sentence.score < lowest:
                break
            length = len(snapshot.sentence_text(sentence.row).split())
            if lo <= sentence.row < hi and words + length <= self.settings.max_words:
                chosen.append(ScoredSentence(sentence.row, best.chunk_row, sentence.score))
                words += length
        return sorted(chosen, key=lambda s: s.row)

    def abstain_below(self, evidence: Evidence) -> float:
        """The score below which the answer to `evidence` abstains: its scorer's, or its
        question language's where that has one of its own."""
        pooled = self.settings.abstain_below[evidence.scorer]
        by_language = self.settings.language_abstain_below.get(evidence.scorer, {})
        return by_language.get(evidence.language or "", pooled)

    def confidence(self, sentence: ScoredSentence, evidence: Evidence) -> float:
        """The calibrated probability that the sentence holds the fact (qa.calibration)."""
        by_language = self.settings.language_confidence.get(evidence.scorer, {})
        curve = by_language.get(evidence.language or "", self.settings.confidence[evidence.scorer])
        return round(curve.probability(sentence.score), 4)


def _is_title_line(snapshot: Snapshot, row: int) -> bool:
    title = snapshot.documents[int(snapshot.sentences[row, DOC])].title
    return snapshot.sentence_text(row).strip().casefold() == title.strip().casefold()
