"""The PostgreSQL journal's events (:mod:`relancelib.events`), the twin of ``sqlite_events``:
stored in the ``events`` table, each in one transaction under the journal's write lock that
also appends its ``event`` chain entry (``journal.eventlog`` builds the row and the entry, as
for every store).

A :class:`~relancelib.events.Cancellation` also marks its record's (invoice, step) pairs
``cancelled`` in ``record_steps``, in the same transaction: the unique index on the pairs
holds among the pairs not cancelled only, so the engine's next action for them (a new key)
can be recorded, while the cancelled key itself stays taken in ``records``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from relancelib.errors import JournalError, RelanceError
from relancelib.events import CallOutcome, Cancellation, Event, EventIndex, event_from_dict
from relancelib.journal.chain import ChainEntry
from relancelib.journal.eventlog import (
    EventRow,
    check_event,
    check_invoice_filter,
    check_target,
    compare_events,
    event_fields,
    event_of_entry,
    event_row,
)
from relancelib.journal.record import check_client_id

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresEvents"]

_COLUMNS = "key, kind, on_date, client_id, invoice_number, action_key, body"


class PostgresEvents:
    """``add_event``, ``events`` and their part of ``verify``, ``forget`` and ``history``."""

    _db: psycopg.Connection[Any]
    _lock: threading.RLock
    _unreadable: dict[int, str]
    schema: str

    def _change(self, what: str) -> contextlib.AbstractContextManager[None]:
        raise NotImplementedError  # pragma: no cover - PostgresLedger's

    def _read(self, query: Any, params: tuple[object, ...] = ()) -> list[Any]:
        raise NotImplementedError  # pragma: no cover - PostgresLedger's

    def _append(self, kind: str, key: str, fields: dict[str, Any]) -> None:
        raise NotImplementedError  # pragma: no cover - PostgresLedger's

    def add_event(self, event: Event, *, client_id: str | None = None) -> bool:
        """Store ``event`` (about ``client_id`` when it names only an invoice) in one
        transaction with its chain entry; False when an event with its key is already
        stored.

        A call outcome or a cancellation must name a recorded action (dated on or before
        it); a cancellation frees the action's (invoice, step) pairs to be recorded again
        (under a new key) and an action is cancelled once.
        """
        event, client = check_event(event, client_id)
        with self._change(f"record event {event.key}"):
            return self._add_event(event, client)

    def _add_event(self, event: Event, client: str | None) -> bool:
        db = self._db
        if db.execute("SELECT 1 FROM events WHERE key = %s", (event.key,)).fetchone():
            return False
        record_seq = None
        if isinstance(event, (CallOutcome, Cancellation)):
            row = db.execute(
                "SELECT seq, client_id, on_date FROM records WHERE key = %s", (event.action_key,)
            ).fetchone()
            cancelled = db.execute(
                "SELECT on_date FROM events WHERE kind = %s AND action_key = %s",
                (Cancellation.kind, event.action_key),
            ).fetchone()
            check_target(
                event, None if row is None else row[2], None if cancelled is None else cancelled[0]
            )
            assert row is not None  # check_target refuses an event without its record
            record_seq, client = row[0], row[1]
        elif client is None and event.invoice_numbers:
            found = db.execute(
                "SELECT r.client_id FROM record_steps s JOIN records r ON r.seq = s.record_seq"
                " WHERE s.invoice_number = %s ORDER BY r.on_date DESC, r.seq DESC LIMIT 1",
                (event.invoice_numbers[0],),
            ).fetchone()
            client = None if found is None else found[0]
        row_values = event_row(event.key, event, client)
        db.execute(
            f"INSERT INTO events ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (*_stored(row_values),),
        )
        if isinstance(event, Cancellation):
            db.execute(
                "UPDATE record_steps SET cancelled = true WHERE record_seq = %s", (record_seq,)
            )
        self._append("event", event.key, event_fields(event, client))
        return True

    def events(
        self, *, client_id: str | None = None, invoice_number: str | None = None
    ) -> tuple[Event, ...]:
        """The stored events (about one client, naming one invoice), oldest first (by date,
        then in the order added).  A forgotten client's events come back with their
        personal text erased."""
        client_id = check_client_id(client_id)
        invoice_number = check_invoice_filter(invoice_number)
        conditions: list[str] = []
        params: list[object] = []
        if client_id is not None:
            conditions.append("client_id = %s")
            params.append(client_id)
        if invoice_number is not None:
            conditions.append("invoice_number = %s")
            params.append(invoice_number)
        return tuple(self._events_where(conditions, params))

    def _events_where(self, conditions: list[str], params: list[object]) -> list[Event]:
        """The events of the rows that meet ``conditions``, oldest first; an unreadable row
        (edited by hand) is skipped and named in ``unreadable``."""
        query = "SELECT seq, key, body FROM events"
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        out = []
        for seq, key, body in self._read(query + " ORDER BY on_date, seq", tuple(params)):
            try:
                out.append(event_from_dict(json.loads(body)))
            except (TypeError, ValueError, RelanceError) as exc:
                self._unreadable[-seq] = f"event {seq} ({key}): unreadable ({exc})"
        return out

    def _event_index(self, as_of: dt.date) -> EventIndex:
        """The events dated on or before ``as_of``, indexed for the engine."""
        return EventIndex.of(self._events_where(["on_date <= %s"], [as_of]), as_of)

    def _verify_events(self, entries: Iterable[ChainEntry]) -> list[str]:
        """The problems between the chain's event entries and the ``events`` table."""
        rows = self._read(f"SELECT {_COLUMNS} FROM events")
        stored = {
            row[0]: EventRow(row[0], row[1], row[2].isoformat(), *row[3:]) for row in rows
        }
        return compare_events(entries, stored)

    def _rewrite_event(self, key: str) -> None:
        """Rewrite the row of event ``key`` from its (erased) chain entry, inside the
        caller's transaction."""
        found = self._db.execute(
            "SELECT seq, kind, key, body, prev, hash FROM chain"
            " WHERE key = %s AND kind = 'event'",
            (key,),
        ).fetchone()
        if found is None:
            return
        seq, kind, entry_key, body, prev, digest = found
        entry = ChainEntry(int(seq), kind, entry_key, json.loads(body), prev, digest)
        values = _stored(event_row(key, *event_of_entry(entry)))
        self._db.execute(
            "UPDATE events SET kind = %s, on_date = %s, client_id = %s, invoice_number = %s,"
            " action_key = %s, body = %s WHERE key = %s",
            (*values[1:], key),
        )


def _stored(row: EventRow) -> tuple[object, ...]:
    """The values of ``row`` as the table stores them (the date as a date)."""
    values: list[object] = list(row.astuple())
    try:
        values[2] = dt.date.fromisoformat(row.on)
    except ValueError:
        raise JournalError("unreadable date in an event", field="on", value=row.on) from None
    return tuple(values)
