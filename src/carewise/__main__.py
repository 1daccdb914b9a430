"""``python -m carewise``: the command line, as the ``carewise`` script runs it."""

from carewise.cli import main

main()
