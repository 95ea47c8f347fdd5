"""The index a SQuAD evaluation asks: its contexts, built once and reused.

With an index folder, the index is built or brought up to date there (incrementally: an
unchanged paragraph is not embedded again). Without one, it lives in a cache folder named
by a hash of the documents and the index settings, so a repeated evaluation of the same
file loads it instead of rebuilding. A folder whose snapshot already holds exactly these
documents, embedded the same way, is loaded without building.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.building.builder import BuildReport, IndexBuilder
from index.embedders import Embedder, document_precision, make_embedder
from index.runtime.model_cache import user_cache_dir
from index.settings import IndexSettings
from index.snapshots.backends import open_backend
from index.snapshots.manifest import Manifest
from index.snapshots.repository import SnapshotRepository
from index.snapshots.snapshot import Snapshot, SnapshotError
from index.text.chunking import SentenceChunker
from index.types import Document


class EvalSettings(BaseSettings):
    """Evaluation with `citeqa eval` (`CITEQA_EVAL_*`)."""

    model_config = SettingsConfigDict(env_prefix="CITEQA_EVAL_", extra="ignore")

    cache: Path | None = Field(
        default=None,
        description="Where `citeqa eval` keeps the indexes of SQuAD files it was given.",
        json_schema_extra={
            "shown_default": "`$XDG_CACHE_HOME/citeqa/eval`, else `~/.cache/citeqa/eval`"
        },
    )

    @field_validator("cache", mode="before")
    @classmethod
    def _empty_means_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


def cache_root() -> Path:
    """`CITEQA_EVAL_CACHE`, else `$XDG_CACHE_HOME/citeqa/eval` (default `~/.cache`)."""
    explicit = EvalSettings().cache
    if explicit is not None:
        return explicit.expanduser()
    return user_cache_dir() / "eval"


def index_config(settings: IndexSettings, multilingual: bool) -> dict[str, object]:
    """What an index's vectors depend on, besides the documents."""
    return {
        "embedding_model": settings.embedding_model,
        "multilingual_model": settings.multilingual_model if multilingual else None,
        "chunker": settings.chunker.as_manifest(),
        "document_precision": [
            document_precision(settings.embedding_model, settings.document_precision),
            document_precision(settings.multilingual_model, settings.document_precision)
            if multilingual and settings.multilingual_model
            else None,
        ],
    }


def cache_key(documents: Sequence[Document], settings: IndexSettings, multilingual: bool) -> str:
    digest = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.doc_id):
        digest.update(f"{doc.doc_id}\0{doc.content_hash}\n".encode())
    digest.update(json.dumps(index_config(settings, multilingual), sort_keys=True).encode())
    return digest.hexdigest()[:20]


def is_up_to_date(
    manifest: Manifest,
    documents: Sequence[Document],
    settings: IndexSettings,
    multilingual: bool,
) -> bool:
    """True when the snapshot holds exactly `documents`, embedded as `settings` ask."""
    wanted_multilingual = settings.multilingual_model if multilingual else None
    have_multilingual = manifest.multilingual.model_id if manifest.multilingual else None
    return (
        manifest.embedding.model_id == settings.embedding_model
        and have_multilingual == wanted_multilingual
        and manifest.chunker == settings.chunker.as_manifest()
        and {k: e.content_hash for k, e in manifest.documents.items()}
        == {d.doc_id: d.content_hash for d in documents}
    )


class CorpusIndex:
    """Builds or loads the index of a fixed set of documents in one folder."""

    def __init__(
        self,
        root: Path,
        settings: IndexSettings,
        *,
        multilingual: bool = False,
        embedder: Embedder | None = None,
        multilingual_embedder: Embedder | None = None,
        progress: bool = True,
    ) -> None:
        self.root = root
        self.settings = settings
        self.multilingual = multilingual and settings.multilingual_model is not None
        self.repository = SnapshotRepository(root)
        # CITEQA_VECTOR_STORE=milvus: a Milvus Lite database in the folder, unless a URI is set.
        self.backend = open_backend(
            settings.model_copy(
                update={
                    "index_dir": root,
                    "milvus_uri": settings.milvus_uri or str(root / "milvus.db"),
                }
            )
        )
        self._embedder = embedder
        self._multilingual_embedder = multilingual_embedder
        self.progress = progress

    def current(self, documents: Sequence[Document]) -> Snapshot | None:
        """The snapshot in service if it is up to date for `documents`, else None."""
        if self.backend.current_id() is None:
            return None
        try:
            snapshot = self.backend.load_current()
        except SnapshotError:
            return None
        ok = is_up_to_date(snapshot.manifest, documents, self.settings, self.multilingual)
        return snapshot if ok else None

    def ensure(
        self, documents: Sequence[Document], seed: Path | None = None
    ) -> tuple[Snapshot, BuildReport | None]:
        """The up-to-date snapshot, building (incrementally) only when needed.

        `seed`, a snapshot folder of a superset or an overlapping set of the documents, is
        copied into an empty folder first, so shared documents are not embedded again.
        """
        snapshot = self.current(documents)
        if snapshot is not None:
            return snapshot, None
        faiss = self.settings.vector_store == "faiss"
        if seed is not None and faiss and self.repository.current_id() is None:
            self.repository.publish(Snapshot.load(seed, verify=False), keep=1)
        return self._builder().build(documents)

    def embedders(self) -> tuple[Embedder, Embedder | None]:
        """The embedders (loaded on first use), to share with the pipeline's models."""
        if self._embedder is None:
            self._embedder = make_embedder(
                self.settings.embedding_model, precision=self.settings.document_precision
            )
        if self.multilingual and self._multilingual_embedder is None:
            assert self.settings.multilingual_model is not None
            self._multilingual_embedder = make_embedder(
                self.settings.multilingual_model, precision=self.settings.document_precision
            )
        return self._embedder, self._multilingual_embedder if self.multilingual else None

    def _builder(self) -> IndexBuilder:
        embedder, multilingual = self.embedders()
        return IndexBuilder(
            self.backend,
            embedder,
            SentenceChunker(self.settings.chunker),
            multilingual=multilingual,
            keep_snapshots=self.settings.keep_snapshots,
            progress=self.progress,
        )


def default_index_dir(
    documents: Sequence[Document], settings: IndexSettings, multilingual: bool
) -> Path:
    """The cache folder for these documents and settings."""
    return cache_root() / cache_key(documents, settings, multilingual)
