"""Abstention on small corpora: SQuAD v1.1 articles indexed one at a time.

    .venv/bin/python -m bench.small_corpora --squad-v1 dev-v1.1.json [--articles 12] \
        [--questions 40] [--index-root DIR] [--out small_corpora.json]

qa/calibration.json is fitted over all of SQuAD's paragraphs, but a user's corpus is often a
few documents. A question term that such a corpus never uses is common there even when it
holds the answer, and such a term raises the abstention threshold. So this script indexes
`--articles` articles, one at a time (every k-th in title order). Each is asked
`--questions` of its own questions (answerable) and as many questions of other articles
(out of corpus), sampled with seed 0. It reports, over all of them:
- the false abstention rate and abstention recall with the calibrated thresholds, and with
  the base threshold alone (no stricter bar for a term the corpus lacks);
- answer_contains on the answerable questions;
- the share of questions with a term the corpus lacks.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass

from tqdm import tqdm

from bench.quality import Bench, squad_script_parser, start_bench
from bench.sampling import SEED
from bench.tables import fmt, markdown, write_results
from index.types import Document
from qa.compose.extractive import ExtractiveComposer
from qa.eval.datasets import EvalDataset, EvalQuestion, load_dataset
from qa.eval.judge import contains_gold
from qa.eval.metrics import abstention_scores, mean

THRESHOLDS = ("calibrated", "base threshold only")


@dataclass(frozen=True)
class Asked:
    """One question asked of one article's index, answered under both thresholds."""

    answerable: bool
    unseen_terms: bool
    abstained: dict[str, bool]
    contains: dict[str, bool]


def articles(dataset: EvalDataset) -> dict[str, list[Document]]:
    """The dataset's paragraphs grouped by article, in title order."""
    grouped: dict[str, list[Document]] = {}
    for document in dataset.documents:
        grouped.setdefault(str(document.metadata["article"]), []).append(document)
    return dict(sorted(grouped.items()))


def questions_by_article(dataset: EvalDataset) -> dict[str, list[EvalQuestion]]:
    article_of = {d.doc_id: str(d.metadata["article"]) for d in dataset.documents}
    grouped: dict[str, list[EvalQuestion]] = {}
    for question in dataset.questions:
        if not question.unanswerable and question.gold_doc_ids:
            article = article_of[next(iter(question.gold_doc_ids))]
            grouped.setdefault(article, []).append(question)
    return grouped


def pick_articles(titles: Sequence[str], count: int) -> list[str]:
    """`count` titles spread evenly over `titles` (every k-th)."""
    step = max(1, len(titles) // max(1, count))
    return list(titles[::step][:count])


def ask_article(
    bench: Bench,
    documents: Sequence[Document],
    own: Sequence[EvalQuestion],
    others: Sequence[EvalQuestion],
) -> list[Asked]:
    """`own` (answerable) and `others` (out of corpus) asked of an index of `documents`."""
    snapshot = bench.index(documents, bench.settings.multilingual_model is not None)
    pipeline = bench.pipeline(snapshot)
    calibrated = pipeline.composer
    assert isinstance(calibrated, ExtractiveComposer)
    base = ExtractiveComposer(
        dataclasses.replace(
            calibrated.settings, abstain_below_unseen=dict(calibrated.settings.abstain_below)
        )
    )
    composers = dict(zip(THRESHOLDS, (calibrated, base), strict=True))
    asked = []
    for question, answerable in [*((q, True) for q in own), *((q, False) for q in others)]:
        evidence = pipeline.evidence(question.question)
        answers = {name: c.compose(evidence) for name, c in composers.items()}
        asked.append(
            Asked(
                answerable=answerable,
                unseen_terms=bool(evidence.unseen_terms),
                abstained={name: a.abstained for name, a in answers.items()},
                contains={
                    name: answerable and contains_gold(a, question) for name, a in answers.items()
                },
            )
        )
    return asked


def summary(asked: Sequence[Asked]) -> dict[str, dict[str, float]]:
    """Per threshold: abstention rates, and answer_contains on the answerable questions."""
    unanswerable = [not a.answerable for a in asked]
    answerable = [a for a in asked if a.answerable]
    results = {}
    for name in THRESHOLDS:
        scores = abstention_scores([a.abstained[name] for a in asked], unanswerable)
        results[name] = {
            "false_abstain_rate": scores.false_abstain_rate,
            "abstain_recall": scores.recall,
            "abstain_f1": scores.f1,
            "answer_contains": mean([float(a.contains[name]) for a in answerable]),
        }
    return results


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = squad_script_parser(__doc__, "small_corpora.json")
    parser.add_argument("--articles", type=int, default=12, help="articles, each indexed alone")
    parser.add_argument(
        "--questions", type=int, default=40, help="questions per article, and as many others"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    bench = start_bench(args.index_root, not args.no_progress)
    dataset = load_dataset(args.squad_v1)
    documents = articles(dataset)
    questions = questions_by_article(dataset)
    chosen = pick_articles([t for t in documents if t in questions], args.articles)
    rng = random.Random(SEED)
    asked: list[Asked] = []
    for title in tqdm(chosen, desc="articles", disable=args.no_progress):
        own = rng.sample(questions[title], min(args.questions, len(questions[title])))
        pool = [q for t, qs in questions.items() if t != title for q in qs]
        others = rng.sample(pool, min(len(own), len(pool)))
        asked += ask_article(bench, documents[title], own, others)
    results = summary(asked)
    answerable = [a for a in asked if a.answerable]
    unanswerable = [a for a in asked if not a.answerable]
    unseen = {
        "answerable": mean([float(a.unseen_terms) for a in answerable]),
        "out_of_corpus": mean([float(a.unseen_terms) for a in unanswerable]),
    }
    metrics = ("false_abstain_rate", "abstain_recall", "abstain_f1", "answer_contains")
    rows = [[name, *(fmt(results[name][m]) for m in metrics)] for name in THRESHOLDS]
    print(
        f"## Small corpora ({len(chosen)} articles indexed alone; {len(answerable)} answerable "
        f"and {len(unanswerable)} out-of-corpus questions)\n"
    )
    print(markdown(["thresholds", *metrics], rows))
    print(
        f"\nQuestions with a term the corpus lacks: {fmt(unseen['answerable'])} of the "
        f"answerable, {fmt(unseen['out_of_corpus'])} of the out-of-corpus ones."
    )
    document = {
        "data": str(args.squad_v1),
        "articles": chosen,
        "answerable": len(answerable),
        "out_of_corpus": len(unanswerable),
        "with_unseen_terms": unseen,
        "thresholds": results,
    }
    write_results(args.out, document)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
