"""Markers of every shape a model writes are found, read and removed without a trace."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.compose.markers import find_markers, strip_markers

SHAPES = [
    ("Almaty [1].", [(1,)]),
    ("Almaty [1, 2].", [(1, 2)]),
    ("Almaty [1,2;3].", [(1, 2, 3)]),
    ("Almaty [1][2].", [(1,), (2,)]),
    ("Almaty [1] [3].", [(1,), (3,)]),
    ("Almaty [1-3].", [(1, 2, 3)]),
    ("Almaty [2–4].", [(2, 3, 4)]),
    ("Almaty [1 and 2].", [(1, 2)]),
    ("Almaty 【1】.", [(1,)]),
    ("Almaty ［2］.", [(2,)]),
    ("Almaty ［１］.", [(1,)]),
    ("Almaty 〔3〕.", [(3,)]),
    ("Almaty 【4:0†source】.", [(4,)]),
    ("Almaty [Passage 1].", [(1,)]),
    ("Almaty [passage 1, passage 2].", [(1, 2)]),
    ("Almaty [source 2].", [(2,)]),
    ("Almaty [doc 3].", [(3,)]),
    ("Almaty [^1].", [(1,)]),
    ("Almaty [#2].", [(2,)]),
    ("Almaty (passage 2).", [(2,)]),
    ("Almaty (Passages 1, 3).", [(1, 3)]),
    ("Almaty [ 1 ].", [(1,)]),
    ("Almaty [7].", [(7,)]),
]


@pytest.mark.parametrize(("text", "expected"), SHAPES, ids=[s for s, _ in SHAPES])
def test_every_shape_is_read(text: str, expected: list[tuple[int, ...]]) -> None:
    assert [m.numbers for m in find_markers(text)] == expected


@pytest.mark.parametrize(("text", "expected"), SHAPES, ids=[s for s, _ in SHAPES])
def test_every_shape_is_removed(text: str, expected: list[tuple[int, ...]]) -> None:
    assert strip_markers(text) == "Almaty."


@pytest.mark.parametrize(
    "text",
    [
        "The 2022 symposium (CASIE) gathered around 60 experts.",
        "It was held in 2022 (October).",
        "See the list [a] of names.",
        "Section (1) of the law.",
        "An array a[i] is indexed.",
    ],
)
def test_text_that_is_not_a_marker_stays(text: str) -> None:
    assert find_markers(text) == []
    assert strip_markers(text) == text


def test_a_marker_cut_off_at_the_end_is_removed() -> None:
    assert strip_markers("It was held in Almaty [1") == "It was held in Almaty"
    assert strip_markers("It was held in Almaty [1, 2") == "It was held in Almaty"
    assert strip_markers("It was held in Almaty 【") == "It was held in Almaty"
    assert strip_markers("It was held in Almaty [1", final=False) == "It was held in Almaty [1"


def test_a_long_range_is_not_expanded() -> None:
    assert find_markers("x [1-200].")[0].numbers == (1, 200)


def test_spans_point_at_the_markers() -> None:
    text = "A [1]. B [2][3]."
    assert [text[m.start : m.end] for m in find_markers(text)] == ["[1]", "[2]", "[3]"]


@given(st.text(alphabet=st.sampled_from(list("ab 1,-[]【】［］()^#.")), max_size=60))
def test_stripped_text_holds_no_marker(text: str) -> None:
    assert find_markers(strip_markers(text)) == []


@pytest.mark.parametrize("text", ["x [1[2]] y", "a [1 [2]] b", "[[1]]", "【1【2】】"])
def test_nested_markers_leave_nothing_behind(text: str) -> None:
    assert find_markers(strip_markers(text)) == []
