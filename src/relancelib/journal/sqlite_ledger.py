"""The SQLite journal's outbox claims, amendments, hash chain, verification and forgetting.

A mixin of :class:`~relancelib.journal.SqliteJournal`: every change is one ``BEGIN
IMMEDIATE`` transaction that also appends its :class:`~relancelib.journal.chain.ChainEntry`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

from relancelib.checks import check_date
from relancelib.engine import Action
from relancelib.errors import JournalError
from relancelib.journal.chain import (
    GENESIS,
    ChainEntry,
    Verification,
    canonical,
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
    claim_from_row,
    claim_of,
    record_fields,
    record_from_fields,
)
from relancelib.journal.record import Record, check_client_id, check_record_args
from relancelib.journal.sqlite_events import SqliteEvents
from relancelib.journal.sqlite_schema import Transaction

__all__ = ["SqliteLedger", "Transaction"]


class SqliteLedger(SqliteEvents):
    """Claims, amendments, the chain, ``verify`` and ``forget`` over ``self._db`` (and the
    events, :class:`~relancelib.journal.sqlite_events.SqliteEvents`)."""

    _db: sqlite3.Connection
    _lock: threading.RLock
    path: str
    schema: int

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        raise NotImplementedError  # pragma: no cover - SqliteJournal's

    @property
    def unreadable(self) -> tuple[str, ...]:
        raise NotImplementedError  # pragma: no cover - SqliteJournal's

    def _init_ledger(self) -> None:
        self._exclusive_depth = 0
        self._exclusive_file: int | None = None

    # -- the chain ---------------------------------------------------------------------------

    def _append(self, kind: str, key: str, fields: dict[str, Any]) -> None:
        """Append one entry (inside the caller's transaction)."""
        last = self._db.execute("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (1, GENESIS) if last is None else (last[0] + 1, last[1])
        body = seal(fields)
        self._db.execute(
            "INSERT INTO chain (seq, kind, key, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
            (seq, kind, key, canonical(body), prev, entry_hash(prev, seq, kind, key, body)),
        )

    def chain(self) -> tuple[ChainEntry, ...]:
        """Every entry of the hash chain, in order."""
        with self._lock:
            rows = self._read("SELECT seq, kind, key, body, prev, hash FROM chain ORDER BY seq")
        out = []
        for seq, kind, key, body, prev, digest in rows:
            try:
                parsed = json.loads(body)
            except (TypeError, ValueError):
                parsed = {}
            if not isinstance(parsed, dict):
                parsed = {}
            out.append(ChainEntry(seq, kind, key, parsed, prev, digest))
        return tuple(out)

    def _read(self, query: str, params: tuple[object, ...] = ()) -> list[Any]:
        try:
            return self._db.execute(query, params).fetchall()
        except sqlite3.Error as exc:
            raise JournalError(
                f"cannot read the journal ({exc})", field="SqliteJournal.path", value=self.path
            ) from None

    def verify(self) -> Verification:
        """Check the chain (each entry's hash, links, places) and that the records table
        says what the chain says: a row edited, added or deleted by hand shows."""
        if self.schema < 2:
            return Verification(0, GENESIS, ("schema 1: open the journal once to migrate it",))
        entries = self.chain()
        problems, head, count = verify_chain(entries)
        expected: dict[str, Record] = {}
        for entry in entries:
            if entry.kind != "record":
                continue
            values = entry.values
            try:
                if "client_id" in entry.erased:
                    values["client_id"] = pseudonym(entry.digest("client_id"))
                expected[entry.key] = record_from_fields(entry.key, values)
            except (KeyError, TypeError, ValueError):
                problems.append(f"entry {entry.seq}: malformed record")
        stored = {record.key: record for record in self.records()}
        problems.extend(self.unreadable)
        for key, record in stored.items():
            if key not in expected:
                problems.append(f"record {key}: not in the chain (added by hand?)")
            elif expected[key] != record:
                problems.append(f"record {key}: differs from the chain (edited by hand?)")
        unreadable_keys = " ".join(self.unreadable)
        for key in expected.keys() - stored.keys():
            if key not in unreadable_keys:
                problems.append(f"record {key}: in the chain but missing from the table")
        problems.extend(self._verify_events(entries))
        return Verification(count, head, tuple(problems))

    # -- claims ------------------------------------------------------------------------------

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
        with self._lock, self._transaction():
            if self._db.execute("SELECT 1 FROM records WHERE key = ?", (action.key,)).fetchone():
                return ClaimStatus.RECORDED
            for number, step in action.steps:
                if self._db.execute(
                    "SELECT 1 FROM record_steps"
                    " WHERE invoice_number = ? AND step = ? AND cancelled = 0",
                    (number, step),
                ).fetchone():
                    return ClaimStatus.RECORDED
            row = self._db.execute(
                "SELECT state, attempt FROM claims WHERE key = ?", (action.key,)
            ).fetchone()
            attempt = 1
            if row is not None:
                if row[0] == ClaimState.PENDING.value:
                    return ClaimStatus.PENDING
                attempt = int(row[1]) + 1
            claim = Claim(claim.record, claim.target, claim.digest, attempt)
            record = claim.record
            self._db.execute(
                "INSERT OR REPLACE INTO claims (key, client_id, step, on_date, channel, steps,"
                " reference, target, digest, attempt, state) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.key,
                    record.client_id,
                    record.step,
                    record.on.isoformat(),
                    record.channel.value,
                    canonical([list(p) for p in record.steps]),
                    record.reference,
                    claim.target,
                    claim.digest,
                    attempt,
                    ClaimState.PENDING.value,
                ),
            )
            self._append("claim", record.key, claim_fields(claim))
            return ClaimStatus.CLAIMED

    def claims(self, *, pending: bool = True) -> tuple[Claim, ...]:
        """The claims (only the open ones unless ``pending=False``), oldest first."""
        query = (
            "SELECT key, client_id, step, on_date, channel, steps, reference, target, digest,"
            " attempt, state FROM claims"
        )
        params: tuple[object, ...] = ()
        if pending:
            query += " WHERE state = ?"
            params = (ClaimState.PENDING.value,)
        with self._lock:
            rows = self._read(query + " ORDER BY on_date, key", params)
        claims = (claim_from_row(row) for row in rows)
        return tuple(claim for claim in claims if claim is not None)

    def _open_claim(self, key: str) -> Claim:
        for claim in self.claims():
            if claim.key == key:
                return claim
        raise JournalError(f"no open claim for {key}", field="key", value=key)

    def confirm(self, key: str) -> bool:
        """Close the open claim of ``key`` by recording its action: the message is on disk
        or sent.  Returns whether this call stored the record."""
        claim = self._open_claim(check_key(key))
        record = claim.record
        with self._lock, self._transaction():
            self._db.execute(
                "UPDATE claims SET state = ? WHERE key = ?", (ClaimState.CONFIRMED.value, key)
            )
            try:
                cursor = self._db.execute(
                    "INSERT INTO records (key, client_id, step, on_date, channel, reference)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        record.key,
                        record.client_id,
                        record.step,
                        record.on.isoformat(),
                        record.channel.value,
                        record.reference,
                    ),
                )
                self._db.executemany(
                    "INSERT INTO record_steps (record_seq, position, invoice_number, step)"
                    " VALUES (?, ?, ?, ?)",
                    [(cursor.lastrowid, i, n, s) for i, (n, s) in enumerate(record.steps)],
                )
            except sqlite3.IntegrityError:
                stored = False
            else:
                self._append("record", record.key, record_fields(record))
                stored = True
        return stored

    def release(self, key: str, reason: str) -> None:
        """Close the open claim of ``key`` without recording: nothing left, the action
        stays due (``reason`` says why, in the chain)."""
        self._open_claim(check_key(key))
        with self._lock, self._transaction():
            self._db.execute(
                "UPDATE claims SET state = ? WHERE key = ?", (ClaimState.RELEASED.value, key)
            )
            self._append("release", key, {"note": reason})

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the journal's outbox lock (``flock`` on the journal's folder, released by
        the system if the process dies): one run carries actions out at a time, so any
        open claim seen while holding it was left by a run that stopped."""
        with self._lock:
            if self._exclusive_depth == 0:
                # The folder of the journal, not a file of its own: no lock file is left
                # behind, and SQLite's own locks on the journal file are never disturbed.
                folder = os.path.dirname(os.path.abspath(self.path))
                handle = os.open(folder, os.O_RDONLY)
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX)
                except BaseException:
                    os.close(handle)
                    raise
                self._exclusive_file = handle
            self._exclusive_depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._exclusive_depth -= 1
                if self._exclusive_depth == 0 and self._exclusive_file is not None:
                    os.close(self._exclusive_file)  # closing releases the lock
                    self._exclusive_file = None

    # -- amendments and forgetting -----------------------------------------------------------

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
        """Add to the record of ``key`` (an LRAR number, the receipt date...): an event
        kept beside the record, never an overwrite."""
        amendment = check_amendment(key, on, lrar, receipt, reference, note)
        with self._lock, self._transaction():
            if not self._db.execute("SELECT 1 FROM records WHERE key = ?", (key,)).fetchone():
                raise JournalError(f"no record with key {key}", field="key", value=key)
            self._db.execute(
                "INSERT INTO amendments (key, on_date, lrar, receipt, reference, note)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    amendment.key,
                    amendment.on.isoformat(),
                    amendment.lrar,
                    None if amendment.receipt is None else amendment.receipt.isoformat(),
                    amendment.reference,
                    amendment.note,
                ),
            )
            self._append("amend", amendment.key, amendment_fields(amendment))
        return amendment

    def amendments(self, key: str | None = None) -> tuple[Amendment, ...]:
        """The amendments (of one action when ``key`` is given), oldest first."""
        query = "SELECT key, on_date, lrar, receipt, reference, note FROM amendments"
        params: tuple[object, ...] = ()
        if key is not None:
            query += " WHERE key = ?"
            params = (check_key(key),)
        with self._lock:
            rows = self._read(query + " ORDER BY seq", params)
        out = []
        for k, on, lrar, receipt, reference, note in rows:
            try:
                out.append(
                    Amendment(
                        k,
                        dt.date.fromisoformat(on),
                        lrar,
                        None if receipt is None else dt.date.fromisoformat(receipt),
                        reference,
                        note,
                    )
                )
            except (TypeError, ValueError):
                continue
        return tuple(out)

    def forget(self, client_id: str, *, on: dt.date) -> int:
        """Erase ``client_id``'s personal data (its id, references, targets, LRAR numbers,
        notes, its events' who, reason and why) from every table and chain entry, keeping
        each erased field's digest so the chain still verifies.  Returns how many chain
        entries were erased."""
        client_id = check_client_id(client_id) or ""
        on = check_date(on, "on")
        keys = {record.key for record in self.records(client_id)}
        keys |= {c.key for c in self.claims(pending=False) if c.record.client_id == client_id}
        events = self._client_events(client_id)
        if not keys and not events:
            return 0
        erased = 0
        with self._lock, self._transaction():
            for key in sorted(keys | events):
                rows = self._db.execute("SELECT seq, body FROM chain WHERE key = ?", (key,))
                for seq, body in rows.fetchall():
                    new = erase_body(json.loads(body))
                    self._db.execute(
                        "UPDATE chain SET body = ? WHERE seq = ?", (canonical(new), seq)
                    )
                    erased += 1
                if key in events:
                    self._rewrite_event(key)
                    continue
                alias = self._alias(key)
                self._db.execute(
                    "UPDATE records SET client_id = ?, reference = NULL WHERE key = ?",
                    (alias, key),
                )
                self._db.execute(
                    "UPDATE claims SET client_id = ?, reference = '-', target = '-' WHERE key = ?",
                    (alias, key),
                )
                self._db.execute(
                    "UPDATE amendments SET lrar = NULL, reference = NULL, note = NULL"
                    " WHERE key = ?",
                    (key,),
                )
            self._append("forget", "", {"on": on.isoformat(), "entries": erased})
        return erased

    def _alias(self, key: str) -> str:
        """The pseudonym of the client of ``key``: from the digest of the client id in its
        record entry (else its first claim), each record its own (unlinkable)."""
        row = self._db.execute(
            "SELECT body FROM chain WHERE key = ? AND kind IN ('record', 'claim')"
            " ORDER BY kind = 'claim', seq LIMIT 1",
            (key,),
        ).fetchone()
        cell = {} if row is None else json.loads(row[0]).get("client_id", {})
        return pseudonym(str(cell.get("h", "0" * 16)))
