"""The index layer: documents, chunks, embeddings and snapshots (knows nothing of qa)."""
