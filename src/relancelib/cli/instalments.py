"""``relance instalments``: an *échéancier* agreed for an invoice — its balance in equal
instalments that replace its due date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.journaling import Built, event_options, find_invoice, store
from relancelib.cli.options import DATE
from relancelib.config import Config
from relancelib.errors import InvalidFieldError
from relancelib.events import InstalmentPlan
from relancelib.outbox.results import describe_error

__all__ = ["instalments_command"]


@click.command("instalments")
@click.argument("invoice")
@click.option("--count", type=click.IntRange(1, 120), required=True, help="How many instalments.")
@click.option(
    "--every", type=click.IntRange(1, 366), required=True, help="Days between two instalments."
)
@click.option(
    "--first",
    type=DATE,
    default=None,
    help="The first instalment's due date (default: --every days after --date).",
)
@event_options
def instalments_command(
    invoice: str,
    count: int,
    every: int,
    first: dt.date | None,
    day: dt.date | None,
    who: str,
    note: str,
    output: str,
    config_path: Path | None,
) -> None:
    """Record an instalment plan (échéancier) for INVOICE: its balance on --date in --count
    instalments --every days apart from --first (the cents that do not divide go on the
    last one).

    Each instalment is then chased on its own when missed; a plan missed too often ends and
    the whole balance is due again.
    """

    def build(config: Config, as_of: dt.date) -> Built:
        found, bill = find_invoice(config, invoice)
        balance = bill.balance(as_of)
        if balance <= 0:
            fail(f"invoice {invoice} is paid on {as_of.isoformat()}", ExitCode.USAGE)
        start = first if first is not None else as_of + dt.timedelta(days=every)
        try:
            event = InstalmentPlan.split(
                invoice,
                balance,
                count=count,
                every_days=every,
                first=start,
                on=as_of,
                note=note,
                who=who,
            )
        except InvalidFieldError as exc:
            fail(describe_error(exc), ExitCode.USAGE)
        return found.built(event, as_of)

    store(config_path, build, day=day, output=output)
