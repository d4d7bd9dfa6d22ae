"""``relance dispute``: the client disputes an invoice — the chase stops until
``relance resolve``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.journaling import Built, event_options, find_invoice, make, store
from relancelib.config import Config
from relancelib.events import Dispute

__all__ = ["dispute_command"]


@click.command("dispute")
@click.argument("invoice")
@click.option("--reason", required=True, help="What the client disputes (one line).")
@event_options
def dispute_command(
    invoice: str,
    reason: str,
    day: dt.date | None,
    who: str,
    note: str,
    output: str,
    config_path: Path | None,
) -> None:
    """Record a dispute (litige) on INVOICE: no reminder about it until 'relance resolve'."""

    def build(config: Config, as_of: dt.date) -> Built:
        found, _invoice = find_invoice(config, invoice)
        event = make(Dispute, on=as_of, invoice_number=invoice, reason=reason, note=note, who=who)
        return found.built(event, as_of)

    store(config_path, build, day=day, output=output)
