"""Typos: the SQuAD v1.1 sample as a hurried user types it, one typo in one word of each
question, answered without and with spelling correction."""

from __future__ import annotations

import random
import re
from dataclasses import replace

from bench.lib.harness import Bench
from bench.lib.sampling import SEED
from bench.lib.tables import fmt, markdown
from index.snapshots.snapshot import Snapshot
from qa.eval.datasets import EvalDataset, EvalQuestion

_LONG_WORD = re.compile(r"[A-Za-z]{5,}")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def with_typo(text: str, rng: random.Random) -> str:
    """`text` with one typo in one of its words of five letters or more, never in the first
    letter: a letter deleted, doubled or replaced, or two neighbours swapped. Text without
    such a word is returned as it is."""
    words = list(_LONG_WORD.finditer(text))
    if not words:
        return text
    match = rng.choice(words)
    word = match.group()
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("delete", "double", "replace", "swap"))
    if kind == "delete":
        typo = word[:at] + word[at + 1 :]
    elif kind == "double":
        typo = word[:at] + word[at] + word[at:]
    elif kind == "replace":
        typo = word[:at] + rng.choice(_LETTERS.replace(word[at].lower(), "")) + word[at + 1 :]
    else:
        typo = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if typo == word:  # two equal letters swapped
        typo = word[:at] + word[at + 1 :]
    return text[: match.start()] + typo + text[match.end() :]


def typos(
    bench: Bench, dataset: EvalDataset, snapshot: Snapshot, questions: list[EvalQuestion]
) -> None:
    """The same questions with one typo each, answered without and with spelling correction."""
    rng = random.Random(SEED)
    typed = [replace(q, question=with_typo(q.question, rng)) for q in questions]
    v1 = bench.results["squad_v1"]
    runs = {"as asked": {**v1["citeqa"], "abstained": v1["citeqa_details"]["abstained"]}}
    for name, correction in (("one typo, not corrected", False), ("one typo, corrected", True)):
        pipeline = bench.pipeline(snapshot, spelling_correction=correction)
        run = bench.ask(dataset, pipeline, typed)
        runs[name] = {**run.metrics, "abstained": run.details["abstained"]}
    bench.results["typos"] = runs
    columns = ("hit@5", "mrr@10", "answer_contains", "citation_support", "abstained")
    rows = [
        [name, *(fmt(m.get(c), "abstained_count" if c == "abstained" else c) for c in columns)]
        for name, m in runs.items()
    ]
    note = (
        "SQuAD v1.1 questions of the first table, each with one typo (bench/quality/typos.py: "
        "a letter deleted, doubled, replaced or two swapped, in one word of five letters or "
        "more)."
    )
    bench.section("Typos (SQuAD v1.1)", markdown(["questions", *columns], rows), note)
