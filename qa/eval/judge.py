"""Judge one reply against its question's gold: retrieval rank, answer overlap, citations.

A retrieved passage is relevant when it comes from a gold document (SQuAD: the question's
paragraph) or, without gold documents, when it contains a gold answer (normalised).

A citation is valid when its quote equals the source text at its offsets. The source text
is, by preference: the index's own documents (in process); the dataset's documents (SQuAD
over HTTP); else the returned passage that holds the citation's span, whose text the
server reports at its own offsets, so quote and passage, two separately produced spans of
one document, must agree character for character. A citation that no passage covers
cannot be checked over HTTP and counts as invalid (reported as `unverifiable`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from index.snapshots.snapshot import Snapshot
from qa.eval.datasets import EvalQuestion
from qa.eval.metrics import exact_match, f1_score, first_relevant_rank
from qa.eval.normalize import contains_any, strip_citation_markers
from qa.eval.targets import Reply
from qa.types import Answer, Citation, Passage


class TextSource(Protocol):
    """Where the texts that citations are checked against come from."""

    def document_text(self, doc_id: str) -> str | None: ...

    def chunk_text(self, chunk_id: str) -> str | None: ...


class SnapshotTexts:
    """The index in this process: the ground truth."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._rows = {chunk_id: row for row, chunk_id in enumerate(snapshot.chunk_ids)}

    def document_text(self, doc_id: str) -> str | None:
        document = self.snapshot.document(doc_id)
        return None if document is None else document.text

    def chunk_text(self, chunk_id: str) -> str | None:
        row = self._rows.get(chunk_id)
        return None if row is None else self.snapshot.chunk_text(row)


class DatasetTexts:
    """The documents of the dataset itself (SQuAD contexts), for evaluation over HTTP."""

    def __init__(self, documents: Mapping[str, str]) -> None:
        self.documents = documents

    def document_text(self, doc_id: str) -> str | None:
        return self.documents.get(doc_id)

    def chunk_text(self, chunk_id: str) -> str | None:
        return None


@dataclass(slots=True)
class Judgement:
    """What one reply scored; answer scores are None for unanswerable questions."""

    question: EvalQuestion
    answer: Answer
    latency_ms: float
    first_hit_rank: int | None
    answer_contains: float | None
    exact_match: float | None
    f1: float | None
    citations: int
    citations_valid: int
    citations_unverifiable: int
    citations_supported: int | None
    short_exact_match: float | None = None  # None: no short answer, or not answerable
    short_f1: float | None = None

    @property
    def answerable(self) -> bool:
        return not self.question.unanswerable

    @property
    def answer_text(self) -> str:
        return answer_text(self.answer)


def answer_text(answer: Answer) -> str:
    """What an answer says, citation markers removed ("" for an abstention)."""
    return "" if answer.abstained else strip_citation_markers(answer.answer)


def contains_gold(answer: Answer, question: EvalQuestion) -> bool:
    """`answer_contains`: the answer holds one of the question's gold answers."""
    return contains_any(answer_text(answer), list(question.answers))


def judge(question: EvalQuestion, reply: Reply, texts: TextSource | None) -> Judgement:
    answer = reply.answer
    passages = answer.passages or []
    validity = [citation_valid(c, passages, texts) for c in answer.citations]
    answerable = not question.unanswerable
    text = answer_text(answer)
    short = (
        answer.short_answer.text
        if answerable and answer.short_answer is not None and not answer.abstained
        else None
    )
    return Judgement(
        question=question,
        answer=answer,
        latency_ms=reply.latency_ms,
        first_hit_rank=first_relevant_rank([relevant(question, p) for p in passages])
        if answerable
        else None,
        answer_contains=float(contains_gold(answer, question)) if answerable else None,
        exact_match=exact_match(text, question.answers) if answerable else None,
        f1=f1_score(text, question.answers) if answerable else None,
        citations=len(validity),
        citations_valid=sum(v is True for v in validity),
        citations_unverifiable=sum(v is None for v in validity),
        citations_supported=sum(supported(question, c, passages, texts) for c in answer.citations)
        if answerable
        else None,
        short_exact_match=exact_match(short, question.answers) if short is not None else None,
        short_f1=f1_score(short, question.answers) if short is not None else None,
    )


def relevant(question: EvalQuestion, passage: Passage) -> bool:
    if question.gold_doc_ids:
        return passage.doc_id in question.gold_doc_ids
    return contains_any(passage.text, list(question.answers))


def citation_valid(
    citation: Citation, passages: list[Passage], texts: TextSource | None
) -> bool | None:
    """True or False when the quote could be checked against a source, None when not."""
    if citation.end < citation.start:
        return False
    document = texts.document_text(citation.doc_id) if texts is not None else None
    if document is not None:
        return document[citation.start : citation.end] == citation.quote
    for passage in passages:
        if (
            passage.doc_id == citation.doc_id
            and passage.start <= citation.start
            and citation.end <= passage.end
        ):
            offset = citation.start - passage.start
            return passage.text[offset : offset + citation.end - citation.start] == citation.quote
    return None


def supported(
    question: EvalQuestion, citation: Citation, passages: list[Passage], texts: TextSource | None
) -> bool:
    """The cited quote, or the chunk it was cited from, contains a gold answer."""
    golds = list(question.answers)
    if contains_any(citation.quote, golds):
        return True
    chunk = texts.chunk_text(citation.chunk_id) if texts is not None else None
    if chunk is None:
        chunk = next((p.text for p in passages if p.chunk_id == citation.chunk_id), None)
    return chunk is not None and contains_any(chunk, golds)
