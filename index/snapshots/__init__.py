"""Snapshots: the immutable index a server answers from, its manifest and checksums, the
backends that write and load it (FAISS folders here, Milvus in index.milvus), and the
watcher that follows the version in service."""
