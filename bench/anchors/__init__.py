"""What a user would pick instead of citeqa (DESIGN.md, section 4), run on the same data."""
