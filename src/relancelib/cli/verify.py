"""``relance verify``: check the journal's hash chain and its tables against it."""

from __future__ import annotations

from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.loading import read_config, read_journal
from relancelib.cli.options import config_option, debug_option

__all__ = ["verify_command"]


@click.command("verify")
@config_option
@debug_option
def verify_command(config_path: Path | None) -> None:
    """Check that the journal was not altered: every entry's hash, the links between
    entries, and the records against the chain.  Exit 1 when something is wrong.

    Note the head hash it prints somewhere else (a mail to yourself): a journal cut short
    then shows too.
    """
    config = read_config(config_path)
    if not config.journal.exists():
        fail(f"{config.journal}: no journal yet (it is created by 'relance run')", ExitCode.DATA)
    with read_journal(config) as journal:
        result = journal.verify()
    if result.ok:
        click.echo(f"Journal {config.journal}: {result.entries} entries, intact.")
        click.echo(f"Head hash: {result.head}")
        return
    click.echo(f"Journal {config.journal}: {len(result.problems)} problem(s):")
    for problem in result.problems:
        click.echo(f"  {problem}")
    raise click.exceptions.Exit(ExitCode.PROBLEMS)
