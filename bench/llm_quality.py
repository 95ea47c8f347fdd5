"""Generated against extractive answers on the seed-corpus questions, with a real model.

For each question of `--questions` (default tests/data/corpus_questions.en.jsonl), asked of
the default corpus in process, both ways:
- `answer_contains`: a gold answer occurs in the answer (answerable questions; an
  abstention counts as a miss), and `citation_support`: cited quotes (or their chunks)
  holding a gold answer, both as qa.eval computes them for `citeqa eval`;
- for generated answers, what the sentence gate did: sentences written, kept and removed
  (with the reason), markers to passages that were not given, sentences it had to cite
  itself, and fallbacks to the extractive answer (with the reason).
Then `citeqa serve` runs as a child process in each mode, and time to first token is
measured over HTTP for `--ttft` questions: to the first `delta` event of POST /v1/chat and
to the first content chunk of POST /v1/chat/completions with `stream: true`.

The model is SmolLM2-135M-Instruct behind llama.cpp's OpenAI-compatible server
(CITEQA_LLM=openai), two threads.

    .venv/bin/python bench/llm_quality.py [--limit N] [--ttft 12] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.llama_server import LlamaServer
from bench.lib.server_process import ServerProcess
from index.building.builder import IndexBuilder
from index.documents.corpus import load_corpus
from index.embedders import make_embedder
from index.settings import IndexSettings
from index.snapshots.repository import SnapshotRepository
from index.snapshots.snapshot import Snapshot
from index.text.chunking import SentenceChunker
from qa.compose.generative import GenerativeComposer
from qa.eval.datasets import EvalQuestion, load_dataset
from qa.eval.judge import SnapshotTexts, supported
from qa.eval.metrics import percentile
from qa.eval.normalize import contains_any, strip_citation_markers
from qa.factory import build_pipeline
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.rerank.cross_encoder import CrossEncoder
from qa.streaming import AnswerDone
from qa.types import Answer

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "corpus_questions.en.jsonl"


def build_index(root: Path) -> tuple[Snapshot, Models]:
    settings = IndexSettings(corpus_dir=ROOT / "corpus", index_dir=root)
    models = Models(
        embedder=make_embedder(settings.embedding_model),
        multilingual=make_embedder(settings.multilingual_model)
        if settings.multilingual_model
        else None,
        cross_encoder=CrossEncoder(),
    )
    documents, _ = load_corpus(settings)
    builder = IndexBuilder(
        SnapshotRepository(root),
        models.embedder,
        SentenceChunker(settings.chunker),
        multilingual=models.multilingual,
        progress=False,
    )
    snapshot, _ = builder.build(documents)
    return snapshot, models


class Scores:
    """answer_contains and citation_support over answerable questions, as qa.eval does."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.texts = SnapshotTexts(snapshot)
        self.contains: list[float] = []
        self.citations = 0
        self.supported = 0
        self.abstained_unanswerable: list[bool] = []

    def add(self, question: EvalQuestion, answer: Answer) -> None:
        if question.unanswerable:
            self.abstained_unanswerable.append(answer.abstained)
            return
        text = "" if answer.abstained else strip_citation_markers(answer.answer)
        self.contains.append(float(contains_any(text, list(question.answers))))
        self.citations += len(answer.citations)
        self.supported += sum(
            supported(question, c, answer.passages or [], self.texts) for c in answer.citations
        )

    def summary(self) -> dict[str, float]:
        return {
            "answer_contains": round(statistics.fmean(self.contains), 4),
            "citation_support": round(self.supported / max(1, self.citations), 4),
            "citations": self.citations,
            "abstained_on_unanswerable": round(statistics.fmean(self.abstained_unanswerable), 4)
            if self.abstained_unanswerable
            else 0.0,
        }


def quality(
    questions: list[EvalQuestion], extractive: QAPipeline, generative: QAPipeline
) -> dict[str, Any]:
    composer = generative.composer
    assert isinstance(composer, GenerativeComposer)
    plain, generated = Scores(extractive.snapshot), Scores(generative.snapshot)
    gate: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    fallbacks: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    for question in questions:
        plain.add(question, extractive.ask(question.question))
        evidence = generative.evidence(question.question)
        run = composer.generate(evidence)
        done = list(run.events)[-1]
        assert isinstance(done, AnswerDone)
        answer = done.answer
        generated.add(question, answer)
        if answer.abstained:
            gate["abstained_without_model"] += 1
            continue
        report = run.report
        gate["asked"] += 1
        gate["sentences"] += report.sentences
        gate["kept"] += report.kept
        gate["dropped_markers"] += report.dropped_markers
        gate["attributed"] += report.attributed
        gate["answers_with_removals"] += bool(sum(report.removed.values()))
        removed.update(report.removed)
        if answer.fallback:
            fallbacks[answer.fallback_reason or "?"] += 1
        if len(examples) < 8:
            examples.append(
                {"question": question.question, "model": run.output, "answer": answer.answer}
            )
    return {
        "extractive": plain.summary(),
        "generated": generated.summary(),
        "gate": dict(gate),
        "removed_sentences_by_reason": dict(removed),
        "fallbacks_by_reason": dict(fallbacks),
        "examples": examples,
    }


def first_token_ms(client: httpx.Client, path: str, body: dict[str, Any]) -> float:
    """Milliseconds from sending the request to the first answer text on the stream."""
    started = time.perf_counter()
    with client.stream("POST", path, json=body) as response:
        response.raise_for_status()
        event = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and line != "data: [DONE]":
                data = json.loads(line.removeprefix("data: "))
                if _has_text(event, data):
                    return (time.perf_counter() - started) * 1000
    raise RuntimeError(f"{path}: the stream held no text")


def _has_text(event: str, data: dict[str, Any]) -> bool:
    if event == "delta":
        return bool(data.get("text"))
    choices = data.get("choices") or [{}]
    return bool(choices[0].get("delta", {}).get("content"))


def time_to_first_token(
    index_dir: Path, questions: list[str], env: dict[str, str]
) -> dict[str, Any]:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        server = ServerProcess.start(index_dir)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        result: dict[str, Any] = {}
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for path, make in (
                ("/v1/chat", lambda q: {"question": q}),
                (
                    "/v1/chat/completions",
                    lambda q: {
                        "model": "citeqa",
                        "stream": True,
                        "messages": [{"role": "user", "content": q}],
                    },
                ),
            ):
                times = [first_token_ms(client, path, make(q)) for q in questions]
                result[path] = {
                    "p50_ms": round(percentile(times, 50), 1),
                    "p95_ms": round(percentile(times, 95), 1),
                    "count": len(times),
                }
        return result
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--ttft", type=int, default=12, help="questions timed over HTTP")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    questions = load_dataset(args.questions).limited(args.limit)
    llama = LlamaServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            snapshot, models = build_index(Path(tmp))
            settings = llama.settings()
            extractive = build_pipeline(snapshot, models=models)
            generative = build_pipeline(snapshot, settings, models)
            result: dict[str, Any] = {
                "questions": str(args.questions.relative_to(ROOT)),
                "count": len(questions),
                "model": f"{llama.model.name} via llama_cpp.server (CITEQA_LLM=openai)",
                "settings": {
                    "llm_max_tokens": settings.llm_max_tokens,
                    "llm_passages": settings.llm_passages,
                    "llm_temperature": settings.llm_temperature,
                },
                **quality(questions, extractive, generative),
            }
            answerable = [q.question for q in questions if not q.unanswerable][: args.ttft]
            llm_env = {
                "CITEQA_LLM": "openai",
                "CITEQA_LLM_BASE_URL": llama.url,
                "CITEQA_LLM_MODEL": "smollm2",
                "CITEQA_LLM_MAX_TOKENS": str(settings.llm_max_tokens),
            }
            result["time_to_first_token"] = {
                "extractive": time_to_first_token(Path(tmp), answerable, {"CITEQA_LLM": "none"}),
                "generated": time_to_first_token(Path(tmp), answerable, llm_env),
            }
    finally:
        llama.stop()
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
