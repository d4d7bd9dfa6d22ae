""":class:`MemoryJournal`: a journal held in memory, for tests, notebooks and simulations."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from relancelib.checks import check_date, check_sequence
from relancelib.engine import Action, History
from relancelib.errors import JournalError
from relancelib.events import CallOutcome, Cancellation, Event, EventIndex
from relancelib.journal.chain import (
    GENESIS,
    ChainEntry,
    Verification,
    entry_hash,
    erase_body,
    pseudonym,
    seal,
    verify_chain,
)
from relancelib.journal.claims import (
    Amendment,
    Claim,
    ClaimState,
    ClaimStatus,
    amendment_fields,
    check_amendment,
    check_key,
    claim_fields,
    claim_of,
    record_fields,
    record_from_fields,
)
from relancelib.journal.eventlog import (
    check_event,
    check_invoice_filter,
    check_target,
    compare_events,
    event_fields,
    event_of_entry,
    event_row,
)
from relancelib.journal.history import HistoryBuilder, fill, index_records
from relancelib.journal.protocol import FrameMixin
from relancelib.journal.record import Record, check_client_id, check_record_args, record_of

__all__ = ["MemoryJournal"]


class MemoryJournal(FrameMixin):
    """A journal held in memory: for tests, notebooks and simulations.  Thread-safe.

    It implements the same protocol as :class:`SqliteJournal`: events, claims, amendments,
    the hash chain, :meth:`verify` and :meth:`forget`.
    """

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self._lock = threading.RLock()
        self._exclusive = threading.RLock()
        self._chain: list[ChainEntry] = []
        self._claims: dict[str, Claim] = {}
        self._amendments: list[Amendment] = []
        self._records: list[Record] = []
        self._keys: dict[str, int] = {}  # each record's key, and its place in _records
        self._pairs: set[tuple[str, str]] = set()
        self._index = HistoryBuilder()
        # Events: (stored key, event, client), in the order added; the cancelled action keys
        # (with the day); the date of the latest event; what of the live index is stale
        # ("events": its events; "all": its records too, after a cancellation).
        self._events: list[tuple[str, Event, str | None]] = []
        self._event_keys: set[str] = set()
        self._cancelled: dict[str, dt.date] = {}
        self._events_latest: dt.date | None = None
        self._stale: str | None = None
        # Each invoice's latest record (its place in _records), built when first needed.
        self._invoices: dict[str, int] | None = None
        for record in check_sequence(records, Record, "records"):
            self._store(record)

    def __repr__(self) -> str:
        return f"MemoryJournal(<{len(self._records)} records>)"

    def __len__(self) -> int:
        return len(self._records)

    def _store(self, record: Record) -> bool:
        if record.key in self._keys or any(pair in self._pairs for pair in record.steps):
            return False
        self._keys[record.key] = len(self._records)
        self._records.append(record)
        self._invoices = None
        self._pairs.update(record.steps)
        self._index.add_record(record)
        self._append("record", record.key, record_fields(record))
        return True

    def _append(self, kind: str, key: str, fields: dict[str, Any]) -> None:
        seq = len(self._chain) + 1
        prev = self._chain[-1].hash if self._chain else GENESIS
        body = seal(fields)
        self._chain.append(
            ChainEntry(seq, kind, key, body, prev, entry_hash(prev, seq, kind, key, body))
        )

    def chain(self) -> tuple[ChainEntry, ...]:
        """Every entry of the hash chain, in order."""
        with self._lock:
            return tuple(self._chain)

    def verify(self) -> Verification:
        """Check the chain and that the records say what the chain says."""
        with self._lock:
            entries = list(self._chain)
            stored = {record.key: record for record in self._records}
        problems, head, count = verify_chain(entries)
        expected: dict[str, Record] = {}
        for entry in entries:
            if entry.kind == "record":
                values = entry.values
                if "client_id" in entry.erased:
                    values["client_id"] = pseudonym(entry.digest("client_id"))
                try:
                    expected[entry.key] = record_from_fields(entry.key, values)
                except (KeyError, TypeError, ValueError):
                    problems.append(f"entry {entry.seq}: malformed record")
        for key in stored.keys() | expected.keys():
            if stored.get(key) != expected.get(key):
                problems.append(f"record {key}: differs from the chain")
        with self._lock:
            rows = {key: event_row(key, event, client) for key, event, client in self._events}
        problems.extend(compare_events(entries, rows))
        return Verification(count, head, tuple(problems))

    def claim(
        self,
        action: Action,
        *,
        reference: str,
        target: str,
        digest: str | None = None,
        on: dt.date | None = None,
    ) -> ClaimStatus:
        """Claim ``action`` before it is written or sent as ``reference`` to ``target``."""
        action, when, _ = check_record_args(action, on, None)
        claim = claim_of(action, when, reference, target, digest)
        with self._lock:
            if action.key in self._keys or any(pair in self._pairs for pair in action.steps):
                return ClaimStatus.RECORDED
            previous = self._claims.get(action.key)
            if previous is not None and previous.state is ClaimState.PENDING:
                return ClaimStatus.PENDING
            attempt = 1 if previous is None else previous.attempt + 1
            claim = attrs.evolve(claim, attempt=attempt)
            self._claims[action.key] = claim
            self._append("claim", action.key, claim_fields(claim))
            return ClaimStatus.CLAIMED

    def claims(self, *, pending: bool = True) -> tuple[Claim, ...]:
        """The claims (only the open ones unless ``pending=False``), oldest first."""
        with self._lock:
            found = [
                c for c in self._claims.values() if not pending or c.state is ClaimState.PENDING
            ]
        return tuple(sorted(found, key=lambda c: (c.record.on, c.key)))

    def _open_claim(self, key: str) -> Claim:
        claim = self._claims.get(check_key(key))
        if claim is None or claim.state is not ClaimState.PENDING:
            raise JournalError(f"no open claim for {key}", field="key", value=key)
        return claim

    def confirm(self, key: str) -> bool:
        """Close the open claim of ``key`` by recording its action."""
        with self._lock:
            claim = self._open_claim(key)
            self._claims[claim.key] = attrs.evolve(claim, state=ClaimState.CONFIRMED)
            return self._store(claim.record)

    def release(self, key: str, reason: str) -> None:
        """Close the open claim of ``key`` without recording: the action stays due."""
        with self._lock:
            claim = self._open_claim(key)
            self._claims[claim.key] = attrs.evolve(claim, state=ClaimState.RELEASED)
            self._append("release", claim.key, {"note": reason})

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the journal's outbox lock (one carrier at a time; re-entrant)."""
        with self._exclusive:
            yield

    def amend(
        self,
        key: str,
        *,
        on: dt.date,
        lrar: str | None = None,
        receipt: dt.date | None = None,
        reference: str | None = None,
        note: str | None = None,
    ) -> Amendment:
        """Add to the record of ``key`` (an event, never an overwrite)."""
        amendment = check_amendment(key, on, lrar, receipt, reference, note)
        with self._lock:
            if amendment.key not in self._keys:
                raise JournalError(f"no record with key {key}", field="key", value=key)
            self._amendments.append(amendment)
            self._append("amend", amendment.key, amendment_fields(amendment))
        return amendment

    def amendments(self, key: str | None = None) -> tuple[Amendment, ...]:
        """The amendments (of one action when ``key`` is given), oldest first."""
        with self._lock:
            return tuple(a for a in self._amendments if key is None or a.key == key)

    def forget(self, client_id: str, *, on: dt.date) -> int:
        """Erase ``client_id``'s personal data, keeping the chain verifiable."""
        client_id = check_client_id(client_id) or ""
        on = check_date(on, "on")
        with self._lock:
            keys = {r.key for r in self._records if r.client_id == client_id}
            keys |= {c.key for c in self._claims.values() if c.record.client_id == client_id}
            keys |= {key for key, _event, client in self._events if client == client_id}
            if not keys:
                return 0
            erased = 0
            for i, entry in enumerate(self._chain):
                if entry.key in keys:
                    self._chain[i] = attrs.evolve(entry, body=erase_body(entry.body))
                    erased += 1
            # Each record's pseudonym comes from its record entry (else its first claim).
            aliases: dict[str, str] = {}
            for kind in ("record", "claim"):
                for e in self._chain:
                    if e.kind == kind and e.key in keys and e.key not in aliases:
                        aliases[e.key] = pseudonym(e.digest("client_id"))
            self._records = [
                attrs.evolve(r, client_id=aliases[r.key], reference=None) if r.key in keys else r
                for r in self._records
            ]
            for key in keys & self._claims.keys():
                claim = self._claims[key]
                record = attrs.evolve(claim.record, client_id=aliases[key], reference="-")
                self._claims[key] = attrs.evolve(claim, record=record, target="-")
            self._amendments = [
                attrs.evolve(a, lrar=None, reference=None, note=None) if a.key in keys else a
                for a in self._amendments
            ]
            rebuilt = {
                e.key: event_of_entry(e) for e in self._chain if e.kind == "event" and e.key in keys
            }
            self._events = [
                (key, *rebuilt[key]) if key in rebuilt else (key, event, client)
                for key, event, client in self._events
            ]
            self._reindex()
            self._append("forget", "", {"on": on.isoformat(), "entries": erased})
            return erased

    def record(
        self, action: Action, on: dt.date | None = None, reference: str | None = None
    ) -> bool:
        """Mark each item's step of ``action`` done on ``on`` (default ``action.on``)."""
        action, when, reference = check_record_args(action, on, reference)
        with self._lock:
            return self._store(record_of(action, when, reference))

    def record_many(
        self, actions: Iterable[Action], on: dt.date | None = None
    ) -> tuple[bool, ...]:
        """:meth:`record` each of ``actions`` under one lock: the same answers, in order."""
        checked = [
            record_of(*check_record_args(action, on, None))
            for action in check_sequence(actions, Action, "actions")
        ]
        with self._lock:
            return tuple(self._store(record) for record in checked)

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        """The stored records, oldest first (by date, then by order of recording)."""
        client_id = check_client_id(client_id)
        with self._lock:
            chosen = [r for r in self._records if client_id is None or r.client_id == client_id]
        return tuple(sorted(chosen, key=lambda r: r.on))

    def history(self, as_of: dt.date) -> History:
        """The records and events dated on or before ``as_of``, indexed for the engine.

        When every record and event is on or before ``as_of`` the journal's live index is
        returned without a copy (plans over millions of invoices read it once per invoice):
        treat it as read-only; it reflects the journal as it is until the next change.
        """
        as_of = check_date(as_of, "as_of")
        with self._lock:
            latest = self._index.latest
            if self._events_latest is not None and (latest is None or self._events_latest > latest):
                latest = self._events_latest
            if latest is None:
                return History()
            if as_of >= latest:
                if self._stale == "all":
                    self._reindex()
                elif self._stale == "events":
                    self._index.events = EventIndex.of(event for _k, event, _c in self._events)
                    self._stale = None
                return self._index.history()
            return index_records(self._records, as_of, [event for _k, event, _c in self._events])

    def _reindex(self) -> None:
        """Rebuild the live index (after a cancellation or a forgetting)."""
        index = EventIndex.of(event for _k, event, _c in self._events)
        self._index = HistoryBuilder()
        fill(self._index, self._records, None, index)
        self._stale = None

    def add_event(self, event: Event, *, client_id: str | None = None) -> bool:
        """Store ``event`` (about ``client_id`` when it names only an invoice); False when
        an event with its key is already stored.

        A call outcome or a cancellation must name a recorded action (dated on or before
        it); a cancellation frees the action's (invoice, step) pairs to be recorded again
        (under a new key) and an action is cancelled once.
        """
        event, client = check_event(event, client_id)
        with self._lock:
            if event.key in self._event_keys:
                return False
            record = None
            if isinstance(event, (CallOutcome, Cancellation)):
                place = self._keys.get(event.action_key)
                record = None if place is None else self._records[place]
                recorded = None if record is None else record.on
                check_target(event, recorded, self._cancelled.get(event.action_key))
            if record is not None:
                client = record.client_id
            elif client is None:
                client = self._client_of(event.invoice_numbers)
            self._events.append((event.key, event, client))
            self._event_keys.add(event.key)
            self._append("event", event.key, event_fields(event, client))
            if self._events_latest is None or event.on > self._events_latest:
                self._events_latest = event.on
            if isinstance(event, Cancellation) and record is not None:
                self._cancelled[record.key] = event.on
                self._pairs.difference_update(record.steps)
                self._stale = "all"  # rebuilt by the next history() that uses it
            elif self._stale is None:
                self._stale = "events"
            return True

    def _client_of(self, numbers: tuple[str, ...]) -> str | None:
        """The client of the latest record of the first of these invoices (None when none)."""
        if not numbers:
            return None
        if self._invoices is None:
            latest: dict[str, int] = {}
            records = self._records
            for place, record in enumerate(records):
                for number, _step in record.steps:
                    known = latest.get(number)
                    if known is None or record.on >= records[known].on:
                        latest[number] = place
            self._invoices = latest
        found = self._invoices.get(numbers[0])
        return None if found is None else self._records[found].client_id

    def events(
        self, *, client_id: str | None = None, invoice_number: str | None = None
    ) -> tuple[Event, ...]:
        """The stored events (about one client, naming one invoice), oldest first (by date,
        then in the order added).  A forgotten client's events come back with their
        personal text erased."""
        client_id = check_client_id(client_id)
        invoice_number = check_invoice_filter(invoice_number)
        with self._lock:
            chosen = [
                event
                for _key, event, client in self._events
                if (client_id is None or client == client_id)
                and (invoice_number is None or invoice_number in event.invoice_numbers)
            ]
        return tuple(sorted(chosen, key=lambda e: e.on))
