"""Where citeqa's SQuAD v1.1 misses come from: one cause for each question it gets wrong.

    .venv/bin/python -m bench.misses --squad-v1 dev-v1.1.json [--sample 2000] \
        [--index-root DIR] [--out misses.json]

The questions are bench/quality.py's (seed 0, the first `--sample`), asked of the same
cached index. A question whose answer lacks the gold answer (answer_contains 0) gets the
first cause that fits, in the order of the pipeline's steps:
- abstained: the evidence was under the calibrated threshold;
- wrong passage: the best-ranked chunk is not from the question's paragraph;
- across sentences: no sentence of the paragraph holds a gold answer whole;
- never scored: a sentence that holds it was not among those the cross-encoder read;
- outscored: the cross-encoder read it, and another sentence won.
The first two are retrieval and calibration; the last three are sentence choice.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence

import numpy as np
from tqdm import tqdm

from bench.quality import squad_script_parser, start_bench
from bench.sampling import SAMPLE_SIZE, sample_questions
from bench.tables import fmt, markdown, write_results
from index.snapshot import DOC, Snapshot
from qa.compose.base import Evidence
from qa.eval.datasets import EvalQuestion, load_dataset
from qa.eval.judge import contains_gold
from qa.eval.normalize import contains_any
from qa.types import Answer

CAUSES = ("abstained", "wrong passage", "across sentences", "never scored", "outscored")


def miss_cause(question: EvalQuestion, evidence: Evidence, answer: Answer) -> str | None:
    """Why `answer` lacks the gold answer (one of CAUSES), or None when it holds it."""
    if contains_gold(answer, question):
        return None
    if answer.abstained:
        return "abstained"
    snapshot = evidence.snapshot
    top = evidence.candidates[0].row if evidence.candidates else None
    if top is None or snapshot.chunk_document(top).doc_id not in question.gold_doc_ids:
        return "wrong passage"
    holding = answer_sentences(snapshot, question)
    if not holding:
        return "across sentences"
    if holding.isdisjoint(s.row for s in evidence.sentences):
        return "never scored"
    return "outscored"


def answer_sentences(snapshot: Snapshot, question: EvalQuestion) -> set[int]:
    """Sentence rows of the question's paragraphs that hold a gold answer whole."""
    rows_of_docs = (snapshot.document_row(doc_id) for doc_id in question.gold_doc_ids)
    paragraphs = [row for row in rows_of_docs if row is not None]
    rows = np.flatnonzero(np.isin(snapshot.sentences[:, DOC], paragraphs))
    return {
        int(row)
        for row in rows
        if contains_any(snapshot.sentence_text(int(row)), list(question.answers))
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = squad_script_parser(__doc__, "misses.json")
    parser.add_argument(
        "--sample", type=int, default=SAMPLE_SIZE, help="questions sampled with seed 0"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    bench = start_bench(args.index_root, not args.no_progress)
    dataset = load_dataset(args.squad_v1)
    questions = sample_questions(dataset.questions, args.sample)
    multilingual = bench.settings.multilingual_model is not None
    snapshot = bench.index(dataset.documents, multilingual=multilingual)
    pipeline = bench.pipeline(snapshot)
    causes: Counter[str] = Counter()
    examples: dict[str, list[str]] = {cause: [] for cause in CAUSES}
    for question in tqdm(questions, desc="questions", disable=args.no_progress):
        evidence = pipeline.evidence(question.question)
        cause = miss_cause(question, evidence, pipeline.composer.compose(evidence))
        if cause is not None:
            causes[cause] += 1
            examples[cause].append(question.id)
    total = len(questions)
    rows = [[cause, str(causes[cause]), fmt(causes[cause] / total)] for cause in CAUSES]
    missed = sum(causes.values())
    rows.append(["all misses", str(missed), fmt(missed / total)])
    print(f"## Where the misses come from ({args.squad_v1.name}, {total} questions)\n")
    print(markdown(["cause", "questions", "share of all questions"], rows))
    results = {
        "data": str(args.squad_v1),
        "questions": total,
        "answer_contains": 1 - missed / total,
        "causes": {cause: causes[cause] for cause in CAUSES},
        "question_ids": examples,
    }
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
