"""citeqa qa.compose."""
