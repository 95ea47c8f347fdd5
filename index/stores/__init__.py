"""What a snapshot searches: vector stores behind one small interface (so another engine can
be slotted in), the BM25 keyword index (`keyword`) and metadata filters (`filters`)."""

from index.stores.base import RowIds, Scores, SentenceSearch, VectorStore
from index.stores.faiss_store import FaissStore

__all__ = ["FaissStore", "RowIds", "Scores", "SentenceSearch", "VectorStore"]
