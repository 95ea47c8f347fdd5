"""citeqa qa.retrieval."""
