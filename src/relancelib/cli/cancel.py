"""``relance cancel``: undo a recorded action (recorded by mistake, never sent): its steps
are due again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.journaling import (
    Built,
    event_options,
    find_record,
    journal_events,
    make,
    record_label,
    store,
)
from relancelib.config import Config
from relancelib.events import Cancellation

__all__ = ["cancel_command"]


@click.command("cancel")
@click.argument("key")
@click.option("--why", required=True, help="Why the record is wrong (one line).")
@event_options
def cancel_command(
    key: str,
    why: str,
    day: dt.date | None,
    who: str,
    note: str,
    output: str,
    config_path: Path | None,
) -> None:
    """Cancel the recorded action KEY: the record stays in the journal (the evidence
    trail) but counts as not done from --date, and the next plan proposes its steps again
    under a new key.  An action is cancelled once."""

    def build(config: Config, as_of: dt.date) -> Built:
        record = find_record(config, key)
        event = make(Cancellation, on=as_of, action_key=key, why=why, note=note, who=who)
        for done in journal_events(config, client_id=record.client_id):
            if isinstance(done, Cancellation) and done.action_key == key and done != event:
                fail(
                    f"action {key} was already cancelled on {done.on.isoformat()} "
                    f"({done.why})",
                    ExitCode.USAGE,
                )
        return Built(event, record_label(record), record.client_id)

    store(config_path, build, day=day, output=output)
