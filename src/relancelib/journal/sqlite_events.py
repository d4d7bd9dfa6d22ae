"""The SQLite journal's events (:mod:`relancelib.events`): stored in the ``events`` table
(schema 3), each one ``BEGIN IMMEDIATE`` transaction that also appends its ``event`` chain
entry.

A :class:`~relancelib.events.Cancellation` also marks its record's (invoice, step) pairs
``cancelled`` in ``record_steps``, in the same transaction: the unique index on the pairs
holds among the pairs not cancelled only, so the engine's next action for them (a new key)
can be recorded, while the cancelled key itself stays taken in ``records``.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

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
from relancelib.journal.sqlite_schema import Transaction

__all__ = ["SqliteEvents"]

_COLUMNS = "key, kind, on_date, client_id, invoice_number, action_key, body"


class SqliteEvents:
    """``add_event``, ``events`` and their part of ``verify``, ``forget`` and ``history``."""

    _db: sqlite3.Connection
    _lock: threading.RLock
    path: str
    schema: int
    _unreadable: dict[int, str]

    def _transaction(self) -> Transaction:
        raise NotImplementedError  # pragma: no cover - SqliteJournal's

    def _append(self, kind: str, key: str, fields: dict[str, Any]) -> None:
        raise NotImplementedError  # pragma: no cover - SqliteLedger's

    def add_event(self, event: Event, *, client_id: str | None = None) -> bool:
        """Store ``event`` (about ``client_id`` when it names only an invoice) in one
        transaction with its chain entry; False when an event with its key is already
        stored.

        A call outcome or a cancellation must name a recorded action (dated on or before
        it); a cancellation frees the action's (invoice, step) pairs to be recorded again
        (under a new key) and an action is cancelled once.
        """
        event, client = check_event(event, client_id)
        with self._lock:
            try:
                with self._transaction():
                    return self._add_event(event, client)
            except sqlite3.Error as exc:
                raise JournalError(f"cannot record event {event.key} ({exc})") from None

    def _add_event(self, event: Event, client: str | None) -> bool:
        db = self._db
        if db.execute("SELECT 1 FROM events WHERE key = ?", (event.key,)).fetchone():
            return False
        record_seq = None
        if isinstance(event, (CallOutcome, Cancellation)):
            row = db.execute(
                "SELECT seq, client_id, on_date FROM records WHERE key = ?", (event.action_key,)
            ).fetchone()
            cancelled = db.execute(
                "SELECT on_date FROM events WHERE kind = ? AND action_key = ?",
                (Cancellation.kind, event.action_key),
            ).fetchone()
            check_target(
                event,
                None if row is None else _date(row[2]),
                None if cancelled is None else _date(cancelled[0]),
            )
            record_seq, client = row[0], row[1]
        elif client is None and event.invoice_numbers:
            found = db.execute(
                "SELECT r.client_id FROM record_steps s JOIN records r ON r.seq = s.record_seq"
                " WHERE s.invoice_number = ? ORDER BY r.on_date DESC, r.seq DESC LIMIT 1",
                (event.invoice_numbers[0],),
            ).fetchone()
            client = None if found is None else found[0]
        db.execute(
            f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            event_row(event.key, event, client).astuple(),
        )
        if isinstance(event, Cancellation):
            db.execute("UPDATE record_steps SET cancelled = 1 WHERE record_seq = ?", (record_seq,))
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
        conditions, params = [], []
        if client_id is not None:
            conditions.append("client_id = ?")
            params.append(client_id)
        if invoice_number is not None:
            conditions.append("invoice_number = ?")
            params.append(invoice_number)
        return tuple(self._events_where(conditions, params))

    def _events_where(self, conditions: list[str], params: list[str]) -> list[Event]:
        """The events of the rows that meet ``conditions``, oldest first; an unreadable row
        (edited by hand) is skipped and named in ``unreadable``."""
        if self.schema < 3:  # a version-2 file opened read-only: no events yet
            return []
        query = "SELECT seq, key, body FROM events"
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        with self._lock:
            rows = self._read_events(query + " ORDER BY on_date, seq", params)
        out = []
        for seq, key, body in rows:
            try:
                out.append(event_from_dict(json.loads(body)))
            except (TypeError, ValueError, RelanceError) as exc:
                self._unreadable[-seq] = f"event {seq} ({key}): unreadable ({exc})"
        return out

    def _read_events(self, query: str, params: Iterable[object]) -> list[Any]:
        try:
            return self._db.execute(query, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise JournalError(
                f"cannot read the journal ({exc})", field="SqliteJournal.path", value=self.path
            ) from None

    def _event_index(self, as_of: dt.date) -> EventIndex:
        """The events dated on or before ``as_of``, indexed for the engine."""
        return EventIndex.of(self._events_where(["on_date <= ?"], [as_of.isoformat()]), as_of)

    def _event_rows(self) -> dict[str, EventRow]:
        """Every stored event row, as stored (for ``verify``)."""
        if self.schema < 3:
            return {}
        with self._lock:
            rows = self._read_events(f"SELECT {_COLUMNS} FROM events", ())
        return {row[0]: EventRow(*row) for row in rows}

    def _verify_events(self, entries: Iterable[ChainEntry]) -> list[str]:
        """The problems between the chain's event entries and the ``events`` table."""
        return compare_events(entries, self._event_rows())

    def _client_events(self, client_id: str) -> set[str]:
        """The keys of the events about ``client_id`` (for ``forget``)."""
        if self.schema < 3:
            return set()
        with self._lock:
            rows = self._read_events("SELECT key FROM events WHERE client_id = ?", (client_id,))
        return {row[0] for row in rows}

    def _rewrite_event(self, key: str) -> None:
        """Rewrite the row of event ``key`` from its (erased) chain entry, inside the
        caller's transaction."""
        found = self._db.execute(
            "SELECT seq, kind, key, body, prev, hash FROM chain WHERE key = ? AND kind = 'event'",
            (key,),
        ).fetchone()
        if found is None:
            return
        seq, kind, entry_key, body, prev, digest = found
        entry = ChainEntry(seq, kind, entry_key, json.loads(body), prev, digest)
        row = event_row(key, *event_of_entry(entry)).astuple()
        self._db.execute(
            "UPDATE events SET kind = ?, on_date = ?, client_id = ?, invoice_number = ?,"
            " action_key = ?, body = ? WHERE key = ?",
            (*row[1:], key),
        )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise JournalError(f"unreadable date {text!r} in the journal", field="on_date") from None
