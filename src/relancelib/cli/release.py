"""``relance release``: end the hold on an invoice or a client before its date — or resume a
client whose file was handed over after a formal notice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.journaling import (
    Built,
    event_options,
    find_target,
    journal_events,
    journal_records,
    make,
    store,
)
from relancelib.config import Config
from relancelib.events import Hold, HoldReleased
from relancelib.policy import HANDOVER_STEP

__all__ = ["release_command"]


@click.command("release")
@click.argument("target", metavar="CLIENT|INVOICE")
@event_options
def release_command(
    target: str,
    day: dt.date | None,
    who: str,
    note: str,
    output: str,
    config_path: Path | None,
) -> None:
    """End the holds placed on INVOICE, or on CLIENT, with 'relance hold': the reminders
    resume (a hold from the export's suspension column stays).  For a CLIENT whose file was
    handed over after a formal notice (step remise_contentieux), resume its reminders."""

    def build(config: Config, as_of: dt.date) -> Built:
        found = find_target(config, target)
        fields = found.fields()
        event = make(HoldReleased, on=as_of, note=note, who=who, **fields)
        name, value = next(iter(fields.items()))
        before = [
            e
            for e in journal_events(config, **fields)
            if isinstance(e, (Hold, HoldReleased))
            and getattr(e, name) == value
            and e.on <= as_of
            and e != event
        ]
        held = bool(before) and isinstance(before[-1], Hold)
        since = before[-1].on if before else dt.date.min
        handed = found.invoice is None and any(
            r.step == HANDOVER_STEP.key and since <= r.on <= as_of
            for r in journal_records(config, found.client_id)
        )
        if not held and not handed:
            fail(f"no hold on {target} on {as_of.isoformat()} to release", ExitCode.USAGE)
        return found.built(event, as_of)

    store(config_path, build, day=day, output=output)
