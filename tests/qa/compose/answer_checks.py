"""Checks every answer with citations must pass, generated or extractive, streamed or not."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.embedders.base import Embedder
from index.snapshots.snapshot import Snapshot
from qa.compose.markers import find_markers
from qa.compose.support import SupportChecker
from qa.types import Answer, Citation

_SENTENCE = re.compile(r"\s*(.+?)\s((?:\[\d+\])+)(?=\s|$)", re.DOTALL)
_CANONICAL = re.compile(r"\[(\d+)\]")
COSINE_NOISE = 1e-4  # batch-dependent float noise of re-embedding


def assert_text_and_citations_agree(text: str, citations: Sequence[Citation]) -> None:
    """Markers are `[n]` only, numbered 1..k in order of first use, each with a citation,
    and every citation is used."""
    markers = find_markers(text)
    assert all(text[m.start : m.end] == f"[{m.numbers[0]}]" for m in markers), text
    first_use = list(dict.fromkeys(m.numbers[0] for m in markers))
    assert first_use == list(range(1, len(citations) + 1)), (text, first_use)
    assert [c.n for c in citations] == list(range(1, len(citations) + 1))


def assert_quotes_verbatim(snapshot: Snapshot, citations: Sequence[Citation]) -> None:
    for citation in citations:
        document = snapshot.document(citation.doc_id)
        assert document is not None
        assert document.text[citation.start : citation.end] == citation.quote
        assert citation.chunk_id in snapshot.chunk_ids


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """(sentence, citation numbers) for each sentence of a `claim [n][m] claim [k]` text."""
    pairs = [(m.group(1), [int(n) for n in _CANONICAL.findall(m.group(2))])
             for m in _SENTENCE.finditer(text)]  # fmt: skip
    rebuilt = " ".join(f"{s} {''.join(f'[{n}]' for n in ns)}" for s, ns in pairs)
    assert rebuilt == text, f"text outside cited sentences: {text!r}"
    return pairs


def assert_every_sentence_supported(answer: Answer, snapshot: Snapshot, embedder: Embedder) -> None:
    """Each sentence of a generated answer is supported by every quote it cites."""
    assert_text_and_citations_agree(answer.answer, answer.citations)
    assert_quotes_verbatim(snapshot, answer.citations)
    checker = SupportChecker(embedder)
    for sentence, numbers in cited_sentences(answer.answer):
        quotes = [answer.citations[n - 1].quote for n in numbers]
        vectors = embedder.embed_documents([sentence, *quotes])
        verdicts = [
            checker.judge(sentence, quote, float(vectors[0] @ vector) + COSINE_NOISE).supported
            for quote, vector in zip(quotes, vectors[1:], strict=True)
        ]
        assert all(verdicts), f"unsupported: {sentence!r} by {quotes!r}"
