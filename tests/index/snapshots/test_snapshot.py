"""Snapshots round-trip through disk, detect damage, and publish atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.snapshots.repository import SnapshotRepository
from index.snapshots.snapshot import Snapshot, SnapshotError
from index.types import Document
from qa.models import Models
from tests.conftest import make_test_builder

DOCS = [
    Document("a", "Alpha", "a.txt", "en", "Almaty hosted CASIE 2022. It gathered 60 experts."),
    Document("b", "Beta", "b.txt", "en", "IIOE plans a National Center in Uzbekistan.", {"k": 1}),
]


def test_round_trip_keeps_everything(tmp_path: Path, models: Models) -> None:
    snapshot, _ = make_test_builder(tmp_path, models).build(DOCS)
    assert snapshot.path is not None
    loaded = Snapshot.load(snapshot.path)
    assert loaded.manifest == snapshot.manifest
    assert loaded.documents == snapshot.documents
    assert loaded.chunk_ids == snapshot.chunk_ids
    assert np.array_equal(loaded.chunks, snapshot.chunks)
    assert np.array_equal(loaded.sentences, snapshot.sentences)
    assert loaded.vectors.keys() == snapshot.vectors.keys()
    for name, array in snapshot.vectors.items():
        assert np.array_equal(loaded.vectors[name], array)
    query = models.embedder.embed_queries(["Where is the National Center?"])
    assert np.array_equal(loaded.dense.search(query, 2)[1], snapshot.dense.search(query, 2)[1])
    assert (
        loaded.keyword.search("Uzbekistan", 2)[1][0]
        == snapshot.keyword.search("Uzbekistan", 2)[1][0]
    )
    for row in range(len(loaded)):
        document = loaded.chunk_document(row)
        start, end = int(loaded.chunks[row, 1]), int(loaded.chunks[row, 2])
        assert loaded.chunk_text(row) == document.text[start:end]


def test_damaged_file_is_detected_and_previous_snapshot_served(
    tmp_path: Path, models: Models
) -> None:
    builder = make_test_builder(tmp_path, models)
    first, _ = builder.build(DOCS[:1])
    second, _ = builder.build(DOCS)
    assert second.path is not None
    vectors = second.path / "vectors" / "chunks.npy"
    data = bytearray(vectors.read_bytes())
    data[-1] ^= 0xFF
    vectors.write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match="damaged"):
        Snapshot.load(second.path)
    served = SnapshotRepository(tmp_path).load_current()
    assert served.snapshot_id == first.snapshot_id


def test_missing_file_and_no_snapshot_are_clear_errors(tmp_path: Path, models: Models) -> None:
    with pytest.raises(SnapshotError, match="no snapshot has been built"):
        SnapshotRepository(tmp_path / "empty").load_current()
    snapshot, _ = make_test_builder(tmp_path, models).build(DOCS)
    assert snapshot.path is not None
    (snapshot.path / "chunk_ids.json").unlink()
    with pytest.raises(SnapshotError, match="missing"):
        Snapshot.load(snapshot.path)


def test_crashed_build_leftovers_are_ignored_and_pruned(tmp_path: Path, models: Models) -> None:
    builder = make_test_builder(tmp_path, models)
    builder.build(DOCS)
    leftover = tmp_path / "snapshots" / ".tmp-20000101T000000000000Z-deadbeef"
    leftover.mkdir()
    (leftover / "manifest.json").write_text("{half written")
    repository = SnapshotRepository(tmp_path)
    assert leftover.name not in repository.snapshot_ids()
    current, _ = builder.build(DOCS)
    assert not leftover.exists()
    assert repository.current_id() == current.snapshot_id


def test_only_the_newest_snapshots_are_kept(tmp_path: Path, models: Models) -> None:
    builder = make_test_builder(tmp_path, models)
    builder.keep_snapshots = 2
    ids = [builder.build(DOCS)[0].snapshot_id for _ in range(4)]
    assert SnapshotRepository(tmp_path).snapshot_ids() == ids[-2:]
