"""Evaluation datasets: SQuAD JSON (questions and their corpus) or JSONL question rows.

SQuAD JSON: every paragraph `context` becomes a Document whose id is derived from the
article title and the paragraph's index in the article (`Super_Bowl_50-3`, `Қазақстан-0`);
titles that give the same id get a short hash of the title, and a title that repeats goes
on counting its paragraphs, so ids are unique. A question's gold passage is its paragraph.
v2.0 questions with `is_impossible` are unanswerable.

JSONL: one object a line, `{"id", "question", "answers": [...], "unanswerable"?: bool}`;
other keys are ignored. There is no corpus: the questions are asked of an existing index.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from index.loaders.doc_ids import disambiguated, readable_text
from index.text.language import UNDETERMINED, text_language
from index.types import Document

DatasetFormat = Literal["squad", "jsonl"]


class DatasetError(ValueError):
    """A dataset file that cannot be read; the message names the file and the place."""


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    """One question with its gold answers. `gold_doc_ids` names the documents that hold
    the answer (SQuAD); when empty, a passage is relevant if it contains a gold answer."""

    id: str
    question: str
    answers: tuple[str, ...]
    unanswerable: bool = False
    gold_doc_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class EvalDataset:
    path: Path
    format: DatasetFormat
    sha256: str
    questions: list[EvalQuestion]
    documents: list[Document] = field(default_factory=list)
    version: str | None = None

    @property
    def has_unanswerable(self) -> bool:
        return any(q.unanswerable for q in self.questions)

    def limited(self, limit: int | None) -> list[EvalQuestion]:
        """The first `limit` questions in file order (all when `limit` is None)."""
        return self.questions if limit is None else self.questions[:limit]


def load_dataset(path: Path) -> EvalDataset:
    """SQuAD JSON or JSONL, told apart by content; raises DatasetError with the reason."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    if not text.strip():
        raise DatasetError(f"{path}: the file is empty")
    digest = hashlib.sha256(data).hexdigest()
    whole = _try_json(text)
    if isinstance(whole, dict) and "data" in whole:
        return parse_squad(whole, path, digest)
    if isinstance(whole, list) or (isinstance(whole, dict) and "\n" in text.strip()):
        raise DatasetError(
            f"{path}: a JSON document but not SQuAD (no top-level 'data'); "
            "JSONL needs one question object per line"
        )
    return EvalDataset(path, "jsonl", digest, parse_jsonl(text, path))


def _try_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def parse_jsonl(text: str, path: Path) -> list[EvalQuestion]:
    questions: list[EvalQuestion] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise DatasetError(f"{where}: invalid JSON: {exc}") from exc
        if not isinstance(row, dict):
            raise DatasetError(f"{where}: expected a JSON object")
        questions.append(_question(row, where))
    if not questions:
        raise DatasetError(f"{path}: no questions")
    _check_unique(questions, path)
    return questions


def _question(row: dict[str, Any], where: str) -> EvalQuestion:
    qid = row.get("id")
    if not isinstance(qid, str | int) or isinstance(qid, bool) or not str(qid).strip():
        raise DatasetError(f"{where}: 'id' must be a non-empty string")
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        raise DatasetError(f"{where}: 'question' must be a non-empty string")
    unanswerable = row.get("unanswerable", False)
    if not isinstance(unanswerable, bool):
        raise DatasetError(f"{where}: 'unanswerable' must be true or false")
    answers = row.get("answers", [])
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise DatasetError(f"{where}: 'answers' must be a list of strings")
    golds = tuple(dict.fromkeys(a for a in answers if a.strip()))
    if not unanswerable and not golds:
        raise DatasetError(f"{where}: an answerable question needs at least one answer")
    return EvalQuestion(str(qid), question.strip(), () if unanswerable else golds, unanswerable)


def parse_squad(data: dict[str, Any], path: Path, digest: str) -> EvalDataset:
    articles = data.get("data")
    if not isinstance(articles, list) or not articles:
        raise DatasetError(f"{path}: SQuAD 'data' must be a non-empty list of articles")
    for a, article in enumerate(articles):
        if not isinstance(article, dict) or not isinstance(article.get("title"), str):
            raise DatasetError(f"{path}, article {a}: an article needs a string 'title'")
    slugs = article_slugs([article["title"] for article in articles])
    documents: list[Document] = []
    questions: list[EvalQuestion] = []
    seen: dict[str, int] = {}  # paragraphs so far under each title (a title may repeat)
    for a, article in enumerate(articles):
        title: str = article["title"]
        where = f"{path}, article {a}"
        paragraphs = article.get("paragraphs")
        if not isinstance(paragraphs, list):
            raise DatasetError(f"{where} ({title}): 'paragraphs' must be a list")
        lang = _article_language(paragraphs)
        first = seen.get(title, 0)
        seen[title] = first + len(paragraphs)
        for p, paragraph in enumerate(paragraphs, start=first):
            here = f"{where} ({title}), paragraph {p - first}"
            context = paragraph.get("context") if isinstance(paragraph, dict) else None
            if not isinstance(context, str) or not context.strip():
                raise DatasetError(f"{here}: 'context' must be a non-empty string")
            doc_id = f"{slugs[title]}-{p}"
            documents.append(
                Document(
                    doc_id=doc_id,
                    title=title.replace("_", " "),
                    source=f"SQuAD: {title}, paragraph {p}",
                    lang=lang,
                    text=context,
                    metadata={"article": title, "paragraph": p},
                )
            )
            qas = paragraph.get("qas", [])
            if not isinstance(qas, list):
                raise DatasetError(f"{here}: 'qas' must be a list")
            questions.extend(
                _squad_question(qa, doc_id, f"{here}, question {q}") for q, qa in enumerate(qas)
            )
    _check_unique_documents(documents, path)
    _check_unique(questions, path)
    if not questions:
        raise DatasetError(f"{path}: the SQuAD file has no questions")
    version = data.get("version")
    return EvalDataset(
        path, "squad", digest, questions, documents, str(version) if version else None
    )


def _squad_question(qa: Any, doc_id: str, where: str) -> EvalQuestion:
    if not isinstance(qa, dict):
        raise DatasetError(f"{where}: expected an object")
    answers = qa.get("answers", [])
    if not isinstance(answers, list) or not all(
        isinstance(a, dict) and isinstance(a.get("text"), str) for a in answers
    ):
        raise DatasetError(f"{where}: 'answers' must be a list of {{'text': str, ...}}")
    row = {
        "id": qa.get("id"),
        "question": qa.get("question"),
        "answers": [a["text"] for a in answers],
        "unanswerable": bool(qa.get("is_impossible", False)),
    }
    question = _question(row, where)
    return EvalQuestion(
        question.id,
        question.question,
        question.answers,
        question.unanswerable,
        frozenset({doc_id}),
    )


def squad_doc_id(title: str, paragraph: int) -> str:
    """`Sky_(United_Kingdom)`, 3 -> `Sky_United_Kingdom-3`; `Қазақстан`, 0 -> `Қазақстан-0`:
    stable, and readable in any script (see index.loaders.doc_ids)."""
    return f"{title_slug(title)}-{paragraph}"


def title_slug(title: str) -> str:
    """The title's letters and digits, any run of other characters as one `_`."""
    return re.sub(r"[\W_]+", "_", readable_text(title)).strip("_")[:150] or "article"


def article_slugs(titles: list[str]) -> dict[str, str]:
    """The slug of each distinct title; titles that share one (`Sky (UK)`, `Sky: UK`) get
    a short hash of the title appended, except a title that is its own slug."""
    by_slug: dict[str, list[str]] = {}
    for title in dict.fromkeys(titles):
        by_slug.setdefault(title_slug(title), []).append(title)
    return {
        title: slug if len(sharing) == 1 or title == slug else disambiguated(slug, title)
        for slug, sharing in by_slug.items()
        for title in sharing
    }


def _article_language(paragraphs: list[Any]) -> str:
    sample = " ".join(
        p["context"]
        for p in paragraphs[:5]
        if isinstance(p, dict) and isinstance(p.get("context"), str)
    )
    return text_language(sample) or UNDETERMINED


def _check_unique(questions: list[EvalQuestion], path: Path) -> None:
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise DatasetError(f"{path}: question id {question.id!r} occurs twice")
        seen.add(question.id)


def _check_unique_documents(documents: list[Document], path: Path) -> None:
    """A last guard: article_slugs and the paragraph numbers make ids unique."""
    seen: set[str] = set()
    for document in documents:
        if document.doc_id in seen:
            raise DatasetError(f"{path}: two paragraphs get the document id {document.doc_id!r}")
        seen.add(document.doc_id)
