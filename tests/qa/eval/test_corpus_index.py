"""The SQuAD evaluation index: cache keys, reuse without rebuilding, seeding a subset."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.settings import IndexSettings
from index.snapshots.snapshot import Snapshot
from qa.eval.corpus_index import (
    CorpusIndex,
    cache_key,
    cache_root,
    default_index_dir,
    is_up_to_date,
)
from qa.eval.datasets import EvalDataset
from qa.models import Models


def test_cache_key_depends_on_documents_and_settings_only(slice_v1: EvalDataset) -> None:
    docs = slice_v1.documents
    settings = IndexSettings()
    key = cache_key(docs, settings, multilingual=False)
    assert cache_key(list(reversed(docs)), settings, multilingual=False) == key
    assert cache_key(docs, settings, multilingual=True) != key
    assert cache_key(docs, IndexSettings(chunk_size=800), multilingual=False) != key
    changed = [replace(docs[0], text=docs[0].text + " More."), *docs[1:]]
    assert cache_key(changed, settings, multilingual=False) != key
    # a setting that does not change vectors does not change the key
    assert cache_key(docs, IndexSettings(keep_snapshots=1), multilingual=False) == key


def test_cache_root_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CITEQA_EVAL_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_root() == tmp_path / "citeqa" / "eval"
    monkeypatch.setenv("CITEQA_EVAL_CACHE", str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"
    assert default_index_dir([], IndexSettings(), False).parent == tmp_path / "mine"


def test_an_up_to_date_index_is_loaded_not_rebuilt(
    slice_v1: EvalDataset, slice_snapshot: Snapshot, slice_index_dir: Path, models: Models
) -> None:
    settings = IndexSettings()
    assert is_up_to_date(slice_snapshot.manifest, slice_v1.documents, settings, False)
    assert not is_up_to_date(slice_snapshot.manifest, slice_v1.documents, settings, True)
    assert not is_up_to_date(slice_snapshot.manifest, slice_v1.documents[1:], settings, False)
    corpus = CorpusIndex(slice_index_dir, settings, embedder=models.embedder, progress=False)
    snapshot, report = corpus.ensure(slice_v1.documents)
    assert report is None
    assert snapshot.snapshot_id == slice_snapshot.snapshot_id


def test_a_subset_seeded_from_a_full_index_embeds_nothing(
    slice_v1: EvalDataset, slice_snapshot: Snapshot, tmp_path: Path, models: Models
) -> None:
    """How bench/quality/abstention.py indexes half of the articles for out-of-corpus questions."""
    half = [d for d in slice_v1.documents if d.metadata["article"] == "Sky_(United_Kingdom)"]
    corpus = CorpusIndex(tmp_path, IndexSettings(), embedder=models.embedder, progress=False)
    snapshot, report = corpus.ensure(half, seed=slice_snapshot.path)
    assert report is not None
    assert report.embedded_chunks == 0
    assert report.unchanged == len(half) == 17
    assert len(report.removed) == 16
    assert {d.doc_id for d in snapshot.documents} == {d.doc_id for d in half}
