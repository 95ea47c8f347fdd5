"""A keyword index over two short texts, for the tests of what reads it term by term."""

from __future__ import annotations

import pytest

from index.stores.keyword import BM25Index

TWO_TEXTS = [
    "The CASIE 2022 symposium was held in Almaty under the auspices of UNESCO.",
    "UNESCO-ICHEI plans a national center for online education in Uzbekistan.",
]


@pytest.fixture(scope="session")
def two_text_keyword() -> BM25Index:
    return BM25Index.build(TWO_TEXTS)
