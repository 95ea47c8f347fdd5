"""Dataset parsing: SQuAD JSON and JSONL, and clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.eval.datasets import DatasetError, EvalDataset, load_dataset, squad_doc_id
from tests.conftest import DATA


def test_squad_v1_slice(slice_v1: EvalDataset) -> None:
    assert slice_v1.format == "squad"
    assert slice_v1.version == "1.1"
    assert len(slice_v1.documents) == 33
    assert len(slice_v1.questions) == 154
    assert not slice_v1.has_unanswerable
    first = slice_v1.questions[0]
    assert first.id == "57092322efce8f15003a7db0"
    assert first.answers == ("BSkyB",)  # duplicates of the same answer text collapse
    assert first.gold_doc_ids == frozenset({"Sky_United_Kingdom-0"})
    document = slice_v1.documents[0]
    assert document.doc_id == "Sky_United_Kingdom-0"
    assert document.title == "Sky (United Kingdom)"
    assert document.lang == "en"
    assert document.metadata == {"article": "Sky_(United_Kingdom)", "paragraph": 0}


def test_squad_v2_unanswerable_questions(slice_v2: EvalDataset, slice_v1: EvalDataset) -> None:
    unanswerable = [q for q in slice_v2.questions if q.unanswerable]
    assert len(unanswerable) == 151
    assert all(q.answers == () for q in unanswerable)
    assert slice_v2.has_unanswerable
    # same paragraphs, same document ids: one index serves both slices
    assert [d.doc_id for d in slice_v2.documents] == [d.doc_id for d in slice_v1.documents]


def test_doc_ids_are_stable_and_readable_in_any_script() -> None:
    assert squad_doc_id("Sky_(United_Kingdom)", 3) == "Sky_United_Kingdom-3"
    assert squad_doc_id("Jacksonville,_Florida", 0) == "Jacksonville_Florida-0"
    assert squad_doc_id("Kraków", 1) == "Krakow-1"
    assert squad_doc_id("???", 2) == "article-2"
    assert squad_doc_id("Аденозинүшфосфор қышқылы", 0) == "Аденозинүшфосфор_қышқылы-0"


def _titled_squad(tmp_path: Path, titles: list[str]) -> Path:
    articles = [
        {
            "title": title,
            "paragraphs": [
                {
                    "context": f"Paragraph {a} of {title}.",
                    "qas": [{"id": f"q{a}", "question": "Which?", "answers": [{"text": "P"}]}],
                }
            ],
        }
        for a, title in enumerate(titles)
    ]
    path = tmp_path / "squad.json"
    path.write_text(json.dumps({"data": articles}, ensure_ascii=False), "utf-8")
    return path


def test_titles_that_give_one_id_get_unique_ids(tmp_path: Path) -> None:
    titles = ["Сиыр цепені", "Липидтер", "Sky (UK)", "Sky_UK", "Sky: UK", "Липидтер"]
    dataset = load_dataset(_titled_squad(tmp_path, titles))
    ids = [d.doc_id for d in dataset.documents]
    assert ids[:2] == ["Сиыр_цепені-0", "Липидтер-0"]
    assert ids[3] == "Sky_UK-0"  # its own slug: kept
    assert ids[2].startswith("Sky_UK~")
    assert ids[4].startswith("Sky_UK~")
    assert ids[5] == "Липидтер-1"  # a repeated title goes on counting its paragraphs
    assert len(set(ids)) == len(titles)
    assert [q.gold_doc_ids for q in dataset.questions] == [frozenset({i}) for i in ids]


def test_jsonl_questions() -> None:
    dataset = load_dataset(DATA / "corpus_questions.en.jsonl")
    assert dataset.format == "jsonl"
    assert dataset.documents == []
    assert len(dataset.questions) == 48
    assert sum(q.unanswerable for q in dataset.questions) == 12
    assert dataset.questions[0].answers == ("6-7 October 2022",)
    assert dataset.questions[0].gold_doc_ids == frozenset()
    assert len(dataset.limited(5)) == 5


def test_jsonl_extra_keys_are_ignored_and_unanswerable_defaults_false(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": 7, "question": "Who?", "answers": ["Ann"], "lang": "en"}\n\n')
    (question,) = load_dataset(path).questions
    assert (question.id, question.unanswerable, question.answers) == ("7", False, ("Ann",))


BAD_JSONL = [
    (
        "not json",
        '{"id": "a", "question": "q?", "answers": ["x"]}\n{oops\n',
        "line 2: invalid JSON",
    ),
    ("rows not objects", '["a", "q?"]\n["b", "q?"]\n', "line 1: expected a JSON object"),
    ("a JSON list", '[{"id": "a"}]', "not SQuAD"),
    ("row not an object", '"just a string"\n', "line 1: expected a JSON object"),
    ("no id", '{"question": "q?", "answers": ["x"]}\n', "line 1: 'id'"),
    ("empty question", '{"id": "a", "question": " ", "answers": ["x"]}\n', "'question'"),
    ("answers not a list", '{"id": "a", "question": "q?", "answers": "x"}\n', "'answers'"),
    ("no gold", '{"id": "a", "question": "q?", "answers": []}\n', "at least one answer"),
    (
        "bad flag",
        '{"id": "a", "question": "q?", "answers": ["x"], "unanswerable": "no"}\n',
        "'unanswerable' must be true or false",
    ),
    (
        "duplicate id",
        '{"id": "a", "question": "q?", "answers": ["x"]}\n'
        '{"id": "a", "question": "r?", "answers": ["y"]}\n',
        "'a' occurs twice",
    ),
    ("empty", "  \n", "empty"),
    ("pretty object", '{\n "id": "a"\n}\n', "not SQuAD"),
]


@pytest.mark.parametrize(("case", "text", "message"), BAD_JSONL, ids=[c for c, _, _ in BAD_JSONL])
def test_bad_jsonl_is_refused_with_the_reason(
    tmp_path: Path, case: str, text: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        load_dataset(path)


def _squad(articles: object) -> str:
    return json.dumps({"version": "1.1", "data": articles})


GOOD_QA = {"id": "q1", "question": "Who?", "answers": [{"text": "Ann", "answer_start": 0}]}
BAD_SQUAD = [
    ("data empty", _squad([]), "non-empty list of articles"),
    ("no title", _squad([{"paragraphs": []}]), "article 0: an article needs a string 'title'"),
    ("paragraphs", _squad([{"title": "T", "paragraphs": {}}]), "'paragraphs' must be a list"),
    (
        "no context",
        _squad([{"title": "T", "paragraphs": [{"qas": [GOOD_QA]}]}]),
        "paragraph 0: 'context' must be a non-empty string",
    ),
    (
        "answer not text",
        _squad(
            [
                {
                    "title": "T",
                    "paragraphs": [
                        {"context": "Ann did.", "qas": [{**GOOD_QA, "answers": [{"t": 1}]}]}
                    ],
                }
            ]
        ),
        "question 0: 'answers' must be a list",
    ),
    (
        "no questions",
        _squad([{"title": "T", "paragraphs": [{"context": "Ann did.", "qas": []}]}]),
        "no questions",
    ),
]


@pytest.mark.parametrize(("case", "text", "message"), BAD_SQUAD, ids=[c for c, _, _ in BAD_SQUAD])
def test_bad_squad_is_refused_with_the_reason(
    tmp_path: Path, case: str, text: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        load_dataset(path)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read"):
        load_dataset(tmp_path / "nope.json")
    binary = tmp_path / "junk.json"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(DatasetError, match="not UTF-8"):
        load_dataset(binary)
