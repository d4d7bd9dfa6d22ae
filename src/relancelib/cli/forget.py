"""``relance forget``: erase a client's personal data from the journal (GDPR), keeping the
hash chain verifiable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.loading import open_journal, read_config
from relancelib.cli.options import config_option, date_option, debug_option, today

__all__ = ["forget_command"]


@click.command("forget")
@click.argument("client")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@date_option
@config_option
@debug_option
def forget_command(client: str, yes: bool, day: dt.date | None, config_path: Path | None) -> None:
    """Erase CLIENT's personal data from the journal: its id, references, file names, LRAR
    numbers and notes become digests; dates, steps and invoice numbers stay, and 'relance
    verify' still passes.  The files already written are not touched."""
    config = read_config(config_path)
    if not yes:
        click.confirm(f"Erase the personal data of client {client!r} from the journal?", abort=True)
    with open_journal(config) as journal, journal.exclusive():
        if any(c.record.client_id == client for c in journal.claims()):
            fail(f"client {client!r} has open claims: confirm or cancel them first", ExitCode.USAGE)
        erased = journal.forget(client, on=today(day))
    if not erased:
        fail(f"no record of client {client!r} in the journal", ExitCode.USAGE)
    click.echo(f"Forgot client {client}: {erased} journal entries erased; the chain verifies.")
