"""``python -m relancelib.cli``: the ``relance`` command."""

from relancelib.cli.main import main

main()
