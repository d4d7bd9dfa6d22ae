"""``relance events``: the journal's events (promises, instalment plans, disputes, holds, call
outcomes, cancellations), of one client or invoice, oldest first."""

from __future__ import annotations

import json
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.journaling import NAMES, describe
from relancelib.cli.loading import read_config, read_journal
from relancelib.cli.options import config_option, debug_option
from relancelib.events import Event

__all__ = ["events_command"]


@click.command("events")
@click.argument("target", metavar="[CLIENT|INVOICE]", required=False)
@click.option(
    "--format",
    "-f",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)
@config_option
@debug_option
def events_command(target: str | None, output: str, config_path: Path | None) -> None:
    """List the events recorded in the journal (about CLIENT, or naming INVOICE), oldest
    first: promises, instalment plans, disputes and their resolution, holds and releases,
    call outcomes, cancellations."""
    config = read_config(config_path)
    if not config.journal.exists():
        fail(f"{config.journal}: no journal yet (it is created by 'relance run')", ExitCode.DATA)
    with read_journal(config) as journal:
        if target is None:
            found = journal.events()
        else:
            found = journal.events(invoice_number=target) or journal.events(client_id=target)
    if output == "json":
        rows = [{"key": event.key, **event.to_dict()} for event in found]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("No event recorded" + (f" for {target}." if target else "."))
    for event in found:
        click.echo(_line(event))


def _line(event: Event) -> str:
    """``2026-03-23 Promesse de paiement : facture FA-1 — règlement promis au … [claire]``."""
    name = NAMES[event.kind][0]
    number = getattr(event, "invoice_number", None)
    client = getattr(event, "client_id", None)
    key = getattr(event, "action_key", None)
    if number is not None:
        label = f"facture {number}"
    elif client is not None:
        label = f"client {client}"
    else:
        label = f"action {key}"
    text = describe(event, label).replace("\n", "\n    ")
    who = f" [{event.who}]" if event.who else ""
    note = f" — {event.note}" if event.note else ""
    return f"{event.on.isoformat()} {name[0].upper()}{name[1:]} : {text}{who}{note}"
