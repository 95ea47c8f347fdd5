"""KazQAD v1.0's reading-comprehension rows (IS2AI, CC BY-SA 4.0): as SQuAD, and as a corpus
test set.

- `squad_data`: the rows as SQuAD JSON (a title's paragraphs form its article; a question
  of several paragraphs is asked once for each, as the rows are), what `citeqa eval` reads.
- `write_set` writes a corpus test set (bench/lib/corpus_sets.py): the questions merged
  by id (answers and paragraphs of all their rows), then whole groups of articles (articles
  that share a question stay together), shuffled with seed 0, taken out of the corpus until
  `target` of their questions have no gold answer anywhere in what remains. Those are the
  unanswerable questions; questions of articles taken out whose answer the rest still holds
  are left out. Each remaining paragraph is a file `corpus/<title>.txt` (`<title> (2).txt`
  for the next paragraph of the title), with the title in front matter.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.lib.corpus_sets import CORPUS, QUESTIONS
from qa.eval.normalize import normalize_answer

ORIGIN = "KazQAD v1.0 validation (IS2AI, CC BY-SA 4.0), Kazakh Wikipedia"
_UNSAFE_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def squad_data(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The rows as SQuAD JSON: articles by title, paragraphs in order of first mention."""
    articles: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for row in rows:
        qas = articles.setdefault(row["title"], {}).setdefault(row["context"], [])
        answers = row["answers"]
        qas.append(
            {
                "id": row["id"],
                "question": row["question"],
                "answers": [
                    {"text": text, "answer_start": start}
                    for text, start in zip(answers["text"], answers["answer_start"], strict=True)
                ],
            }
        )
    return {
        "version": "kazqad-1.0-kk-validation",
        "data": [
            {
                "title": title,
                "paragraphs": [{"context": c, "qas": q} for c, q in paragraphs.items()],
            }
            for title, paragraphs in articles.items()
        ],
    }


@dataclass
class Question:
    """One KazQAD question with every row of it merged."""

    id: str
    question: str
    answers: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)


def merged_questions(rows: Sequence[dict[str, Any]]) -> list[Question]:
    """Questions in order of first row; the row id `bio0059bio#518100_6_1` is question
    `bio0059bio` on one of its paragraphs."""
    questions: dict[str, Question] = {}
    for row in rows:
        qid = row["id"].split("#")[0]
        question = questions.setdefault(qid, Question(qid, row["question"]))
        for text in row["answers"]["text"]:
            if text.strip() and text not in question.answers:
                question.answers.append(text)
        if row["context"] not in question.paragraphs:
            question.paragraphs.append(row["context"])
        if row["title"] not in question.titles:
            question.titles.append(row["title"])
    return list(questions.values())


def file_names(rows: Sequence[dict[str, Any]]) -> dict[str, str]:
    """A file name for each paragraph: `<title>.txt`, then `<title> (2).txt`, ..."""
    names: dict[str, str] = {}
    per_stem: dict[str, int] = {}  # two titles may give one stem ("A/B", "A-B")
    for row in rows:
        if row["context"] in names:
            continue
        stem = _UNSAFE_IN_FILE_NAMES.sub("-", row["title"]).strip(" .-")[:100] or "article"
        count = per_stem[stem] = per_stem.get(stem, 0) + 1
        names[row["context"]] = f"{stem}.txt" if count == 1 else f"{stem} ({count}).txt"
    return names


def article_groups(questions: Sequence[Question]) -> list[list[str]]:
    """Titles joined when a question has paragraphs under both, in order of first mention."""
    parent: dict[str, str] = {}

    def root(title: str) -> str:
        while parent.setdefault(title, title) != title:
            title = parent[title]
        return title

    for question in questions:
        for title in question.titles[1:]:
            parent[root(title)] = root(question.titles[0])
    groups: dict[str, list[str]] = {}
    for question in questions:
        for title in question.titles:
            group = groups.setdefault(root(title), [])
            if title not in group:
                group.append(title)
    return list(groups.values())


@dataclass(frozen=True)
class Split:
    indexed: list[str]  # paragraphs in the corpus
    answerable: list[Question]
    unanswerable: list[Question]


def split(
    rows: Sequence[dict[str, Any]], questions: Sequence[Question], target: int, seed: int = 0
) -> Split:
    """Article groups taken out, in a seeded order, until `target` of their questions
    have no gold answer left in the corpus."""
    groups = article_groups(questions)
    random.Random(seed).shuffle(groups)
    paragraphs = list(dict.fromkeys(row["context"] for row in rows))
    title_of = {row["context"]: row["title"] for row in rows}
    normalized = {p: f" {normalize_answer(p)} " for p in paragraphs}
    golds = {q.id: [f" {g} " for g in map(normalize_answer, q.answers) if g] for q in questions}
    out: set[str] = set()
    for group in groups:
        out.update(group)
        indexed = [p for p in paragraphs if title_of[p] not in out]
        unanswerable = [
            q
            for q in questions
            if set(q.titles) <= out
            and not any(g in normalized[p] for p in indexed for g in golds[q.id])
        ]
        if len(unanswerable) >= target:
            break
    answerable = [q for q in questions if not set(q.titles) & out]
    return Split(indexed, answerable, unanswerable[:target])


def write_set(rows: Sequence[dict[str, Any]], out: Path, target: int) -> Split:
    """The corpus files and questions.jsonl of the set, in `out`."""
    questions = merged_questions(rows)
    chosen = split(rows, questions, target)
    names = file_names(rows)
    title_of = {row["context"]: row["title"] for row in rows}
    corpus = out / CORPUS
    corpus.mkdir(parents=True, exist_ok=True)
    for paragraph in chosen.indexed:
        front = f"---\ntitle: {json.dumps(title_of[paragraph], ensure_ascii=False)}\n"
        front += f"origin: {json.dumps(ORIGIN)}\n---\n"
        (corpus / names[paragraph]).write_text(front + paragraph, encoding="utf-8")
    unanswerable = {q.id for q in chosen.unanswerable}
    kept = unanswerable | {q.id for q in chosen.answerable}
    lines = []
    for question in questions:
        if question.id in kept:
            answerable = question.id not in unanswerable
            row = {
                "id": question.id,
                "question": question.question,
                "answers": question.answers if answerable else [],
                "unanswerable": not answerable,
                "documents": [names[p] for p in question.paragraphs] if answerable else [],
                "article": question.titles[0],
                "lang": "kk",
            }
            lines.append(json.dumps(row, ensure_ascii=False))
    (out / QUESTIONS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return chosen
