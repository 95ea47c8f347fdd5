"""Parts of a long sentence for the cross-encoder: verbatim, overlapping, covering it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qa.rerank.parts import LONG_SENTENCE_WORDS, PART_WORDS, sentence_parts

LISTING = (
    "During the session, Ms. Elena Klepacheva, Senior Lecturer at the Republican Institute "
    "for Professional Development of Pedagogical Workers, Dr. Gunay Karli, Chief Scientific "
    'Officer at IT-company "MERSYS", Ms. Li Fan, Assistant Director of the Asia-Pacific '
    "Programme Office at UNESCO-ICHEI and Ms. Tatyana Murovana, Programme Specialist at the "
    "UNESCO Institute for Information Technologies in Education, shared relevant practices "
    "in empowering teachers with digital skills."
)


def test_a_long_listing_sentence_is_read_in_overlapping_parts() -> None:
    parts = sentence_parts(LISTING)
    assert len(parts) >= 3
    assert all(part in LISTING for part in parts)
    assert parts[0].startswith("During the session")
    assert LISTING.endswith(parts[-1])
    assert any("Ms. Li Fan, Assistant Director" in part for part in parts)
    assert all(len(part.split()) < len(LISTING.split()) for part in parts)


def test_a_short_sentence_or_one_without_clauses_has_no_parts() -> None:
    assert sentence_parts("Ms. Li Fan, Assistant Director at UNESCO-ICHEI, spoke.") == []
    assert sentence_parts(" ".join(["word"] * (LONG_SENTENCE_WORDS * 3))) == []


@given(st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=30))
def test_parts_cover_the_sentence_in_order_without_a_gap(clause_words: list[int]) -> None:
    clauses = [" ".join(f"w{i}x{j}" for j in range(n)) for i, n in enumerate(clause_words)]
    sentence = ", ".join(clauses) + "."
    parts = sentence_parts(sentence)
    if not parts:
        return
    starts = [sentence.index(part) for part in parts]
    assert starts == sorted(set(starts))
    assert starts[0] == 0
    ends = [start + len(part) for start, part in zip(starts, parts, strict=True)]
    assert ends[-1] == len(sentence)
    for end, start in zip(ends, starts[1:], strict=False):
        assert not sentence[end:start].strip(" ,;")  # no word between two parts is lost
    assert all(len(p.split()) >= PART_WORDS for p in parts[:-1])
