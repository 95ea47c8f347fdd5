"""The connection to Milvus and the collections of one index.

Collections of an index named PREFIX (CITEQA_MILVUS_COLLECTION):

    PREFIX_state                  the index in service and the build in progress
    PREFIX_uploads                documents uploaded through the admin API
    PREFIX_<gen>_documents        document records and texts (texts split into parts)
    PREFIX_<gen>_chunks           chunk rows: offsets, sentence spans, filter fields, vector
    PREFIX_<gen>_sentences        one row per sentence of each chunk: both sentence vectors

A generation `<gen>` holds vectors of one set of models and chunker settings; changing
either builds a new generation. Rows carry `born` and `died` versions: version V sees the
rows with born <= V < died, so a build adds and retires rows without disturbing the
replicas that still serve the version before.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from index.settings import IndexSettings

TEXT_PART_CHARS = 16_000  # at most 64,000 bytes of UTF-8: under VARCHAR's 65,535
MAX_VARCHAR = 65_535
ALIVE = 2**62  # `died` of a row that is not retired
DUMMY_DIM = 2  # every Milvus collection needs a vector field


class MilvusUnavailableError(RuntimeError):
    """pymilvus is not installed, or Milvus cannot be reached."""


def connect(settings: IndexSettings) -> Any:
    """A MilvusClient for CITEQA_MILVUS_URI (a file path starts Milvus Lite in process)."""
    # Its query iterators warn on every call to Milvus Lite (no server-side timestamps).
    logging.getLogger("pymilvus").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # milvus_lite 2.5 imports pkg_resources
            import milvus_lite  # noqa: F401
            from pymilvus import MilvusClient
    except ImportError as exc:
        raise MilvusUnavailableError(
            "CITEQA_VECTOR_STORE=milvus needs the optional extra: pip install 'citeqa[milvus]'"
        ) from exc
    uri = milvus_uri(settings)
    if "://" not in uri:
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {"uri": uri}
    if settings.milvus_token is not None:
        options["token"] = settings.milvus_token.get_secret_value()
    if settings.milvus_db:
        options["db_name"] = settings.milvus_db
    try:
        return MilvusClient(**options)
    except Exception as exc:  # pymilvus raises its own and gRPC errors
        raise MilvusUnavailableError(f"cannot connect to Milvus at {uri}: {exc}") from exc


@contextlib.contextmanager
def answering(what: str, error: type[Exception]) -> Iterator[None]:
    """Milvus's failures to answer within the block, raised as `error`."""
    import grpc  # type: ignore[import-untyped]
    from pymilvus import MilvusException

    try:
        yield
    except (MilvusException, grpc.RpcError) as exc:
        raise error(f"Milvus did not answer ({what}): {exc}") from exc


class BoundedClient:
    """A MilvusClient's data calls, each waiting at most `timeout` seconds (pymilvus alone
    retries for minutes); a failure to answer raises `error`."""

    def __init__(self, client: Any, timeout: int, error: type[Exception]) -> None:
        self.client = client
        self.timeout = timeout  # an int: pymilvus bounds its retries only by an int
        self.error = error

    def search(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(self.client.search, *args, **kwargs)

    def query(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(self.client.query, *args, **kwargs)

    def insert(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(self.client.insert, *args, **kwargs)

    def upsert(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(self.client.upsert, *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(self.client.delete, *args, **kwargs)

    def describe_collection(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(self.client.describe_collection, *args, **kwargs)

    def query_iterator(self, *args: Any, **kwargs: Any) -> Any:
        """An iterator whose calls wait at most `timeout` each; read it within `answering`."""
        return self._call(self.client.query_iterator, *args, **kwargs)

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with answering(method.__name__, self.error):
            return method(*args, timeout=self.timeout, **kwargs)


def milvus_uri(settings: IndexSettings) -> str:
    return settings.milvus_uri or str((settings.index_dir / "milvus.db").resolve())


class Names:
    """Collection names of the index `prefix`."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.state = f"{prefix}_state"
        self.uploads = f"{prefix}_uploads"

    def documents(self, gen: str) -> str:
        return f"{self.prefix}_{gen}_documents"

    def chunks(self, gen: str) -> str:
        return f"{self.prefix}_{gen}_chunks"

    def sentences(self, gen: str) -> str:
        return f"{self.prefix}_{gen}_sentences"

    def generations(self, collections: list[str]) -> set[str]:
        """The generations that have collections among `collections`."""
        found = set()
        for name in collections:
            head, _, rest = name.partition("_")
            if head == self.prefix and rest.count("_") == 1:
                gen, kind = rest.split("_")
                if kind in ("documents", "chunks", "sentences"):
                    found.add(gen)
        return found


def ensure_key_value(client: Any, name: str) -> None:
    """A collection of JSON values by string key (state, uploads)."""
    if client.has_collection(name):
        return
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=512)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=4096)
    schema.add_field("value", DataType.VARCHAR, max_length=MAX_VARCHAR)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=DUMMY_DIM)
    _create(client, name, schema, {"v": "FLAT"})


def ensure_generation(client: Any, names: Names, gen: str, dims: dict[str, int]) -> None:
    """The three collections of generation `gen`, for vectors of these dimensions."""
    from pymilvus import DataType

    def base(with_doc_id: bool = True) -> Any:
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("doc_key", DataType.VARCHAR, max_length=64)
        if with_doc_id:
            schema.add_field("doc_id", DataType.VARCHAR, max_length=4096)
        schema.add_field("born", DataType.INT64)
        schema.add_field("died", DataType.INT64)
        return schema

    if not client.has_collection(names.documents(gen)):
        schema = base()
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=128)
        schema.add_field("part", DataType.INT64)
        schema.add_field("record", DataType.JSON)
        schema.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR)
        schema.add_field("v", DataType.FLOAT_VECTOR, dim=DUMMY_DIM)
        _create(client, names.documents(gen), schema, {"v": "FLAT"})
    if not client.has_collection(names.chunks(gen)):
        schema = base()
        schema.add_field("pk", DataType.INT64, is_primary=True)
        for name in ("ordinal", "start", "end", "sent_lo"):
            schema.add_field(name, DataType.INT64)
        schema.add_field("spans", DataType.JSON)
        schema.add_field("fields", DataType.JSON)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dims["chunks"])
        chunk_vectors = {"vector": "FLAT"}
        if "chunks_multilingual" in dims:
            schema.add_field("multilingual", DataType.FLOAT_VECTOR, dim=dims["chunks_multilingual"])
            chunk_vectors["multilingual"] = "FLAT"
        _create(client, names.chunks(gen), schema, chunk_vectors)
    if not client.has_collection(names.sentences(gen)):
        schema = base(with_doc_id=False)
        schema.add_field("pk", DataType.INT64, is_primary=True)
        schema.add_field("chunk", DataType.INT64)
        schema.add_field("ordinal", DataType.INT64)
        schema.add_field("fields", DataType.JSON)
        schema.add_field("main", DataType.FLOAT_VECTOR, dim=dims["sentences"])
        vectors = {"main": "FLAT"}
        if "sentences_multilingual" in dims:
            schema.add_field(
                "multilingual", DataType.FLOAT_VECTOR, dim=dims["sentences_multilingual"]
            )
            vectors["multilingual"] = "FLAT"
        _create(client, names.sentences(gen), schema, vectors)


def _create(client: Any, name: str, schema: Any, vectors: dict[str, str]) -> None:
    """Exact (FLAT) inner-product search keeps results identical to the FAISS backend."""
    index = client.prepare_index_params()
    for field, kind in vectors.items():
        index.add_index(field, index_type=kind, metric_type="IP")
    client.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")
