"""`python -m api.cli` runs the `citeqa` command."""

from api.cli import main

main()
