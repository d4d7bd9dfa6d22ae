"""``relance claim``: the claims a run could not settle by itself (an SMTP send interrupted),
listed, confirmed or cancelled by a person."""

from __future__ import annotations

from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.loading import open_journal, read_config, read_journal
from relancelib.cli.options import config_option, debug_option

__all__ = ["claim_group"]


@click.group("claim")
def claim_group() -> None:
    """The open claims: messages a run started to send and could not confirm."""


@claim_group.command("list")
@config_option
@debug_option
def list_command(config_path: Path | None) -> None:
    """List the open claims (key, date, client, step, reference, target)."""
    config = read_config(config_path)
    if not config.journal.exists():
        click.echo("No open claim.")
        return
    with read_journal(config) as journal:
        claims = journal.claims()
    if not claims:
        click.echo("No open claim.")
    for claim in claims:
        record = claim.record
        click.echo(
            f"{claim.key} {record.on.isoformat()} {record.client_id} {record.step} "
            f"{record.reference} {claim.target}"
        )


@claim_group.command("confirm")
@click.argument("key")
@config_option
@debug_option
def confirm_command(key: str, config_path: Path | None) -> None:
    """The message of claim KEY was received (checked in the mail server's log or the
    sent folder): record it."""
    config = read_config(config_path)
    with open_journal(config) as journal, journal.exclusive():
        if not any(c.key == key for c in journal.claims()):
            fail(f"no open claim with key {key!r} ('relance claim list')", ExitCode.USAGE)
        stored = journal.confirm(key)
    click.echo(f"Confirmed {key}: recorded." if stored else f"Confirmed {key}: already recorded.")


@claim_group.command("cancel")
@click.argument("key")
@config_option
@debug_option
def cancel_command(key: str, config_path: Path | None) -> None:
    """The message of claim KEY was not received: close the claim; the action stays due and
    the next run sends it again (with the same Message-ID)."""
    config = read_config(config_path)
    with open_journal(config) as journal, journal.exclusive():
        if not any(c.key == key for c in journal.claims()):
            fail(f"no open claim with key {key!r} ('relance claim list')", ExitCode.USAGE)
        journal.release(key, "cancelled by a person: not received")
    click.echo(f"Cancelled {key}: the next run sends it again.")
