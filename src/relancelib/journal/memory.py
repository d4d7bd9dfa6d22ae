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
from relancelib.journal.history import HistoryBuilder, index_records
from relancelib.journal.protocol import FrameMixin
from relancelib.journal.record import Record, check_client_id, check_record_args, record_of

__all__ = ["MemoryJournal"]


class MemoryJournal(FrameMixin):
    """A journal held in memory: for tests, notebooks and simulations.  Thread-safe.

    It implements the same protocol as :class:`SqliteJournal`: claims, amendments, the
    hash chain, :meth:`verify` and :meth:`forget`.
    """

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self._lock = threading.RLock()
        self._exclusive = threading.RLock()
        self._chain: list[ChainEntry] = []
        self._claims: dict[str, Claim] = {}
        self._amendments: list[Amendment] = []
        self._records: list[Record] = []
        self._keys: set[str] = set()
        self._pairs: set[tuple[str, str]] = set()
        self._index = HistoryBuilder()
        for record in check_sequence(records, Record, "records"):
            self._store(record)

    def __repr__(self) -> str:
        return f"MemoryJournal(<{len(self._records)} records>)"

    def __len__(self) -> int:
        return len(self._records)

    def _store(self, record: Record) -> bool:
        if record.key in self._keys or any(pair in self._pairs for pair in record.steps):
            return False
        self._records.append(record)
        self._keys.add(record.key)
        self._pairs.update(record.steps)
        self._index.add(record.client_id, record.steps, record.on)
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
            self._index = HistoryBuilder()
            for record in self._records:
                self._index.add(record.client_id, record.steps, record.on)
            self._append("forget", "", {"on": on.isoformat(), "entries": erased})
            return erased

    def record(
        self, action: Action, on: dt.date | None = None, reference: str | None = None
    ) -> bool:
        """Mark each item's step of ``action`` done on ``on`` (default ``action.on``)."""
        action, when, reference = check_record_args(action, on, reference)
        with self._lock:
            return self._store(record_of(action, when, reference))

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        """The stored records, oldest first (by date, then by order of recording)."""
        client_id = check_client_id(client_id)
        with self._lock:
            chosen = [r for r in self._records if client_id is None or r.client_id == client_id]
        return tuple(sorted(chosen, key=lambda r: r.on))

    def history(self, as_of: dt.date) -> History:
        """The records dated on or before ``as_of``, indexed for the engine.

        When every record is on or before ``as_of`` the journal's live index is returned
        without a copy (plans over millions of invoices read it once per invoice): treat it
        as read-only; it reflects the journal as it is until the next ``record``.
        """
        as_of = check_date(as_of, "as_of")
        with self._lock:
            latest = self._index.latest
            if latest is None:
                return History()
            if as_of >= latest:
                return self._index.history()
            return index_records(self._records, as_of)
