"""``relance record``: record an action done by hand, by its key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.loading import open_journal, plan_day, read_config
from relancelib.cli.options import config_option, date_option, debug_option, today
from relancelib.config import load_portfolio

__all__ = ["record_command"]


@click.command("record")
@click.argument("key")
@click.option(
    "--reference",
    "-r",
    required=True,
    help="What proves it was done: an LRAR number, a note on the call.",
)
@date_option
@config_option
@debug_option
def record_command(key: str, reference: str, day: dt.date | None, config_path: Path | None) -> None:
    """Record an action done by hand (a call made, a letter posted), by its KEY.

    KEY is the action's key in the plan of that day (``relance plan`` shows it).
    """
    config = read_config(config_path)
    portfolio = load_portfolio(config)
    as_of = today(day)
    with open_journal(config) as journal:
        day_plan = plan_day(config, portfolio, as_of, journal)
        action = next((a for a in day_plan.actions if a.key == key), None)
        if action is None:
            done = next((r for r in journal.records() if r.key == key), None)
            if done is not None:
                click.echo(
                    f"Already recorded on {done.on.isoformat()}"
                    + (f" (reference {done.reference})." if done.reference else ".")
                )
                return
            fail(
                f"no action with key {key!r} is due on {as_of.isoformat()}; "
                f"'relance plan --date {as_of.isoformat()}' lists the keys",
                ExitCode.USAGE,
            )
        stored = journal.record(action, on=as_of, reference=reference)
    if stored:
        click.echo(
            f"Recorded {action.step.key} for {action.client.id} {action.client.name} on "
            f"{as_of.isoformat()} (reference {reference})."
        )
    else:
        click.echo("Already recorded (by another run).")
