"""`python -m archive.cli`: the same as the `thanthien` command."""
from archive.cli import main

main()
