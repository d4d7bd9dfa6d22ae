"""``relance resolve``: the dispute on an invoice is settled — the chase resumes where it
stopped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.journaling import (
    Built,
    event_options,
    find_invoice,
    journal_events,
    make,
    store,
)
from relancelib.config import Config
from relancelib.events import Dispute, DisputeResolved

__all__ = ["resolve_command"]


@click.command("resolve")
@click.argument("invoice")
@event_options
def resolve_command(
    invoice: str,
    day: dt.date | None,
    who: str,
    note: str,
    output: str,
    config_path: Path | None,
) -> None:
    """Record that the dispute on INVOICE is settled: its reminders resume where they
    stopped (a credit note or a payment shows in the next export)."""

    def build(config: Config, as_of: dt.date) -> Built:
        found, _invoice = find_invoice(config, invoice)
        event = make(DisputeResolved, on=as_of, invoice_number=invoice, note=note, who=who)
        before = [
            e
            for e in journal_events(config, invoice_number=invoice)
            if isinstance(e, (Dispute, DisputeResolved)) and e.on <= as_of and e != event
        ]
        if not before or not isinstance(before[-1], Dispute):
            fail(
                f"no dispute open on invoice {invoice} on {as_of.isoformat()} "
                "('relance dispute' records one)",
                ExitCode.USAGE,
            )
        return found.built(event, as_of)

    store(config_path, build, day=day, output=output)
