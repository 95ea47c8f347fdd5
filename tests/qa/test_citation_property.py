"""Property: every citation quotes its document exactly at its offsets, whatever the text."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.types import Document
from qa.factory import build_pipeline
from qa.models import Models
from tests.conftest import make_test_builder

WORDS = st.sampled_from(
    [
        "Almaty",
        "hosted",
        "the",
        "symposium",
        "in",
        "2022",
        "Ms.",
        "Li",
        "Fan",
        "presented",
        "IIOE",
        "Қазақстан",
        "Алматы",
        "центр",
        "数据",
        "😀",
        "naïve",
        "e.g.",
        "U.S.",
        "a" * 400,
        "National",
        "Center",
        "Uzbekistan",
        "think-tank",
        "(CASIE)",
        "«quoted»",
        "x\u200by",
    ]
)
SENTENCE = st.lists(WORDS, min_size=1, max_size=60).map(lambda w: " ".join(w) + ".")
BREAK = st.sampled_from([" ", "\n", "\n\n", "\r\n", " \n\n \n"])
DOCUMENT_TEXT = st.lists(st.tuples(SENTENCE, BREAK), min_size=1, max_size=12).map(
    lambda parts: "".join(s + b for s, b in parts)
)
_counter = itertools.count()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(texts=st.lists(DOCUMENT_TEXT, min_size=1, max_size=3), pick=st.integers(0, 10_000))
def test_every_citation_quotes_its_document(
    tmp_path: Path, models: Models, texts: list[str], pick: int
) -> None:
    documents = [
        Document(f"doc-{i}", f"Title {i}", f"doc-{i}.txt", "en", text)
        for i, text in enumerate(texts)
    ]
    root = tmp_path / f"index-{next(_counter)}"
    snapshot, _ = make_test_builder(root, models).build(documents)
    pipeline = build_pipeline(snapshot, models=models)
    by_id = {d.doc_id: d.text for d in documents}
    sentence = snapshot.sentence_text(pick % len(snapshot.sentences))
    for question in (sentence[:200], "What did Li Fan present in Almaty?"):
        answer = pipeline.ask(question, include_passages=True)
        for citation in answer.citations:
            assert by_id[citation.doc_id][citation.start : citation.end] == citation.quote
            assert f"[{citation.n}]" in answer.answer
        assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
        for passage in answer.passages or []:
            assert by_id[passage.doc_id][passage.start : passage.end] == passage.text
    for row in range(len(snapshot)):
        start, end = int(snapshot.chunks[row, 1]), int(snapshot.chunks[row, 2])
        document = snapshot.chunk_document(row)
        assert document.text[start:end] == snapshot.chunk_text(row)
