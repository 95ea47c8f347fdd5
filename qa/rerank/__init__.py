"""citeqa qa.rerank."""
