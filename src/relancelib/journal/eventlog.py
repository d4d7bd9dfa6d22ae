"""How a journal stores an event (:mod:`relancelib.events`), whichever the store: its checks,
its chain fields, its table row, and the event a chain entry describes (after ``forget`` too).

An event is stored once, by :attr:`~relancelib.events.Event.key`, with the client it is
about (``client``: the event's own ``client_id``, else the client of the action it names,
else the one the caller gives, else the client of the latest record of its invoice — or
none).  Each event is one ``event`` entry of the hash chain whose fields are the event's
:meth:`~relancelib.events.Event.to_dict` plus ``for_client``; ``forget`` erases its personal
text (client, note, who, reason, why) and the stored row is then rebuilt from the entry:
erased text becomes ``""`` (note, who) or ``"-"`` (reason, why) and the client a pseudonym.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from relancelib.checks import check_instance, check_single_line
from relancelib.errors import InvalidFieldError, JournalError, RelanceError
from relancelib.events import CallOutcome, Cancellation, Event, event_from_dict
from relancelib.journal.chain import ChainEntry, canonical, pseudonym

__all__ = [
    "CLIENT_FIELD",
    "EventRow",
    "check_event",
    "check_invoice_filter",
    "check_target",
    "compare_events",
    "event_fields",
    "event_of_entry",
    "event_row",
]

#: The chain field naming the client an event is about (erased by ``forget``).
CLIENT_FIELD = "for_client"

#: What erased text becomes in a rebuilt event: text that must not be empty gets a dash.
_ERASED_TEXT = {"note": "", "who": "", "reason": "-", "why": "-"}


@attrs.frozen
class EventRow:
    """An event as a table stores it: ``body`` is the canonical JSON of ``to_dict()``."""

    key: str
    kind: str
    on: str
    client_id: str | None
    invoice_number: str | None
    action_key: str | None
    body: str

    def astuple(self) -> tuple[str, str, str, str | None, str | None, str | None, str]:
        """The row's values, in the table's column order."""
        return (
            self.key,
            self.kind,
            self.on,
            self.client_id,
            self.invoice_number,
            self.action_key,
            self.body,
        )


def check_event(event: object, client_id: object = None) -> tuple[Event, str | None]:
    """The checked arguments of ``add_event``: an event, and the client it is about (a
    client id or None)."""
    checked = check_instance(event, Event, "event", what="an event from relancelib.events")
    client = None if client_id is None else check_single_line(client_id, "client_id")
    own = getattr(checked, "client_id", None)
    if own is not None and client is not None and client != own:
        raise JournalError(
            f"names client {own!r}, not {client!r}", field="event.client_id", value=own
        )
    return checked, own if own is not None else client


def check_target(event: Event, recorded: dt.date | None, cancelled: dt.date | None) -> None:
    """Check the record a call outcome or a cancellation names (``recorded``: the date of
    the record of its key, None when there is none): it must exist, be dated on or before
    the event, and (for a cancellation) not be cancelled already (``cancelled``: the day it
    was).  Other events pass."""
    if not isinstance(event, (CallOutcome, Cancellation)):
        return
    if recorded is None:
        raise JournalError(
            f"no record with key {event.action_key}", field="action_key", value=event.action_key
        )
    if event.on < recorded:
        raise JournalError(
            f"is before the record of {event.action_key} ({recorded.isoformat()})",
            field=f"{type(event).__name__}.on",
            value=event.on,
        )
    if isinstance(event, Cancellation) and cancelled is not None:
        raise JournalError(
            f"action {event.action_key} was already cancelled on {cancelled.isoformat()}",
            field="action_key",
            value=event.action_key,
        )


def event_fields(event: Event, client: str | None) -> dict[str, Any]:
    """The fields a chain entry keeps of an event."""
    return {**event.to_dict(), CLIENT_FIELD: client}


def event_row(key: str, event: Event, client: str | None) -> EventRow:
    """The table row of ``event`` stored under ``key``, about ``client``."""
    numbers = event.invoice_numbers
    return EventRow(
        key,
        event.kind,
        event.on.isoformat(),
        client,
        numbers[0] if numbers else None,
        getattr(event, "action_key", None),
        canonical(event.to_dict()),
    )


def event_of_entry(entry: ChainEntry) -> tuple[Event, str | None]:
    """The event an ``event`` chain entry describes, and its client: erased text as a
    placeholder, an erased client as its pseudonym.  Raises on a malformed entry."""
    values = entry.values
    erased = entry.erased
    client = values.pop(CLIENT_FIELD, None)
    if CLIENT_FIELD in erased:
        client = pseudonym(entry.digest(CLIENT_FIELD))
    for name in erased:
        if name in _ERASED_TEXT:
            values[name] = _ERASED_TEXT[name]
        elif name == "client_id":
            values[name] = client
    return event_from_dict(values), client


def check_invoice_filter(value: object) -> str | None:
    """An invoice number (a string) or ``None``: the filter of ``events(invoice_number=)``."""
    if value is not None and not isinstance(value, str):
        raise InvalidFieldError(
            "must be an invoice number (a string) or None", field="invoice_number", value=value
        )
    return value


def compare_events(entries: Iterable[ChainEntry], rows: Mapping[str, EventRow]) -> list[str]:
    """The problems between the chain's ``event`` entries and the stored event ``rows`` (by
    key): a row edited, added or deleted by hand shows."""
    problems: list[str] = []
    expected: dict[str, EventRow] = {}
    for entry in entries:
        if entry.kind != "event":
            continue
        try:
            event, client = event_of_entry(entry)
        except (KeyError, TypeError, ValueError, AttributeError, RelanceError):
            problems.append(f"entry {entry.seq}: malformed event")
            continue
        expected[entry.key] = event_row(entry.key, event, client)
    for key, row in rows.items():
        if key not in expected:
            problems.append(f"event {key}: not in the chain (added by hand?)")
        elif expected[key] != row:
            problems.append(f"event {key}: differs from the chain (edited by hand?)")
    for key in sorted(expected.keys() - rows.keys()):
        problems.append(f"event {key}: in the chain but missing from the table")
    return problems
