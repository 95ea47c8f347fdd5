"""Quality benchmark: citeqa and the anchors side by side on SQuAD, in one run.

    .venv/bin/python -m bench.quality --squad-v1 DEV_V1_1.json [--squad-v2 DEV_V2_0.json]
        [--translated bench/data/squad_translated.ru.jsonl ...]
        [--corpus-dir corpus --corpus-questions tests/data/corpus_questions.en.jsonl ...]
        [--sample 2000] [--all] [--limit N] [--skip SECTION ...] [--out quality.json]

Sections (markdown on stdout, everything in the JSON file), each in a module of this package:
- SQuAD v1.1 (`squad_v1`): citeqa's metrics next to the BM25 and LangChain anchors
  (bench/anchors/) on the same questions: 2,000 answerable questions sampled with seed 0.
  With `--all`, every answerable question is asked, and a second table gives them all: the
  sample is the first 2,000 of the same seed-0 shuffle, so both tables come from one run.
- Ablation (`squad_v1`): dense only, BM25 only, fused, fused + rerank (citeqa's default).
- Query latency in process (`latency`), and its ratio to the LangChain anchor's, measured in
  this run: from the SQuAD v1.1 runs, and again with citeqa and the anchor timed in turns on
  the sample's questions, so both see the same machine.
- Out-of-corpus abstention (`abstention`): half of the v1.1 articles indexed; the sampled
  questions of the other half should be abstained on, those of the indexed half answered.
- Typos (`typos`): the v1.1 questions again, each with one typo, answered without and with
  spelling correction.
- SQuAD v2.0 (`abstention`): abstention on its unanswerable questions, and what abstaining
  costs in answer_contains on the answerable ones (the same pipeline without abstention).
- Translated questions (`languages`; Russian, Kazakh): hit@5 against the same questions in
  English; the multilingual reader's tables (`reader`).
- Default-corpus questions (`languages`): answered, or correctly abstained on.

Indexes are cached like `citeqa eval`'s (see qa.eval.corpus_index), so a second run only
asks questions. `--limit N` caps every question set, for a quick smoke run. `--skip` leaves
out the ablation, out-of-corpus or typos section, whose runs repeat the sample's v1.1
questions. The other sections ask the sample's questions (SQuAD v2.0: its own seed-0
sample of `--sample`) with or without `--all`.
"""
