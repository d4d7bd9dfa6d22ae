"""``relance history``: the journal, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.loading import open_journal, read_config
from relancelib.cli.options import config_option, debug_option, format_option
from relancelib.cli.output import console, record_json, records_table
from relancelib.io import neutralise_formula

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
    with open_journal(config) as journal:
        records = journal.records(client)
    if output == "json":
        click.echo(json.dumps([record_json(r) for r in records], ensure_ascii=False, indent=2))
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
    else:
        click.echo("No action recorded" + (f" for client {client!r}." if client else "."))
