"""A snapshot served from Milvus: vectors stay in Milvus, the tables are cached locally.

Loading version V reads the documents and the chunk rows (without vectors) of V into the
usual tables, and builds the BM25 index from the chunk texts. Searches then go to Milvus
with V's visibility and the request's filters in the expression: dense chunk search (on
the main or the multilingual chunk vectors), and the best-sentence ranking as a search over
sentence rows grouped by chunk. Sentence vectors the reranker needs are fetched by key.

A build retires the rows of changed and deleted documents by upserting them, which Milvus
Lite applies as a delete and then an insert: for some tens of milliseconds a reader of the
version in service misses those rows. So a load that finds fewer rows than the version
recorded, and a fetch that misses keys, read again for a moment before giving up with
SnapshotUnavailableError. A search in that moment misses only those documents, which the
coming version changes or removes anyway. A question's searches and fetches wait for Milvus
at most the query timeout, then raise SnapshotUnavailableError too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any, TypeVar, cast

import numpy as np

from index.building.encode import (
    CHUNK_VECTORS,
    MULTILINGUAL_CHUNK_VECTORS,
    MULTILINGUAL_SENTENCE_VECTORS,
    SENTENCE_VECTORS,
    titled,
)
from index.clock import utc_now
from index.embedders.base import Vectors
from index.milvus.client import BoundedClient, Names
from index.milvus.expressions import both, filter_expression, in_list, visible
from index.milvus.rows import sentence_pk
from index.snapshots.manifest import DocumentEntry, EmbeddingInfo, Manifest
from index.snapshots.snapshot import Snapshot, SnapshotUnavailableError, stack_rows
from index.stores.base import RowIds, Scores, empty_result
from index.stores.filters import Selection
from index.stores.keyword import BM25Index
from index.types import Document

log = logging.getLogger(__name__)

SCAN_BATCH = 4000
SENTENCE_FIELDS = {SENTENCE_VECTORS: "main", MULTILINGUAL_SENTENCE_VECTORS: "multilingual"}
CHUNK_FIELDS = {CHUNK_VECTORS: "vector", MULTILINGUAL_CHUNK_VECTORS: "multilingual"}
# How long a torn read is retried: an upsert batch hides its rows for ~20 ms here, a load
# scans every row and may meet several batches.
FETCH_RETRY_SECONDS = 2.0
LOAD_RETRY_SECONDS = 10.0

T = TypeVar("T")


class TornReadError(SnapshotUnavailableError):
    """A read that found some rows of the version but not all of them."""


def read_again_while_torn(read: Callable[[], T], seconds: float) -> T:
    """`read()`, called again with growing pauses while it raises TornReadError, for at most
    `seconds`; the last error is raised."""
    deadline = time.monotonic() + seconds
    pause = 0.01
    while True:
        try:
            return read()
        except TornReadError:
            if time.monotonic() + pause > deadline:
                raise
            log.debug("a torn read of Milvus: reading again in %.2f s", pause)
            time.sleep(pause)
            pause = min(2 * pause, 0.5)


class MilvusSnapshotLoader:
    """Loads the version of the index recorded in a state record."""

    def __init__(self, client: Any, names: Names, query_timeout: int = 5) -> None:
        self.client = client
        self.names = names
        self.query_timeout = query_timeout

    def load(self, current: dict[str, Any]) -> Snapshot:
        return read_again_while_torn(lambda: self._read(current), LOAD_RETRY_SECONDS)

    def _read(self, current: dict[str, Any]) -> Snapshot:
        started = time.perf_counter()
        gen, version = str(current["gen"]), int(current["version"])
        documents, keys, records = self._documents(gen, version)
        doc_rows = {doc.doc_id: row for row, doc in enumerate(documents)}
        chunks_by_doc: list[list[dict[str, Any]]] = [[] for _ in documents]
        for row in self._scan(
            self.names.chunks(gen),
            visible(version),
            ["pk", "doc_id", "ordinal", "start", "end", "sent_lo", "spans"],
        ):
            if row["doc_id"] not in doc_rows:
                raise TornReadError(f"a chunk of {row['doc_id']} without its document")
            chunks_by_doc[doc_rows[row["doc_id"]]].append(row)
        _check_counts(version, current, records, chunks_by_doc)
        chunk_rows: list[tuple[int, int, int, int, int]] = []
        sentence_rows: list[tuple[int, int, int]] = []
        chunk_ids: list[str] = []
        chunk_pks: list[int] = []
        sentence_pks: list[int] = []
        for doc_row, (doc, rows) in enumerate(zip(documents, chunks_by_doc, strict=True)):
            rows.sort(key=lambda r: int(r["ordinal"]))
            base = len(sentence_rows)
            spans: dict[int, tuple[int, int, int]] = {}  # sentence -> start, end, chunk
            for row in rows:
                lo = int(row["sent_lo"])
                for i, (start, end) in enumerate(row["spans"]):
                    spans.setdefault(lo + i, (int(start), int(end), int(row["ordinal"])))
                chunk_rows.append(
                    (
                        doc_row,
                        int(row["start"]),
                        int(row["end"]),
                        base + lo,
                        base + lo + len(row["spans"]),
                    )
                )
                chunk_ids.append(f"{doc.doc_id}#{int(row['ordinal'])}")
                chunk_pks.append(int(row["pk"]))
            for s in range(int(records[doc_row]["sentences"])):
                start, end, owner = spans.get(s, (0, 0, 0))
                sentence_rows.append((doc_row, start, end))
                sentence_pks.append(sentence_pk(keys[doc_row], s, owner))
        texts = [titled(documents[r[0]], documents[r[0]].text[r[1] : r[2]]) for r in chunk_rows]
        search = _Searcher(self.client, self.names, gen, version, chunk_pks, self.query_timeout)
        multilingual = current.get("multilingual")
        vectors: dict[str, RemoteRows] = {
            CHUNK_VECTORS: RemoteRows(search, self.names.chunks(gen), "vector", chunk_pks),
            SENTENCE_VECTORS: RemoteRows(search, self.names.sentences(gen), "main", sentence_pks),
        }
        if multilingual:
            vectors[MULTILINGUAL_SENTENCE_VECTORS] = RemoteRows(
                search, self.names.sentences(gen), "multilingual", sentence_pks
            )
            if "multilingual" in search.chunk_fields:
                vectors[MULTILINGUAL_CHUNK_VECTORS] = RemoteRows(
                    search, self.names.chunks(gen), "multilingual", chunk_pks
                )
        manifest = Manifest(
            snapshot_id=str(current["snapshot_id"]),
            created_at=str(current.get("created_at") or utc_now()),
            embedding=EmbeddingInfo(**current["embedding"]),
            multilingual=EmbeddingInfo(**multilingual) if multilingual else None,
            chunker=current["chunker"],
            documents={
                doc.doc_id: DocumentEntry(
                    content_hash=records[row]["content_hash"],
                    title=doc.title,
                    source=doc.source,
                    lang=doc.lang,
                    chunks=int(records[row]["chunks"]),
                )
                for row, doc in enumerate(documents)
            },
            counts={
                "documents": len(documents),
                "chunks": len(chunk_rows),
                "sentences": len(sentence_rows),
            },
        )
        snapshot = Snapshot(
            manifest=manifest,
            documents=documents,
            chunk_ids=chunk_ids,
            chunks=stack_rows(chunk_rows, 5),
            sentences=stack_rows(sentence_rows, 3),
            # Array-like: rows are fetched from Milvus by index or slice (what the query
            # path does); whole-matrix products go through `sentence_search` instead.
            vectors=cast(dict[str, Vectors], vectors),
            dense=search,
            keyword=BM25Index.build(texts),
            sentence_search=search,
        )
        log.info(
            "loaded version %d of %s from Milvus in %.1f s: %d documents, %d chunks",
            version,
            self.names.prefix,
            time.perf_counter() - started,
            len(documents),
            len(chunk_rows),
        )
        return snapshot

    def _documents(
        self, gen: str, version: int
    ) -> tuple[list[Document], list[str], list[dict[str, Any]]]:
        """Documents sorted by doc_id, their record keys, and their records."""
        parts: dict[str, dict[int, str]] = {}
        heads: dict[str, dict[str, Any]] = {}
        for row in self._scan(
            self.names.documents(gen),
            visible(version),
            ["doc_key", "doc_id", "part", "record", "text"],
        ):
            parts.setdefault(row["doc_key"], {})[int(row["part"])] = row["text"]
            if int(row["part"]) == 0:
                heads[row["doc_key"]] = {**row["record"], "doc_id": row["doc_id"]}
        ordered = sorted(heads.items(), key=lambda item: item[1]["doc_id"])
        documents = []
        for key, record in ordered:
            if len(parts[key]) != int(record["parts"]):
                raise TornReadError(f"parts of {record['doc_id']} are missing")
            text = "".join(parts[key][i] for i in range(int(record["parts"])))
            documents.append(
                Document(
                    record["doc_id"],
                    record["title"],
                    record["source"],
                    record["lang"],
                    text,
                    dict(record.get("metadata") or {}),
                )
            )
        return documents, [k for k, _ in ordered], [r for _, r in ordered]

    def _scan(
        self, collection: str, expression: str, fields: list[str]
    ) -> Iterator[dict[str, Any]]:
        iterator = self.client.query_iterator(
            collection, batch_size=SCAN_BATCH, filter=expression, output_fields=fields
        )
        try:
            while batch := iterator.next():
                yield from batch
        finally:
            iterator.close()


def _check_counts(
    version: int,
    current: dict[str, Any],
    records: list[dict[str, Any]],
    chunks_by_doc: list[list[dict[str, Any]]],
) -> None:
    """Raise TornReadError unless every document and chunk of the version was read."""
    counts = current.get("counts") or {}
    found = {"documents": len(records), "chunks": sum(len(rows) for rows in chunks_by_doc)}
    torn = [k for k, n in found.items() if k in counts and int(counts[k]) != n]
    torn += [
        str(record["doc_id"])
        for record, rows in zip(records, chunks_by_doc, strict=True)
        if int(record["chunks"]) != len(rows)
    ]
    if torn:
        raise TornReadError(
            f"version {version} read incompletely ({', '.join(torn[:5])}): {found} of {counts}"
        )


class _Searcher:
    """Dense chunk search (a VectorStore) and best-sentence ranking (a SentenceSearch) of
    one version, with filters evaluated by Milvus."""

    def __init__(
        self,
        client: Any,
        names: Names,
        gen: str,
        version: int,
        chunk_pks: list[int],
        timeout: int = 5,
    ) -> None:
        self.client = BoundedClient(client, timeout, SnapshotUnavailableError)
        self.chunks_collection = names.chunks(gen)
        self.sentences_collection = names.sentences(gen)
        self.version = version
        self.chunk_pks = np.asarray(chunk_pks, dtype=np.int64)
        self.row_of = {pk: row for row, pk in enumerate(chunk_pks)}

    @property
    def dim(self) -> int:
        return self.chunk_fields["vector"]

    @cached_property
    def chunk_fields(self) -> dict[str, int]:
        """The vector fields of the chunk collection, with their dimensions."""
        schema = self.client.describe_collection(self.chunks_collection)
        return {
            f["name"]: int(f["params"]["dim"])
            for f in schema["fields"]
            if "dim" in f.get("params", {})
        }

    def __len__(self) -> int:
        return len(self.chunk_pks)

    def add(self, ids: RowIds, vectors: Vectors) -> None:
        raise NotImplementedError("a Milvus snapshot is written by the builder only")

    def save(self, path: Any) -> None:
        raise NotImplementedError("a Milvus snapshot lives in Milvus")

    def expression(self, allowed: RowIds | None, chunk_field: str = "pk") -> str:
        """Visibility and filter: the request's filters that `allowed` carries (a
        Selection), or else the allowed chunk keys."""
        if allowed is None:
            return visible(self.version)
        if isinstance(allowed, Selection) and allowed.filters:
            return both(visible(self.version), filter_expression(allowed.filters))
        keys = [int(p) for p in self.chunk_pks[allowed]]
        return both(visible(self.version), in_list(chunk_field, keys))

    def search(
        self, query: Vectors, k: int, allowed: RowIds | None = None, field: str = "vector"
    ) -> tuple[Scores, RowIds]:
        query = np.asarray(query, dtype=np.float32).reshape(len(query), -1)
        scores, ids = empty_result(len(query), k)
        if not len(self) or (allowed is not None and len(allowed) == 0):
            return scores, ids
        hits = self.client.search(
            self.chunks_collection,
            data=[q.tolist() for q in query],
            anns_field=field,
            limit=k,
            filter=self.expression(allowed),
            search_params={"metric_type": "IP"},
        )
        for i, row_hits in enumerate(hits):
            rows = ((h["distance"], self.row_of.get(h["id"])) for h in row_hits)
            found = [(d, r) for d, r in rows if r is not None]
            for j, (distance, row) in enumerate(found[:k]):
                scores[i, j], ids[i, j] = distance, row
        return scores, ids

    def best_chunks(
        self, name: str, query: Vectors, depth: int, allowed: RowIds | None = None
    ) -> list[int]:
        if not len(self) or (allowed is not None and len(allowed) == 0):
            return []
        if name in CHUNK_FIELDS:
            _, ids = self.search(query.reshape(1, -1), depth, allowed, field=CHUNK_FIELDS[name])
            return [int(i) for i in ids[0] if i >= 0]
        hits = self.client.search(
            self.sentences_collection,
            data=[np.asarray(query, dtype=np.float32).reshape(-1).tolist()],
            anns_field=SENTENCE_FIELDS[name],
            limit=depth,
            filter=self.expression(allowed, chunk_field="chunk"),
            search_params={"metric_type": "IP"},
            group_by_field="chunk",
            output_fields=["chunk"],
        )
        rows = (self.row_of.get(h["entity"]["chunk"]) for h in hits[0])
        return [row for row in rows if row is not None]

    def fetch(self, collection: str, field: str, pks: list[int]) -> dict[int, list[float]]:
        """`field` of the rows with keys `pks`, every one of them (see the module docstring)."""
        wanted = set(pks)
        found: dict[int, list[float]] = {}

        def read_missing() -> dict[int, list[float]]:
            missing = sorted(wanted - found.keys())
            rows = self.client.query(
                collection, filter=in_list("pk", missing), output_fields=["pk", field]
            )
            found.update((int(r["pk"]), r[field]) for r in rows)
            if len(found) < len(wanted):
                raise TornReadError(
                    f"{len(wanted) - len(found)} of {len(wanted)} rows of version "
                    f"{self.version} are missing from {collection}"
                )
            return found

        return read_again_while_torn(read_missing, FETCH_RETRY_SECONDS)


class RemoteRows:
    """Rows of vectors held by Milvus, fetched by row index or slice."""

    def __init__(self, searcher: _Searcher, collection: str, field: str, pks: list[int]) -> None:
        self._searcher = searcher
        self._collection = collection
        self._field = field
        self._pks = np.asarray(pks, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._pks)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self._pks), self._searcher.dim

    def __getitem__(self, index: Any) -> Vectors:
        pks = self._pks[index]
        single = np.ndim(pks) == 0
        wanted = [int(p) for p in np.atleast_1d(pks)]
        if not wanted:
            return np.zeros((0, self._searcher.dim), dtype=np.float32)
        found = self._searcher.fetch(self._collection, self._field, sorted(set(wanted)))
        array = np.asarray([found[p] for p in wanted], dtype=np.float32)
        return array[0] if single else array.reshape(len(wanted), -1)
