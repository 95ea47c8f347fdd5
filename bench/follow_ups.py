"""Follow-up questions: two-turn conversations, the second turn answered or rightly refused.

    .venv/bin/python bench/follow_ups.py [--data tests/data/conversations/follow_ups.jsonl]
        [--out follow_ups.json] [--verbose]

Each row of `--data` names a corpus folder (relative to the repository), two questions and
the strings of which one must be in the answer to the second (none: the second must be
refused). Each corpus is indexed afresh in a temporary folder with the same models; the
first question is asked, then the second with the first and its answer as history, which
is what /v1/chat keeps under a conversation_id. The second question is also asked alone,
without the conversation, which shows what the conversation adds. Scores are the share of
conversations whose second answer holds an expected string (answerable) or is a refusal
(unanswerable), overall and by kind (pronoun, ellipsis, switch) and language.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/follow_ups.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.tables import markdown, write_results
from index.building.builder import IndexBuilder
from index.documents.corpus import load_corpus
from index.settings import IndexSettings
from index.snapshots.repository import SnapshotRepository
from index.text.chunking import SentenceChunker
from qa.factory import build_pipeline
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.rerank.cross_encoder import CrossEncoder
from qa.types import Answer

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data" / "conversations" / "follow_ups.jsonl"


@dataclass(frozen=True)
class Conversation:
    id: str
    corpus: str
    lang: str
    kind: str
    turns: list[str]
    answers: list[str]
    unanswerable: bool


def load_conversations(path: Path) -> list[Conversation]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [Conversation(**row) for row in rows]


def right(conversation: Conversation, answer: Answer) -> bool:
    """An expected string in the answer, or a refusal where none is expected."""
    if conversation.unanswerable:
        return answer.abstained
    text = answer.answer.lower()
    return not answer.abstained and any(a.lower() in text for a in conversation.answers)


def corpus_pipeline(folder: Path, models: Models, root: Path) -> QAPipeline:
    settings = IndexSettings(corpus_dir=folder)
    documents, skipped = load_corpus(settings)
    if skipped:
        raise SystemExit(f"{folder}: could not read {skipped}")
    builder = IndexBuilder(
        SnapshotRepository(root),
        models.embedder,
        SentenceChunker(settings.chunker),
        multilingual=models.multilingual,
        progress=False,
    )
    snapshot, _ = builder.build(documents)
    return build_pipeline(snapshot, models=models)


def run(conversations: list[Conversation], verbose: bool = False) -> list[dict[str, Any]]:
    settings = IndexSettings()
    models = _models(settings)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="citeqa-follow-ups-") as tmp:
        pipelines: dict[str, QAPipeline] = {}
        for conversation in conversations:
            if conversation.corpus not in pipelines:
                root = Path(tmp) / str(len(pipelines))
                pipelines[conversation.corpus] = corpus_pipeline(
                    REPO / conversation.corpus, models, root
                )
            pipeline = pipelines[conversation.corpus]
            first, second = conversation.turns
            earlier = pipeline.ask(first)
            answer = pipeline.ask(second, history=[("user", first), ("assistant", earlier.answer)])
            alone = pipeline.ask(second)
            row = {
                "id": conversation.id,
                "kind": conversation.kind,
                "lang": conversation.lang,
                "unanswerable": conversation.unanswerable,
                "right": right(conversation, answer),
                "right_alone": right(conversation, alone),
                "first_answer": earlier.answer,
                "answer": answer.answer,
                "abstained": answer.abstained,
            }
            rows.append(row)
            if verbose:
                mark = "ok  " if row["right"] else "MISS"
                print(
                    f"{mark} {conversation.id}: {first} / {second}\n     -> {answer.answer[:160]}"
                )
    return rows


def _models(settings: IndexSettings) -> Models:
    from index.embedders import make_embedder

    return Models(
        embedder=make_embedder(settings.embedding_model),
        multilingual=make_embedder(settings.multilingual_model)
        if settings.multilingual_model
        else None,
        cross_encoder=CrossEncoder(),
    )


def summary(rows: list[dict[str, Any]]) -> dict[str, dict[str, float | int]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups["all"].append(row)
        groups[f"kind={row['kind']}"].append(row)
        groups[f"lang={row['lang']}"].append(row)
        groups["answerable" if not row["unanswerable"] else "unanswerable"].append(row)
    return {
        name: {
            "count": len(group),
            "right": round(sum(r["right"] for r in group) / len(group), 3),
            "right_alone": round(sum(r["right_alone"] for r in group) / len(group), 3),
        }
        for name, group in sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0]))
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--verbose", action="store_true", help="print every conversation")
    args = parser.parse_args()
    rows = run(load_conversations(args.data), verbose=args.verbose)
    table = summary(rows)
    print(
        markdown(
            ["conversations", "count", "second turn right", "asked alone"],
            [
                [name, str(v["count"]), f"{v['right']:.3f}", f"{v['right_alone']:.3f}"]
                for name, v in table.items()
            ],
        )
    )
    misses = [r["id"] for r in rows if not r["right"]]
    print(f"\nmissed: {', '.join(misses) or 'none'}")
    if args.out:
        write_results(
            args.out,
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "data": str(args.data),
                "summary": table,
                "conversations": rows,
            },
        )


if __name__ == "__main__":
    main()
