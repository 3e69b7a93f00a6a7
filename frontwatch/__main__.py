"""`python -m frontwatch` runs the command line."""

from frontwatch.cli import main

main()
