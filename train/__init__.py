"""Training of the multilingual reader (`python -m train.reader`), reproducible from data
paths given as arguments; see docs/reader.md."""
