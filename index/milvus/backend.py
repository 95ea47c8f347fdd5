"""The Milvus backend: builds add and retire rows in place, then publish a new version.

A build of version V+1 (V in service) upserts the rows of new and changed documents with
born = V+1, retires the rows of changed and removed documents by setting died = V+1, and
finally records V+1 as current. Replicas serving V see none of it until they switch.
Unchanged documents cost nothing. A killed build leaves rows with born = V+1 behind: the
next build finds the documents it completed and does not embed them again, and deletes
the rows of documents it no longer has. Changed models or chunker settings build a new
generation of collections, switched to at publish; the old one is dropped by the build
after.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from index.building.encode import Encoded, EncoderConfig
from index.clock import utc_now
from index.milvus.client import ALIVE, Names, connect, ensure_generation, ensure_key_value
from index.milvus.expressions import both, in_list, visible
from index.milvus.rows import (
    DocumentRows,
    chunk_pk,
    document_rows,
    filter_fields,
    record_rows,
    sentence_pk,
)
from index.milvus.snapshot import MilvusSnapshotLoader
from index.milvus.state import BUILDING, CURRENT, StateTable
from index.settings import IndexSettings
from index.snapshots.repository import new_snapshot_id
from index.snapshots.snapshot import Snapshot, SnapshotError, record_hash
from index.types import Document

log = logging.getLogger(__name__)

BATCH = 512  # rows per upsert
KEYS = 200  # document keys per `in [...]` query


class MilvusBackend:
    """The index PREFIX in one Milvus database."""

    def __init__(self, client: Any, prefix: str, query_timeout: int = 5) -> None:
        self.client = client
        self.names = Names(prefix)
        self.query_timeout = query_timeout
        ensure_key_value(client, self.names.state)
        self.state = StateTable(client, self.names.state)

    @classmethod
    def from_settings(cls, settings: IndexSettings) -> MilvusBackend:
        return cls(connect(settings), settings.milvus_collection, settings.milvus_query_timeout)

    def build_lock(self) -> contextlib.AbstractContextManager[None]:
        return self.state.lease()

    def current(self) -> dict[str, Any] | None:
        return self.state.get(CURRENT)

    def current_id(self) -> str | None:
        current = self.current()
        return str(current["snapshot_id"]) if current else None

    def load_current(self) -> Snapshot:
        current = self.current()
        if current is None:
            raise SnapshotError(
                f"no usable snapshot in Milvus collection {self.names.prefix}: "
                "no snapshot has been built yet"
            )
        return MilvusSnapshotLoader(self.client, self.names, self.query_timeout).load(current)

    def begin(self, config: EncoderConfig, keep: int) -> MilvusSink:
        return MilvusSink(self, config)


def config_record(config: EncoderConfig) -> dict[str, Any]:
    return {
        "embedding": config.embedding.model_dump(),
        "multilingual": config.multilingual.model_dump() if config.multilingual else None,
        "chunker": config.chunker,
    }


class MilvusSink:
    """One build of a new version (see the module docstring)."""

    def __init__(self, backend: MilvusBackend, config: EncoderConfig) -> None:
        self.backend = backend
        self.client = backend.client
        self.names = backend.names
        self.config = config
        current = backend.current()
        self._current = current
        self.version = (int(current["version"]) if current else 0) + 1
        self.full_rebuild_reason = _rebuild_reason(current, config)
        wanted = {"config": config_record(config), "version": self.version}
        if self.full_rebuild_reason is None:
            assert current is not None
            self.gen: str = current["gen"]
        else:
            building = backend.state.get(BUILDING)
            resumable = building and {k: building.get(k) for k in wanted} == wanted
            self.gen = building["gen"] if building and resumable else "g" + uuid.uuid4().hex[:8]
        backend.state.put(BUILDING, {**wanted, "gen": self.gen})
        self._drop_other_generations()
        ensure_generation(self.client, self.names, self.gen, config.dims)
        self._collections = [
            self.names.documents(self.gen),
            self.names.chunks(self.gen),
            self.names.sentences(self.gen),
        ]
        self._live = self._live_documents() if self.full_rebuild_reason is None else {}
        self.previous: dict[str, str] = {doc_id: h for doc_id, (_, h) in self._live.items()}
        if self.full_rebuild_reason is not None and current is not None:
            # Nothing is reused; documents it held count as updated, not added.
            self.previous = dict.fromkeys(
                self._doc_ids(current["gen"], int(current["version"])), ""
            )
        self._collect_garbage()
        self._pending = self._pending_keys()
        self._complete = self._completed_keys()
        self._seen_keys: set[str] = set()
        self._retire: list[str] = []

    def resumed_windows(self) -> list[int]:
        return []  # rows are content-addressed: completed documents are found by key

    def plan(self, window: Sequence[Document]) -> list[Document]:
        return [doc for doc in window if self._action(doc) == "embed"]

    def write(self, window: Sequence[Document], encoded: Mapping[str, Encoded]) -> None:
        rows = DocumentRows()
        for doc in window:
            key = record_hash(doc)
            action = self._action(doc)
            self._seen_keys.add(key)
            live = self._live.get(doc.doc_id)
            if live is not None and live[0] != key:
                self._retire.append(live[0])
            if action == "embed":
                new = document_rows(doc, key, encoded[doc.doc_id], self.version)
            elif action == "copy":
                assert live is not None
                new = self._copied(doc, key, live[0])
            else:
                continue
            rows.chunks += new.chunks
            rows.sentences += new.sentences
            rows.documents += new.documents
        self._upsert(self.names.chunks(self.gen), rows.chunks)
        self._upsert(self.names.sentences(self.gen), rows.sentences)
        self._upsert(self.names.documents(self.gen), rows.documents)

    def finish(self, removed: Sequence[str]) -> tuple[str, int]:
        self._retire += [self._live[doc_id][0] for doc_id in removed if doc_id in self._live]
        self._set_died(self._retire, self.version)
        stale = sorted(self._pending - self._seen_keys)
        for keys in _batches(stale, KEYS):
            for name in self._collections:
                self.client.delete(
                    name, filter=both(f"born == {self.version}", in_list("doc_key", keys))
                )
        chunks = self._count(self.names.chunks(self.gen))
        doc_ids = self._doc_ids(self.gen, self.version)
        snapshot_id = new_snapshot_id()
        self.backend.state.put(
            CURRENT,
            {
                "gen": self.gen,
                "version": self.version,
                "snapshot_id": snapshot_id,
                "created_at": utc_now(),
                **config_record(self.config),
                "counts": {"documents": len(doc_ids), "chunks": chunks},
            },
        )
        self.backend.state.delete(BUILDING)
        return snapshot_id, chunks

    def _action(self, doc: Document) -> str:
        """keep (live or written by an interrupted run), copy (same text), or embed."""
        key = record_hash(doc)
        if key in self._complete:
            return "keep"
        live = self._live.get(doc.doc_id)
        if live is not None and live[0] == key:
            return "keep"
        if live is not None and live[1] == doc.content_hash:
            return "copy"
        return "embed"

    def _copied(self, doc: Document, key: str, old_key: str) -> DocumentRows:
        """Rows of `doc` made from those of its previous record (same text): no embedding."""
        fields = filter_fields(doc)
        rows = DocumentRows()
        renewed = {"doc_key": key, "fields": fields, "born": self.version, "died": ALIVE}
        chunks: dict[int, tuple[int, int]] = {}  # old pk -> (new pk, ordinal)
        for row in self._rows(self.names.chunks(self.gen), [old_key], ["*"]):
            ordinal = int(row["ordinal"])
            chunks[row["pk"]] = (chunk_pk(key, ordinal), ordinal)
            rows.chunks.append({**row, **renewed, "doc_id": doc.doc_id, "pk": chunks[row["pk"]][0]})
        for row in self._rows(self.names.sentences(self.gen), [old_key], ["*"]):
            pk, ordinal = chunks[row["chunk"]]
            new_pk = sentence_pk(key, int(row["ordinal"]), ordinal)
            rows.sentences.append({**row, **renewed, "chunk": pk, "pk": new_pk})
        records = self._rows(self.names.documents(self.gen), [old_key], ["record"], part0=True)
        n_sentences = int(records[0]["record"]["sentences"]) if records else 0
        rows.documents = record_rows(doc, key, len(rows.chunks), n_sentences, self.version)
        return rows

    def _rows(
        self, collection: str, keys: list[str], fields: list[str], part0: bool = False
    ) -> list[dict[str, Any]]:
        expression = both(visible(self.version - 1), in_list("doc_key", keys))
        if part0:
            expression = both(expression, "part == 0")
        rows: list[dict[str, Any]] = []
        iterator = self.client.query_iterator(
            collection, batch_size=1000, filter=expression, output_fields=fields
        )
        while batch := iterator.next():
            rows.extend(batch)
        iterator.close()
        return rows

    def _set_died(self, keys: list[str], died: int) -> None:
        """Retire the live rows of the documents `keys` as of version `died`."""
        for batch in _batches(sorted(set(keys)), KEYS):
            for name in self._collections:
                rows = self._rows(name, list(batch), ["*"])
                self._upsert(name, [{**row, "died": died} for row in rows])

    def _upsert(self, collection: str, rows: list[dict[str, Any]]) -> None:
        for batch in _batches(rows, BATCH):
            self.client.upsert(collection, batch)

    def _live_documents(self) -> dict[str, tuple[str, str]]:
        """doc_id -> (record key, content hash) of the documents in service."""
        assert self._current is not None
        live = {}
        for row in self._scan(
            self.names.documents(self.gen),
            both(visible(int(self._current["version"])), "part == 0"),
            ["doc_id", "doc_key", "record"],
        ):
            live[row["doc_id"]] = (row["doc_key"], row["record"]["content_hash"])
        return live

    def _collect_garbage(self) -> None:
        """Delete rows retired before the version in service (replicas one version behind
        keep theirs), and revive rows an interrupted run of this build had retired."""
        if self._current is None:
            return
        version = int(self._current["version"])
        for name in self._collections:
            self.client.delete(name, filter=f"died < {version}")
            revived = list(self._scan(name, f"died == {self.version}", ["*"]))
            self._upsert(name, [{**row, "died": ALIVE} for row in revived])

    def _pending_keys(self) -> set[str]:
        keys: set[str] = set()
        for name in self._collections:
            keys |= {r["doc_key"] for r in self._scan(name, f"born == {self.version}", ["doc_key"])}
        return keys

    def _completed_keys(self) -> set[str]:
        expression = both(f"born == {self.version}", "part == 0")
        return {
            r["doc_key"]
            for r in self._scan(self.names.documents(self.gen), expression, ["doc_key"])
        }

    def _doc_ids(self, gen: str, version: int) -> list[str]:
        expression = both(visible(version), "part == 0")
        rows = self._scan(self.names.documents(gen), expression, ["doc_id"])
        return sorted(r["doc_id"] for r in rows)

    def _count(self, collection: str) -> int:
        rows = self.client.query(
            collection, filter=visible(self.version), output_fields=["count(*)"]
        )
        return int(rows[0]["count(*)"]) if rows else 0

    def _scan(
        self, collection: str, expression: str, fields: list[str]
    ) -> Iterator[dict[str, Any]]:
        iterator = self.client.query_iterator(
            collection, batch_size=2000, filter=expression, output_fields=fields
        )
        try:
            while batch := iterator.next():
                yield from batch
        finally:
            iterator.close()

    def _drop_other_generations(self) -> None:
        keep = {self.gen} | ({self._current["gen"]} if self._current else set())
        for gen in self.names.generations(self.client.list_collections()) - keep:
            for name in (
                self.names.documents(gen),
                self.names.chunks(gen),
                self.names.sentences(gen),
            ):
                if self.client.has_collection(name):
                    self.client.drop_collection(name)


def _rebuild_reason(current: dict[str, Any] | None, config: EncoderConfig) -> str | None:
    if current is None:
        return "no previous snapshot"
    wanted = config_record(config)
    if (
        current["embedding"] != wanted["embedding"]
        or current["multilingual"] != wanted["multilingual"]
    ):
        old = current["embedding"]["model_id"]
        return f"embedding model changed: {old} -> {config.embedding.model_id}"
    if current["chunker"] != wanted["chunker"]:
        return "chunking or index layout changed"
    return None


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for at in range(0, len(items), size):
        yield items[at : at + size]
