"""bench/lib/kazqad.py: KazQAD rows as SQuAD, and as a corpus test set that reads back."""

from __future__ import annotations

from pathlib import Path

from bench.lib.corpus_sets import load_set
from bench.lib.kazqad import merged_questions, split, squad_data, write_set
from qa.eval.datasets import parse_squad


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
