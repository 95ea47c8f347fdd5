"""Training groups for the reader: a question (in English, Russian or Kazakh) with the
passages it is read against, each labelled by the English cross-encoder (the teacher) and,
for SQuAD, by whether it holds the gold answer (with the answer's characters).

Sources, each given by path (docs/reader.md says where public copies come from):
- SQuAD v1.1 and v2.0 dev, training articles only (train.squad_split): for each question,
  the sentences of its paragraph and the closest sentences of other paragraphs (BM25);
  v2.0's unanswerable questions give groups with no answer at all.
- Parallel sentences (NTREX-128, FLORES-200 via SIB-200, Tatoeba) and RuBQ's Russian
  questions with their English translation: the question in one language, passages in
  English, Russian or Kazakh; the teacher reads the English of both.
- Span data in any language, in SQuAD's format (TyDi QA GoldP, CMRC 2018, DRCD, ARCD):
  the sentence holding the answer and two that do not, for the span head only (the
  teacher reads English only, so these groups carry no relevance target). A paragraph of
  an article the SQuAD file holds, or one sharing a run of words with one of its
  paragraphs, is left out: benchmark questions are asked about those articles.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.stores.keyword import BM25Index
from index.text.sentences import split_sentences
from index.types import Span
from qa.reader.pairs import reading_context
from train.squad_split import TRAINING_ARTICLES

LANGUAGES = ("en", "ru", "kk")


@dataclass
class TrainPassage:
    context: str  # what the reader reads before the sentence
    sentence: str
    teacher_text: str  # the English the teacher reads
    label: int | None = None  # 1: holds the gold answer, 0: does not, None: unknown
    answer: tuple[int, int] | None = None  # the answer's characters in `sentence`
    teacher: float = 0.0


@dataclass
class Group:
    kind: str
    question: str
    question_lang: str
    passage_lang: str
    teacher_question: str
    passages: list[TrainPassage]
    split: str = "train"
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sentence:
    text: str
    context: str
    paragraph: int


@dataclass(frozen=True)
class Parallel:
    """One English sentence with its translations ({"ru": ..., "kk": ...})."""

    source: str
    english: str
    translations: dict[str, str]


# ---------------------------------------------------------------- SQuAD


def squad_groups(
    v1: Path,
    v2: Path,
    *,
    split: str = "train",
    questions: frozenset[str] | None = None,
    negatives: int = 4,
) -> Iterator[Group]:
    """Groups of answerable (v1.1) and unanswerable (v2.0) questions: of the training
    articles for `split` "train", else of the held-out articles, only `questions` (ids)."""

    def wanted(title: str) -> bool:
        return (title in TRAINING_ARTICLES) == (split == "train")

    articles = {a["title"]: a for a in _squad(v1)["data"] if wanted(a["title"])}
    unanswerable = {
        (a["title"], p["context"]): [q for q in p["qas"] if q.get("is_impossible")]
        for a in _squad(v2)["data"]
        if wanted(a["title"])
        for p in a["paragraphs"]
    }
    sentences: list[Sentence] = []
    spans: dict[int, list[tuple[int, int, int]]] = {}  # paragraph -> (row, start, end)
    paragraphs: list[tuple[str, dict[str, Any]]] = []
    for title, article in articles.items():
        for paragraph in article["paragraphs"]:
            number = len(paragraphs)
            paragraphs.append((title, paragraph))
            for span, sentence, context in _read_sentences(
                title.replace("_", " "), paragraph["context"]
            ):
                spans.setdefault(number, []).append((len(sentences), span.start, span.end))
                sentences.append(Sentence(sentence, context, number))
    keyword = BM25Index.build([f"{s.context} {s.text}" for s in sentences])
    for number, (title, paragraph) in enumerate(paragraphs):
        own = spans[number]
        asked = [q for q in paragraph["qas"] if questions is None or q["id"] in questions]
        for qa in asked:
            answers = [
                (a["answer_start"], a["answer_start"] + len(a["text"])) for a in qa["answers"]
            ]
            passages = [
                _squad_passage(sentences[row], start, end, answers) for row, start, end in own
            ]
            passages += _negatives(keyword, sentences, qa["question"], number, negatives)
            yield Group(
                "squad",
                qa["question"],
                "en",
                "en",
                qa["question"],
                passages,
                split=split,
                meta={"id": qa["id"], "article": title},
            )
        impossible = unanswerable.get((title, paragraph["context"]), [])
        for qa in (q for q in impossible if questions is None or q["id"] in questions):
            passages = [_squad_passage(sentences[row], start, end, []) for row, start, end in own]
            passages += _negatives(keyword, sentences, qa["question"], number, negatives // 2)
            yield Group(
                "squad_unanswerable",
                qa["question"],
                "en",
                "en",
                qa["question"],
                passages,
                split=split,
                meta={"id": qa["id"], "article": title},
            )


def held_out_questions(v1: Path, v2: Path, answerable: int, unanswerable: int) -> frozenset[str]:
    """Ids of held-out questions for watching training: the first of the seed-0 shuffle
    after the benchmark's 2,000 (v1.1), and as many unanswerable ones of v2.0's shuffle."""
    chosen: list[str] = []
    for path, count, impossible in ((v1, answerable, False), (v2, unanswerable, True)):
        rows = [
            (q["id"], a["title"])
            for a in _squad(path)["data"]
            for p in a["paragraphs"]
            for q in p["qas"]
            if bool(q.get("is_impossible")) == impossible
        ]
        random.Random(0).shuffle(rows)
        held = [qid for qid, title in rows[2000:] if title not in TRAINING_ARTICLES]
        chosen += held[:count]
    return frozenset(chosen)


def _read_sentences(title: str, text: str) -> list[tuple[Span, str, str]]:
    """The sentences of a paragraph: each one's characters, text, and what the reader reads
    before it (qa.reader.pairs.reading_context)."""
    found = split_sentences(text)
    read = []
    for i, span in enumerate(found):
        previous = text[found[i - 1].start : found[i - 1].end] if i else None
        sentence = text[span.start : span.end]
        read.append((span, sentence, reading_context(title, previous, sentence)))
    return read


def _squad(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _squad_passage(
    sentence: Sentence, start: int, end: int, answers: list[tuple[int, int]]
) -> TrainPassage:
    inside = [(a - start, b - start) for a, b in answers if start <= a and b <= end]
    return TrainPassage(
        context=sentence.context,
        sentence=sentence.text,
        teacher_text=f"{sentence.context} {sentence.text}",
        label=1 if inside else 0,
        answer=inside[0] if inside else None,
    )


def _negatives(
    keyword: BM25Index, sentences: list[Sentence], question: str, paragraph: int, count: int
) -> list[TrainPassage]:
    _, rows = keyword.search(question, count + 12)
    chosen = [int(r) for r in rows if sentences[int(r)].paragraph != paragraph][:count]
    return [
        TrainPassage(
            sentences[r].context,
            sentences[r].text,
            f"{sentences[r].context} {sentences[r].text}",
            label=0,
        )
        for r in chosen
    ]


# ---------------------------------------------------------------- parallel data


def parallel_pool(ntrex: Path | None, flores: Path | None, tatoeba: Path | None) -> list[Parallel]:
    pool: list[Parallel] = []
    if ntrex is not None:
        english = _lines(ntrex / "newstest2019-src.eng.txt")
        russian = _lines(ntrex / "newstest2019-ref.rus.txt")
        kazakh = _lines(ntrex / "newstest2019-ref.kaz.txt")
        pool += [
            Parallel("ntrex", e, {"ru": r, "kk": k})
            for e, r, k in zip(english, russian, kazakh, strict=True)
        ]
    if flores is not None:
        tables = {
            lang: _flores(flores / code)
            for lang, code in (("en", "eng_Latn"), ("ru", "rus_Cyrl"), ("kk", "kaz_Cyrl"))
        }
        pool += [
            Parallel("flores", text, {"ru": tables["ru"][i], "kk": tables["kk"][i]})
            for i, text in sorted(tables["en"].items())
        ]
    if tatoeba is not None:
        for lang, code in (("ru", "rus"), ("kk", "kaz")):
            english = _lines(tatoeba / f"tatoeba.{code}-eng.eng")
            other = _lines(tatoeba / f"tatoeba.{code}-eng.{code}")
            pool += [Parallel("tatoeba", e, {lang: o}) for e, o in zip(english, other, strict=True)]
    return [
        p for p in pool if p.english.strip() and all(t.strip() for t in p.translations.values())
    ]


def _lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def _flores(directory: Path) -> dict[int, str]:
    rows: dict[int, str] = {}
    for split in ("train", "dev", "test"):
        with (directory / f"{split}.tsv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                rows[int(row["index_id"])] = row["text"]
    return rows


def parallel_groups(
    pool: Sequence[Parallel], rng: random.Random, candidates: int = 7, dev_share: float = 0.05
) -> Iterator[Group]:
    """For each English sentence: the sentence as the question in another language over
    English passages, and in any language over Russian or Kazakh passages. The passages are
    the sentence itself, its closest pool sentences (BM25 on the English) and one at random."""
    keyword = BM25Index.build([p.english for p in pool])
    for i, item in enumerate(pool):
        split = "dev" if rng.random() < dev_share else "train"
        _, rows = keyword.search(item.english, candidates + 1)
        near = [int(r) for r in rows if int(r) != i][: candidates - 1]
        chosen = [i, *near, rng.randrange(len(pool))]
        asked = rng.choice(sorted(item.translations))
        yield _parallel_group(pool, item, chosen, asked, "en", split)
        readable = (
            sorted(set(item.translations) & set(pool[chosen[1]].translations)) if near else []
        )
        if readable:
            passage_lang = rng.choice(readable)
            question_lang = rng.choice(["en", *sorted(item.translations)])
            yield _parallel_group(pool, item, chosen, question_lang, passage_lang, split)


def _parallel_group(
    pool: Sequence[Parallel],
    item: Parallel,
    chosen: list[int],
    question_lang: str,
    passage_lang: str,
    split: str,
) -> Group:
    question = item.english if question_lang == "en" else item.translations[question_lang]
    passages = [
        TrainPassage("", _in(pool[j], passage_lang), pool[j].english)
        for j in chosen
        if passage_lang == "en" or passage_lang in pool[j].translations
    ]
    return Group(
        "parallel",
        question,
        question_lang,
        passage_lang,
        item.english,
        passages,
        split=split,
        meta={"source": item.source},
    )


def _in(item: Parallel, lang: str) -> str:
    return item.english if lang == "en" else item.translations[lang]


RUBQ_FILES = (
    "RuBQ_1.0/RuBQ_1.0_dev.json",
    "RuBQ_1.0/RuBQ_1.0_test.json",
    "RuBQ_2.0/RuBQ_2.0_dev.json",
)


def rubq_questions(rubq: Path) -> list[dict[str, Any]]:
    """RuBQ's questions that have an English translation, each once (by uid)."""
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    for name in RUBQ_FILES:
        for row in json.loads((rubq / name).read_text("utf-8")):
            key = str(row["uid"])
            if key not in seen and row.get("question_eng"):
                seen.add(key)
                rows.append(row)
    return rows


def rubq_groups(
    rubq: Path, english_pool: Sequence[str], rng: random.Random, candidates: int = 7
) -> Iterator[Group]:
    """RuBQ's Russian questions over English passages the teacher ranks by the English
    translation of the question (most of them unrelated: the teacher says how much)."""
    rows = rubq_questions(rubq)
    keyword = BM25Index.build(list(english_pool))
    for row in rows:
        _, found = keyword.search(row["question_eng"], candidates - 1)
        chosen = [int(r) for r in found] + [rng.randrange(len(english_pool))]
        passages = [TrainPassage("", english_pool[j], english_pool[j]) for j in chosen]
        yield Group(
            "rubq",
            row["question_text"],
            "ru",
            "en",
            row["question_eng"],
            passages,
            split="dev" if rng.random() < 0.05 else "train",
            meta={"uid": row["uid"]},
        )


@dataclass(frozen=True)
class TranslatedQuestion:
    """A SQuAD question translated into another language, with its English."""

    id: str
    lang: str
    question: str
    english: str


def translated_questions(paths: Sequence[Path]) -> list[TranslatedQuestion]:
    """The questions of translated SQuAD files (JSONL: `id`, `question`, `source_question`,
    `lang`; train/questions holds ours, of training articles only)."""
    found: list[TranslatedQuestion] = []
    for path in paths:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                found.append(
                    TranslatedQuestion(
                        row["id"], row["lang"], row["question"], row["source_question"]
                    )
                )
    return found


# ---------------------------------------------------------------- span data, any language

SHINGLE_WORDS = 8


def span_groups(
    files: Sequence[Path],
    squad: Path,
    rng: random.Random,
    negatives: int = 2,
    dev_share: float = 0.03,
) -> Iterator[Group]:
    """Groups of SQuAD-format span data: for each answered question, the sentence that
    holds its first locatable answer and up to `negatives` other sentences of its paragraph.
    Paragraphs of the articles of `squad` (by title or by a shared run of SHINGLE_WORDS
    words) are skipped."""
    titles, shingles = _squad_fingerprints(squad)
    for path in files:
        for article in _squad(path)["data"]:
            title = str(article.get("title") or "")
            if _title_key(title) in titles:
                continue
            for paragraph in article["paragraphs"]:
                text = paragraph["context"]
                if _shingles(text) & shingles:
                    continue
                read = _read_sentences(title, text)
                for qa in paragraph["qas"]:
                    group = _span_group(text, read, qa, negatives, rng)
                    if group is not None:
                        group.split = "dev" if rng.random() < dev_share else "train"
                        group.meta["source"] = path.name
                        yield group


def _span_group(
    text: str,
    read: Sequence[tuple[Span, str, str]],
    qa: dict[str, Any],
    negatives: int,
    rng: random.Random,
) -> Group | None:
    located = (_locate(text, a["text"], int(a.get("answer_start", -1))) for a in qa["answers"])
    answer = next((a for a in located if a is not None), None)
    if answer is None:
        return None
    passages: list[TrainPassage] = []
    holding: TrainPassage | None = None
    for span, sentence, context in read:
        if span.start <= answer[0] and answer[1] <= span.end:
            inside = (answer[0] - span.start, answer[1] - span.start)
            holding = TrainPassage(context, sentence, "", label=1, answer=inside)
        elif not (span.end <= answer[0] or answer[1] <= span.start):
            continue  # the answer crosses this sentence's edge: neither holds it nor not
        else:
            passages.append(TrainPassage(context, sentence, "", label=0))
    if holding is None:
        return None
    chosen = rng.sample(passages, min(negatives, len(passages)))
    return Group("span", qa["question"], "", "", "", [holding, *chosen], meta={"id": str(qa["id"])})


def _locate(text: str, answer: str, start: int) -> tuple[int, int] | None:
    """The answer's characters in `text`: at `start` when it is there, else its occurrence
    nearest to `start` (some data sets' offsets are a few characters off)."""
    answer = answer.strip()
    if not answer:
        return None
    if text[start : start + len(answer)] == answer:
        return start, start + len(answer)
    found = [m.start() for m in re.finditer(re.escape(answer), text)]
    if not found:
        return None
    at = min(found, key=lambda i: abs(i - start))
    return at, at + len(answer)


def _squad_fingerprints(squad: Path) -> tuple[set[str], set[tuple[str, ...]]]:
    data = _squad(squad)["data"]
    titles = {_title_key(a["title"]) for a in data}
    shingles: set[tuple[str, ...]] = set()
    for article in data:
        for paragraph in article["paragraphs"]:
            shingles |= _shingles(paragraph["context"])
    return titles, shingles


def _title_key(title: str) -> str:
    return title.replace("_", " ").strip().casefold()


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


# ---------------------------------------------------------------- teacher and files


def label_with_teacher(groups: list[Group], progress: bool = True) -> None:
    """Fill each passage's `teacher` logit: the English cross-encoder on the English texts."""
    from tqdm import tqdm

    from qa.rerank.cross_encoder import CrossEncoder

    teacher = CrossEncoder()
    read = [g for g in groups if g.kind != "span"]  # span data: no English to read
    for group in tqdm(read, desc="teacher", unit="group", disable=not progress):
        logits = teacher.score(group.teacher_question, [p.teacher_text for p in group.passages])
        for passage, logit in zip(group.passages, logits, strict=True):
            passage.teacher = round(float(logit), 4)


def write_groups(groups: Sequence[Group], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for group in groups:
            handle.write(json.dumps(asdict(group), ensure_ascii=False) + "\n")


def read_groups(path: Path) -> list[Group]:
    groups = []
    for line in path.read_text("utf-8").splitlines():
        row = json.loads(line)
        passages = [
            TrainPassage(**{**p, "answer": tuple(p["answer"]) if p["answer"] else None})
            for p in row.pop("passages")
        ]
        groups.append(Group(passages=passages, **row))
    return groups


@dataclass(frozen=True)
class DataPaths:
    squad_v1: Path
    squad_v2: Path
    ntrex: Path | None = None
    flores: Path | None = None
    tatoeba: Path | None = None
    rubq: Path | None = None
    spans: tuple[Path, ...] = ()


def build_groups(paths: DataPaths, seed: int, progress: bool = True) -> list[Group]:
    """Every training and watching group, labelled by the teacher."""
    rng = random.Random(seed)
    groups = list(squad_groups(paths.squad_v1, paths.squad_v2))
    watched = held_out_questions(paths.squad_v1, paths.squad_v2, 300, 150)
    groups += squad_groups(paths.squad_v1, paths.squad_v2, split="dev", questions=watched)
    pool = parallel_pool(paths.ntrex, paths.flores, paths.tatoeba)
    if pool:
        groups += parallel_groups(pool, rng)
    if paths.rubq is not None:
        english = [p.teacher_text for g in groups if g.kind == "squad" for p in g.passages]
        english_pool = sorted(set(english)) + [p.english for p in pool]
        groups += rubq_groups(paths.rubq, english_pool, rng)
    if paths.spans:
        groups += span_groups(paths.spans, paths.squad_v1, rng)
    label_with_teacher(groups, progress)
    return groups
