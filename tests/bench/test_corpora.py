"""bench/corpora.py and its test sets: junk and cut quotes, the sets, the KazQAD split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.corpora import cut_by_line_break, is_junk, main
from bench.corpus_sets import half_of, in_half, load_set
from bench.kazqad import merged_questions, split, squad_data, write_set
from qa.eval.datasets import parse_squad

SETS = Path(__file__).resolve().parents[2] / "bench" / "data" / "corpora"


@pytest.mark.parametrize(("text", "junk"), [("-", True), ("1.", True), ("Ол келді.", False)])
def test_junk_is_a_sentence_of_almost_no_letters(text: str, junk: bool) -> None:
    assert is_junk(text) is junk


def test_a_quote_is_cut_where_the_next_line_goes_on_in_lower_case() -> None:
    text = "Көшетті 40-60\nкүндік көшеті пайдаланылады.\nЖаңа сөйлем."
    first = text.index("\n")
    assert cut_by_line_break(text, 0, first)  # stops before "күндік"
    assert cut_by_line_break(text, first + 1, text.index(".") + 1)  # starts with "күндік"
    whole = text.index(".") + 1
    assert not cut_by_line_break(text, 0, whole)
    assert not cut_by_line_break(text, whole + 1, len(text))


@pytest.mark.parametrize(
    ("name", "answerable", "unanswerable"), [("kk", 324, 150), ("ru", 122, 40)]
)
def test_the_sets_load_with_their_gold_documents(
    name: str, answerable: int, unanswerable: int
) -> None:
    corpus_set = load_set(SETS / name)
    questions = corpus_set.questions
    assert sum(not q.unanswerable for q in questions) == answerable
    assert sum(q.unanswerable for q in questions) == unanswerable
    doc_ids = {d.doc_id for d in corpus_set.documents}
    assert len(doc_ids) == len(corpus_set.documents)  # Cyrillic file names, distinct ids
    for question in questions:
        assert bool(question.gold_doc_ids) is not question.unanswerable
        assert question.gold_doc_ids <= doc_ids
    assert {corpus_set.languages[q.id] for q in questions} == {name}
    halves = [in_half(corpus_set, "a"), in_half(corpus_set, "b")]
    assert sum(map(len, halves)) == len(questions)
    assert all(halves)


def test_halves_are_fixed_by_the_article_name() -> None:
    assert half_of("Kenya") == half_of("Kenya")
    assert {half_of(f"article {i}") for i in range(20)} == {"a", "b"}


def row(qid: str, title: str, context: str, answer: str) -> dict[str, object]:
    return {
        "id": qid,
        "title": title,
        "context": context,
        "question": f"{qid}?",
        "answers": {"text": [answer], "answer_start": [context.index(answer)]},
    }


ROWS = [
    row("q1#a", "Алма", "Алма ағашы бақта өседі.", "бақта"),
    row("q2#a", "Өрік", "Өрік оңтүстікте өседі.", "оңтүстікте"),
    row("q2#b", "Шие", "Шие солтүстікте де өседі.", "солтүстікте"),
    row("q3#a", "Алмұрт", "Алмұрт бақта өседі.", "бақта"),
    row("q4#a", "Жүзім", "Жүзім күнді жақсы көреді.", "күнді"),
]


def test_kazqad_rows_become_squad_with_one_question_per_row() -> None:
    dataset = parse_squad(squad_data(ROWS), Path("kazqad.jsonl"), "")
    assert len(dataset.documents) == 5
    assert dataset.questions[2].gold_doc_ids == frozenset({"Шие-0"})


def test_articles_sharing_a_question_leave_the_corpus_together() -> None:
    questions = merged_questions(ROWS)
    assert [q.id for q in questions] == ["q1", "q2", "q3", "q4"]
    assert questions[1].titles == ["Өрік", "Шие"]
    chosen = split(ROWS, questions, target=2)
    unanswerable = {q.id for q in chosen.unanswerable}
    assert len(unanswerable) == 2
    held = {p for q in chosen.answerable for p in q.paragraphs}
    assert held <= set(chosen.indexed)
    # q2's two articles go together
    assert ("Өрік оңтүстікте өседі." in chosen.indexed) == (
        "Шие солтүстікте де өседі." in chosen.indexed
    )
    for question in chosen.unanswerable:  # neither its paragraphs nor its answer are left
        assert not set(question.paragraphs) & set(chosen.indexed)
        assert not any(a in p for a in question.answers for p in chosen.indexed)


def test_the_written_set_reads_back(tmp_path: Path) -> None:
    chosen = write_set(ROWS, tmp_path, target=1)
    corpus_set = load_set(tmp_path)
    assert len(corpus_set.documents) == len(chosen.indexed)
    assert sum(q.unanswerable for q in corpus_set.questions) == 1
    titles = {d.title for d in corpus_set.documents}
    assert titles <= {"Алма", "Өрік", "Шие", "Алмұрт", "Жүзім"}


@pytest.mark.slow
def test_a_small_russian_set_is_asked_beside_bm25(tmp_path: Path) -> None:
    out = tmp_path / "corpora.json"
    args = ["--set", str(SETS / "ru"), "--limit", "6", "--index-root", str(tmp_path)]
    assert main([*args, "--out", str(out), "--no-progress"]) == 0
    result = json.loads(out.read_text())["sets"]["ru"]
    assert result["questions"] == 6
    assert set(result["anchors"]) == {"BM25 (bm25s)", "BM25, Russian stemmer"}
    assert 0 <= result["citeqa"]["hit@5"] <= 1
    assert len(result["per_question"]) == 6
