"""A smoke run of `python -m bench.quality` on the two-article SQuAD slices: every section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.quality.__main__ import main
from tests.conftest import DATA, REPO

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

RUSSIAN = [
    ("57092322efce8f15003a7db0", "Какая компания возникла при слиянии Sky Television и BSB?"),
    ("57092322efce8f15003a7db2", "В каком году BSkyB купила Sky Italia?"),
    ("57092322efce8f15003a7db3", "Как называется холдинговая компания BSkyB?"),
]


@pytest.fixture(scope="module")
def index_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index folder for the module's runs: each builds only what an earlier one has not
    (the bench reuses an index whose documents, models and settings are unchanged)."""
    return tmp_path_factory.mktemp("indexes")


def run_bench(tmp_path: Path, index_root: Path, *options: str) -> dict[str, Any]:
    """`python -m bench.quality` on the SQuAD v1.1 slice with `options`, indexes in
    `index_root` and results in `tmp_path`: the results it wrote."""
    out = tmp_path / "quality.json"
    args = [
        "--squad-v1", str(DATA / "squad_slice.json"),
        *options,
        "--index-root", str(index_root),
        "--out", str(out),
        "--no-progress",
    ]  # fmt: skip
    assert main(args) == 0
    results: dict[str, Any] = json.loads(out.read_text())
    return results


def test_quality_bench_runs_every_section(
    tmp_path: Path, index_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    translated = tmp_path / "slice.ru.jsonl"
    translated.write_text(
        "".join(
            json.dumps({"id": i, "question": q, "answers": ["BSkyB"]}, ensure_ascii=False) + "\n"
            for i, q in RUSSIAN
        ),
        encoding="utf-8",
    )
    results = run_bench(
        tmp_path,
        index_root,
        "--squad-v2", str(DATA / "squad_v2_slice.json"),
        "--translated", str(translated),
        "--corpus-dir", str(REPO / "corpus"),
        "--corpus-questions", str(DATA / "corpus_questions.kk.jsonl"),
        "--limit", "6",
    )  # fmt: skip
    assert set(results) >= {
        "squad_v1", "ablation", "latency", "out_of_corpus", "squad_v2", "translated",
        "corpus_questions", "run", "typos", "reader",
    }  # fmt: skip
    assert set(results["reader"]["ablation"]) == {
        "cross-encoder only", "reader only", "both (default)",
    }  # fmt: skip
    ceilings = results["reader"]["span_ceiling"]
    assert len(ceilings) == 1 + len(results["reader"]["ablation"]["both (default)"])
    for ceiling in ceilings.values():
        assert 0.0 <= ceiling["best_span_right"] <= ceiling["coverage_ceiling"] <= 1.0
    v1 = results["squad_v1"]
    assert v1["citeqa"]["count"] == 6
    assert set(v1["anchors"]) == {"BM25", "LangChain"}
    assert len(results["ablation"]) == 4
    in_turns = results["latency"]["in_turns_with_langchain"]
    assert in_turns["questions"] == 6
    assert in_turns["citeqa_p50"] > 0
    assert in_turns["anchor_p50"] > 0
    assert "abstain_recall" in results["out_of_corpus"]["metrics"]
    assert "answer_contains_without_abstention" in results["squad_v2"]
    assert results["translated"]["slice.ru.jsonl"]["english_metrics"]["count"] == 3
    assert list(results["typos"]) == ["as asked", "one typo, not corrected", "one typo, corrected"]
    assert all(run["count"] == 6 for run in results["typos"].values())
    printed = capsys.readouterr().out
    titles = ("SQuAD v1.1", "Ablation", "Out-of-corpus", "SQuAD v2.0", "Translated", "in turns")
    for title in (*titles, "Typos"):
        assert title in printed
    assert "| hit@5 |" in printed
    assert results["run"]["versions"]["machine"]["cores"] >= 1
    assert "Timed on " in printed


def test_skipped_sections_are_left_out_and_recorded(tmp_path: Path, index_root: Path) -> None:
    results = run_bench(
        tmp_path,
        index_root,
        "--limit",
        "3",
        "--skip",
        "out-of-corpus",
        "--skip",
        "typos",
        "--no-ablation",
    )
    assert results["squad_v1"]["citeqa"]["count"] == 3
    assert not {"ablation", "out_of_corpus", "typos"} & set(results)
    assert results["run"]["skipped"] == ["ablation", "out-of-corpus", "typos"]


def test_all_questions_and_the_sample_come_from_one_run(
    tmp_path: Path, index_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    skips = ("--skip", "out-of-corpus", "--skip", "typos", "--skip", "ablation")
    both = run_bench(tmp_path, index_root, "--sample", "4", "--all", "--limit", "8", *skips)
    assert both["squad_v1_all"]["citeqa"]["count"] == 8
    assert both["squad_v1"]["citeqa"]["count"] == 4
    assert "SQuAD v1.1, every question" in capsys.readouterr().out
    alone = run_bench(tmp_path, index_root, "--sample", "4", *skips)
    assert "squad_v1_all" not in alone

    def timeless(metrics: dict[str, float]) -> dict[str, float]:
        return {k: v for k, v in metrics.items() if not k.startswith("latency")}

    assert timeless(both["squad_v1"]["citeqa"]) == timeless(alone["squad_v1"]["citeqa"])
    for name, metrics in alone["squad_v1"]["anchors"].items():
        assert timeless(both["squad_v1"]["anchors"][name]) == timeless(metrics)


def test_an_unknown_section_to_skip_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--squad-v1", str(DATA / "squad_slice.json"), "--skip", "latency"])
    assert exited.value.code == 2
    assert "invalid choice: 'latency'" in capsys.readouterr().err
