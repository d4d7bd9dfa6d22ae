"""``relance evidence``: the evidence dossier of one client, as a ZIP file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.loading import read_config, read_journal
from relancelib.cli.options import config_option, date_option, debug_option, today
from relancelib.config import load_portfolio
from relancelib.outbox.evidence import write_evidence

__all__ = ["evidence_command"]


@click.command("evidence")
@click.argument("client")
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The ZIP file to write (default: dossier-<CLIENT>-<date>.zip).",
)
@date_option
@config_option
@debug_option
def evidence_command(
    client: str, out: Path | None, day: dt.date | None, config_path: Path | None
) -> None:
    """Write the evidence dossier of CLIENT: the messages as sent, the journal's records
    with their hashes and LRAR numbers, and a summary PDF of the claim with penalties to
    date — ready for an injonction de payer."""
    config = read_config(config_path)
    if not config.journal.exists():
        fail(f"{config.journal}: no journal yet (it is created by 'relance run')", ExitCode.DATA)
    portfolio = load_portfolio(config)
    as_of = today(day)
    found = next((c for c in portfolio.clients if c.id == client), None)
    if found is None:
        fail(f"no client {client!r} in the portfolio", ExitCode.USAGE)
    target = out or Path(f"dossier-{client}-{as_of.isoformat()}.zip")
    with read_journal(config) as journal:
        path = write_evidence(
            journal, found, portfolio.invoices, config.creditor, target, as_of=as_of
        )
    click.echo(f"Wrote the dossier of {client} to {path}.")
