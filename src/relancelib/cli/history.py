"""``relance history``: the journal, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.loading import read_config, read_journal
from relancelib.cli.options import config_option, debug_option, format_option
from relancelib.cli.output import console, record_json, records_table
from relancelib.io import neutralise_formula
from relancelib.journal import Amendment

__all__ = ["history_command"]


@click.command("history")
@click.argument("client", required=False)
@config_option
@format_option
@debug_option
def history_command(client: str | None, config_path: Path | None, output: str) -> None:
    """Show the journal: every action recorded (of one CLIENT id when given), oldest first."""
    config = read_config(config_path)
    if not config.journal.exists():
        fail(f"{config.journal}: no journal yet (it is created by 'relance run')", ExitCode.DATA)
    with read_journal(config) as journal:
        records = journal.records(client)
        keys = {r.key for r in records}
        amendments = [a for a in journal.amendments() if a.key in keys]
    if output == "json":
        rows = []
        for record in records:
            row = record_json(record)
            added = [_amendment_json(a) for a in amendments if a.key == record.key]
            if added:  # the key appears only on amended records
                row["amendments"] = added
            rows.append(row)
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["date", "client_id", "step", "channel", "invoices", "reference", "key"])
        for record in records:
            writer.writerow(
                [
                    record.on.isoformat(),
                    neutralise_formula(record.client_id),
                    record.step or "",
                    record.channel.value,
                    neutralise_formula(" ".join(f"{n}:{s}" for n, s in record.steps)),
                    neutralise_formula(record.reference or ""),
                    record.key,
                ]
            )
    elif records:
        title = f"Journal {config.journal}" + (f" — client {client}" if client else "")
        console().print(records_table(records, title))
        if amendments:
            click.echo("Added afterwards:")
            for amendment in amendments:
                click.echo(f"  {amendment.on.isoformat()} {amendment.key}: {_added(amendment)}")
    else:
        click.echo("No action recorded" + (f" for client {client!r}." if client else "."))


def _amendment_json(amendment: Amendment) -> dict[str, str | None]:
    return {
        "date": amendment.on.isoformat(),
        "lrar": amendment.lrar,
        "receipt": None if amendment.receipt is None else amendment.receipt.isoformat(),
        "reference": amendment.reference,
        "note": amendment.note,
    }


def _added(amendment: Amendment) -> str:
    """What an amendment added, e.g. ``LRAR 1A123, receipt 2026-03-20``."""
    parts = (
        ("LRAR", amendment.lrar),
        ("receipt", None if amendment.receipt is None else amendment.receipt.isoformat()),
        ("reference", amendment.reference),
        ("note", amendment.note),
    )
    return ", ".join(f"{name} {value}" for name, value in parts if value)
