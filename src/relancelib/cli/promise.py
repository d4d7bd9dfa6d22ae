"""``relance promise``: the client promised to pay an invoice (or all of its invoices) by a
date: the chase pauses until then, plus the policy's grace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.journaling import Built, event_options, find_target, make, store
from relancelib.cli.options import DATE
from relancelib.config import Config
from relancelib.errors import RelanceError
from relancelib.events import PromiseToPay
from relancelib.outbox.results import describe_error
from relancelib.parsing import parse_amount

__all__ = ["promise_command"]


@click.command("promise")
@click.argument("target", metavar="INVOICE|CLIENT")
@click.option("--until", type=DATE, required=True, help="The day the client promised to pay by.")
@click.option("--amount", default=None, help="The amount promised, when part of the balance.")
@event_options
def promise_command(
    target: str,
    until: dt.date,
    amount: str | None,
    day: dt.date | None,
    who: str,
    note: str,
    output: str,
    config_path: Path | None,
) -> None:
    """Record a promise to pay INVOICE (or every invoice of CLIENT) by --until.

    The chase of the invoice pauses until that day plus the policy's grace (two business
    days by default); paid by then, the promise is kept; otherwise the next reminder
    resumes the chase and says "malgré votre engagement du …".
    """
    promised: Decimal | None = None
    if amount is not None:
        try:
            promised = parse_amount(amount, "--amount")
        except RelanceError as exc:
            fail(describe_error(exc), ExitCode.USAGE)

    def build(config: Config, as_of: dt.date) -> Built:
        if until < as_of:
            fail(
                f"--until {until.isoformat()} is before the day of the promise "
                f"({as_of.isoformat()})",
                ExitCode.USAGE,
            )
        found = find_target(config, target)
        event = make(
            PromiseToPay,
            on=as_of,
            until=until,
            amount=promised,
            note=note,
            who=who,
            **found.fields(),
        )
        return found.built(event, as_of)

    store(config_path, build, day=day, output=output)
