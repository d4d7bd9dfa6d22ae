"""``relance hold``: nothing is sent about an invoice, or to a client, until a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.journaling import Built, event_options, find_target, make, store
from relancelib.cli.options import DATE
from relancelib.config import Config
from relancelib.events import Hold

__all__ = ["hold_command"]


@click.command("hold")
@click.argument("target", metavar="CLIENT|INVOICE")
@click.option("--until", type=DATE, required=True, help="The last day of the hold (inclusive).")
@event_options
def hold_command(
    target: str,
    until: dt.date,
    day: dt.date | None,
    who: str,
    note: str,
    output: str,
    config_path: Path | None,
) -> None:
    """Put INVOICE, or every invoice of CLIENT, on hold (mise en attente) through --until:
    no reminder until the day after ('relance release' ends it sooner)."""

    def build(config: Config, as_of: dt.date) -> Built:
        if until < as_of:
            fail(
                f"--until {until.isoformat()} is before the day of the hold "
                f"({as_of.isoformat()})",
                ExitCode.USAGE,
            )
        found = find_target(config, target)
        event = make(Hold, on=as_of, until=until, note=note, who=who, **found.fields())
        return found.built(event, as_of)

    store(config_path, build, day=day, output=output)
