"""Corpus test sets: a folder of documents and the questions asked of it.

A set is a folder holding `corpus/` (files `citeqa index --corpus` reads) and
`questions.jsonl`, one question a line in `citeqa eval`'s JSONL format plus three keys that
`citeqa eval` ignores and the benchmarks read:
- `documents`: the corpus files (paths under `corpus/`) that hold the answer; a passage
  of one of them is a hit. Empty for an unanswerable question.
- `article`: the source article the question was written on, also for unanswerable
  questions (whose article is not in the corpus): sets are split by it (`half`).
- `lang`: the question's language.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from index.documents.corpus import load_corpus
from index.settings import IndexSettings
from index.types import Document
from qa.eval.datasets import EvalDataset, EvalQuestion, load_dataset

CORPUS = "corpus"
QUESTIONS = "questions.jsonl"
Half = Literal["a", "b"]


@dataclass(frozen=True)
class CorpusSet:
    """A set loaded: its documents, its questions (gold documents as doc ids), and for
    each question id its article and language."""

    name: str
    documents: list[Document]
    dataset: EvalDataset
    articles: dict[str, str]
    languages: dict[str, str]

    @property
    def questions(self) -> list[EvalQuestion]:
        return self.dataset.questions


def load_set(folder: Path, settings: IndexSettings | None = None) -> CorpusSet:
    """Read a set; raises ValueError when a question names a file the corpus lacks."""
    settings = (settings or IndexSettings()).model_copy(update={"corpus_dir": folder / CORPUS})
    documents, skipped = load_corpus(settings)
    if skipped:
        raise ValueError(f"{folder}: unreadable corpus files: {skipped[:3]}")
    doc_id_of = {document.source: document.doc_id for document in documents}
    path = folder / QUESTIONS
    dataset = load_dataset(path)
    rows = {str(row["id"]): row for row in _rows(path)}
    questions = []
    for question in dataset.questions:
        names = rows[question.id].get("documents") or []
        missing = [name for name in names if name not in doc_id_of]
        if missing:
            raise ValueError(f"{path}: {question.id} names files not in the corpus: {missing}")
        gold = frozenset(doc_id_of[name] for name in names)
        questions.append(
            EvalQuestion(
                question.id, question.question, question.answers, question.unanswerable, gold
            )
        )
    return CorpusSet(
        name=folder.name,
        documents=documents,
        dataset=EvalDataset(path, "jsonl", dataset.sha256, questions, documents),
        articles={qid: str(row.get("article", "")) for qid, row in rows.items()},
        languages={qid: str(row.get("lang", "")) for qid, row in rows.items()},
    )


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def half_of(article: str) -> Half:
    """A fixed half of the articles, by a hash of the title: fit on one, report the other."""
    return "a" if hashlib.sha256(article.encode("utf-8")).digest()[0] % 2 == 0 else "b"


def in_half(corpus_set: CorpusSet, half: Half | None) -> list[EvalQuestion]:
    """The set's questions whose article falls in `half` (all when None)."""
    if half is None:
        return corpus_set.questions
    return [q for q in corpus_set.questions if half_of(corpus_set.articles[q.id]) == half]
