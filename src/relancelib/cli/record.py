"""``relance record``: record an action done by hand, by its key — or add to a record
afterwards (the LRAR number, the date the receipt was signed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.loading import open_journal, plan_day, read_config
from relancelib.cli.options import DATE, config_option, date_option, debug_option, today
from relancelib.config import load_portfolio

__all__ = ["record_command"]


@click.command("record")
@click.argument("key")
@click.option(
    "--reference",
    "-r",
    default=None,
    help="What proves it was done: an LRAR number, a note on the call.",
)
@click.option("--lrar", default=None, help="The registered letter's number (1A…).")
@click.option("--receipt", type=DATE, default=None, help="The day the acknowledgement was signed.")
@date_option
@config_option
@debug_option
def record_command(
    key: str,
    reference: str | None,
    lrar: str | None,
    receipt: dt.date | None,
    day: dt.date | None,
    config_path: Path | None,
) -> None:
    """Record an action done by hand (a call made, a letter posted), by its KEY; or, for an
    action already recorded, add its LRAR number (--lrar) and receipt date (--receipt).

    KEY is the action's key in the plan of that day (``relance plan`` shows it).  An
    addition is kept beside the record (an event), never written over it.
    """
    config = read_config(config_path)
    as_of = today(day)
    with open_journal(config) as journal:
        done = next((r for r in journal.records() if r.key == key), None)
        if done is not None:
            if (lrar, receipt, reference) == (None, None, None):
                click.echo(
                    f"Already recorded on {done.on.isoformat()}"
                    + (f" (reference {done.reference})." if done.reference else ".")
                )
                return
            journal.amend(key, on=as_of, lrar=lrar, receipt=receipt, reference=reference)
            added = ", ".join(
                f"{name} {value}"
                for name, value in (
                    ("LRAR", lrar),
                    ("receipt", receipt and receipt.isoformat()),
                    ("reference", reference),
                )
                if value
            )
            click.echo(f"Added to the record of {key} ({done.client_id}, {done.step}): {added}.")
            return
        proof = reference or lrar
        if proof is None:
            fail("say what proves it was done: --reference or --lrar", ExitCode.USAGE)
        portfolio = load_portfolio(config)
        day_plan = plan_day(config, portfolio, as_of, journal)
        action = next((a for a in day_plan.actions if a.key == key), None)
        if action is None:
            fail(
                f"no action with key {key!r} is due on {as_of.isoformat()}; "
                f"'relance plan --date {as_of.isoformat()}' lists the keys",
                ExitCode.USAGE,
            )
        stored = journal.record(action, on=as_of, reference=proof)
        if stored and (lrar or receipt) and reference:
            journal.amend(key, on=as_of, lrar=lrar, receipt=receipt)
    if stored:
        click.echo(
            f"Recorded {action.step.key} for {action.client.id} {action.client.name} on "
            f"{as_of.isoformat()} (reference {proof})."
        )
    else:
        click.echo("Already recorded (by another run).")
