"""Benchmarks of citeqa: each module of this folder is a script users run (`python -m
bench.NAME --help`). `tuning/` holds the scripts that made the product's constants, `lib/`
what the scripts share, `anchors/` what a user would pick instead of citeqa and `data/` the
question sets. docs/evaluation-and-benchmarks.md says what each measures and its latest
figures."""
