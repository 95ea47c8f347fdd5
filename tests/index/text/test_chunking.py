"""Sentences and chunks always point at the exact text they carry."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.text.chunking import ChunkerSettings, SentenceChunker, pack_sentences
from index.text.sentences import split_sentences
from index.types import Document, Span

WORDS = st.sampled_from(
    [
        "Almaty",
        "UNESCO",
        "IIOE",
        "Ms.",
        "Dr.",
        "e.g.",
        "3.5",
        "Қазақстан",
        "Алматы",
        "центр",
        "数据",
        "😀",
        "naïve",
        "co-operate",
        "U.S.",
        "end.",
        "ok!",
        "why?",
        "",
        "a" * 700,
    ]
)
SENTENCE = st.lists(WORDS, min_size=0, max_size=40).map(" ".join)
SEPARATOR = st.sampled_from([" ", "  ", "\n", "\n\n", "\r\n", "\t", " \n \n"])
TEXT = st.lists(st.tuples(SENTENCE, SEPARATOR), max_size=30).map(
    lambda parts: "".join(s + sep for s, sep in parts)
)
ANY_TEXT = st.one_of(TEXT, st.text(max_size=3000))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=ANY_TEXT, size=st.integers(50, 1200), overlap_share=st.floats(0, 0.9))
def test_chunks_quote_the_document_exactly(text: str, size: int, overlap_share: float) -> None:
    chunker = SentenceChunker(ChunkerSettings(size=size, overlap=int(size * overlap_share)))
    document = Document(doc_id="d", title="t", source="s", lang="en", text=text)
    chunks = chunker.chunk(document)
    for chunk in chunks:
        assert document.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text
        assert chunk.text
        for sentence in chunk.sentences:
            assert chunk.start <= sentence.start < sentence.end <= chunk.end
    if chunks:
        assert chunks[0].start <= min(s.start for s in split_sentences(text, size))


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT, max_chars=st.integers(20, 800))
def test_sentences_cover_all_visible_text(text: str, max_chars: int) -> None:
    spans = split_sentences(text, max_chars=max_chars)
    covered: set[int] = set()
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.end - span.start <= max_chars
        assert not text[span.start].isspace()
        assert not text[span.end - 1].isspace()
        covered.update(range(span.start, span.end))
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert i in covered, f"character {i} ({ch!r}) is in no sentence"


@given(
    lengths=st.lists(st.integers(1, 300), max_size=60),
    size=st.integers(50, 600),
    overlap=st.integers(0, 49),
)
def test_windows_progress_and_respect_the_size(lengths: list[int], size: int, overlap: int) -> None:
    spans, at = [], 0
    for length in lengths:
        spans.append(Span(at, at + length))
        at += length + 1
    windows = pack_sentences(spans, size, overlap)
    assert [w for w in windows if w[0] >= w[1]] == []
    starts = [lo for lo, _ in windows]
    assert starts == sorted(set(starts))
    if spans:
        assert windows[0][0] == 0
        assert windows[-1][1] == len(spans)
    for (lo, hi), (next_lo, _) in itertools.pairwise(windows):
        assert next_lo <= hi
        assert next_lo > lo
    for lo, hi in windows:
        if hi - lo > 1:
            assert spans[hi - 1].end - spans[lo].start <= size


def test_abbreviations_and_titles_do_not_split_sentences() -> None:
    text = (
        "UNESCO-ICHEI introduced IIOE\n"
        "Ms. Li Fan, Assistant Director at UNESCO-ICHEI, spoke. Dr. Gunay Karli followed."
    )
    sentences = [text[s.start : s.end] for s in split_sentences(text)]
    assert sentences == [
        "UNESCO-ICHEI introduced IIOE",
        "Ms. Li Fan, Assistant Director at UNESCO-ICHEI, spoke.",
        "Dr. Gunay Karli followed.",
    ]


def test_overlap_repeats_trailing_sentences() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(12))
    document = Document(doc_id="d", title="t", source="s", lang="en", text=text)
    chunks = SentenceChunker(ChunkerSettings(size=120, overlap=60)).chunk(document)
    assert len(chunks) > 2
    for first, second in itertools.pairwise(chunks):
        assert second.start < first.end, "consecutive chunks share a sentence"
