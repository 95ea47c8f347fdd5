"""What a user would pick instead of citeqa, run on the same data (the anchors of
docs/evaluation-and-benchmarks.md)."""
