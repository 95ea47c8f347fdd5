"""Fixtures of the evaluation tests: the two-article SQuAD slices and their index."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.settings import IndexSettings
from index.snapshots.snapshot import Snapshot
from qa.eval.corpus_index import CorpusIndex
from qa.eval.datasets import EvalDataset, load_dataset
from qa.factory import build_pipeline
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.settings import QASettings
from tests.conftest import DATA

SLICE_V1 = DATA / "squad_slice.json"
SLICE_V2 = DATA / "squad_v2_slice.json"


@pytest.fixture(scope="session")
def slice_v1() -> EvalDataset:
    return load_dataset(SLICE_V1)


@pytest.fixture(scope="session")
def slice_v2() -> EvalDataset:
    return load_dataset(SLICE_V2)


@pytest.fixture(scope="session")
def slice_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("squad-slice-index")


@pytest.fixture(scope="session")
def slice_snapshot(slice_v1: EvalDataset, slice_index_dir: Path, models: Models) -> Snapshot:
    """The slice's 33 paragraphs, indexed once per session as `citeqa eval` indexes SQuAD
    (English questions: no multilingual vectors)."""
    corpus = CorpusIndex(slice_index_dir, IndexSettings(), embedder=models.embedder, progress=False)
    snapshot, _ = corpus.ensure(slice_v1.documents)
    return snapshot


@pytest.fixture(scope="session")
def slice_pipeline(slice_snapshot: Snapshot, models: Models) -> QAPipeline:
    slice_models = Models(models.embedder, None, models.cross_encoder)
    return build_pipeline(slice_snapshot, QASettings(), slice_models)
