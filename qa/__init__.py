"""The qa layer: retrieval, reranking, answers, citations and evaluation (knows nothing of api)."""
