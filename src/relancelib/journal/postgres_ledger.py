"""The PostgreSQL journal's outbox claims, amendments, hash chain, verification and forgetting.

A mixin of :class:`~relancelib.journal.postgres.PostgresJournal`, the PostgreSQL twin of
``sqlite_ledger``: every change is one transaction under the journal's write lock that also
appends its :class:`~relancelib.journal.chain.ChainEntry`, hashed by ``journal.chain`` as
every store does, so :meth:`verify` means the same here as for SQLite.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

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
    record_from_fields,
)
from relancelib.journal.postgres_events import PostgresEvents
from relancelib.journal.postgres_records import insert_record, recorded, recorded_and_tail
from relancelib.journal.record import Record, check_client_id, check_record_args

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresLedger", "check_tables"]


def check_tables(
    entries: tuple[ChainEntry, ...], stored: Iterable[Record], unreadable: tuple[str, ...]
) -> Verification:
    """Check the chain and that the records table says what the chain says: a row edited,
    added or deleted by hand shows.  (``SqliteLedger.verify``'s comparison, over any store's
    chain and records: it lives in a method there, so the PostgreSQL store has this one.)"""
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
    table = {record.key: record for record in stored}
    problems.extend(unreadable)
    for key, record in table.items():
        if key not in expected:
            problems.append(f"record {key}: not in the chain (added by hand?)")
        elif expected[key] != record:
            problems.append(f"record {key}: differs from the chain (edited by hand?)")
    unreadable_keys = " ".join(unreadable)
    for key in expected.keys() - table.keys():
        if key not in unreadable_keys:
            problems.append(f"record {key}: in the chain but missing from the table")
    return Verification(count, head, tuple(problems))


class PostgresLedger(PostgresEvents):
    """Claims, amendments, the chain, ``verify`` and ``forget`` over ``self._db`` (and the
    events, :class:`~relancelib.journal.postgres_events.PostgresEvents`)."""

    _db: psycopg.Connection[Any]
    _lock: threading.RLock
    _outbox_key: int
    schema: str

    def _write(self) -> contextlib.AbstractContextManager[None]:
        raise NotImplementedError  # pragma: no cover - PostgresJournal's

    def _reconnect(self) -> None:
        raise NotImplementedError  # pragma: no cover - PostgresJournal's

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        raise NotImplementedError  # pragma: no cover - PostgresJournal's

    @property
    def unreadable(self) -> tuple[str, ...]:
        raise NotImplementedError  # pragma: no cover - PostgresJournal's

    def _init_ledger(self) -> None:
        self._exclusive_depth = 0

    def _read(self, query: Any, params: tuple[object, ...] = ()) -> list[Any]:
        import psycopg

        with self._lock:
            self._reconnect()
            try:
                return self._db.execute(query, params).fetchall()
            except psycopg.Error as exc:
                raise JournalError(
                    f"cannot read the journal ({str(exc).strip().splitlines()[0]})",
                    field="PostgresJournal.schema",
                    value=self.schema,
                ) from None

    @contextlib.contextmanager
    def _change(self, what: str) -> Iterator[None]:
        """A write transaction (:meth:`_write`) whose driver errors become JournalErrors."""
        import psycopg

        with self._lock:
            self._reconnect()
            try:
                with self._write():
                    yield
            except psycopg.Error as exc:
                raise JournalError(
                    f"cannot {what} ({str(exc).strip().splitlines()[0]})",
                    field="PostgresJournal.schema",
                    value=self.schema,
                ) from None

    # -- the chain ---------------------------------------------------------------------------

    def _append(self, kind: str, key: str, fields: dict[str, Any]) -> None:
        """Append one entry (inside the caller's write transaction)."""
        last = self._db.execute("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (1, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
        body = seal(fields)
        self._db.execute(
            "INSERT INTO chain (seq, kind, key, body, prev, hash) VALUES (%s, %s, %s, %s, %s, %s)",
            (seq, kind, key, canonical(body), prev, entry_hash(prev, seq, kind, key, body)),
        )

    def chain(self) -> tuple[ChainEntry, ...]:
        """Every entry of the hash chain, in order."""
        rows = self._read("SELECT seq, kind, key, body, prev, hash FROM chain ORDER BY seq")
        out = []
        for seq, kind, key, body, prev, digest in rows:
            try:
                parsed = json.loads(body)
            except (TypeError, ValueError):
                parsed = {}
            if not isinstance(parsed, dict):
                parsed = {}
            out.append(ChainEntry(int(seq), kind, key, parsed, prev, digest))
        return tuple(out)

    def verify(self) -> Verification:
        """Check the chain (each entry's hash, links, places) and that the records table
        says what the chain says: a row edited, added or deleted by hand shows."""
        entries = self.chain()
        events = self._verify_events(entries)
        checked = check_tables(entries, self.records(), self.unreadable)
        return Verification(checked.entries, checked.head, (*checked.problems, *events))

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
        with self._change(f"claim action {action.key}"):
            if recorded(self._db, action.key, action.steps):
                return ClaimStatus.RECORDED
            row = self._db.execute(
                "SELECT state, attempt FROM claims WHERE key = %s", (action.key,)
            ).fetchone()
            attempt = 1
            if row is not None:
                if row[0] == ClaimState.PENDING.value:
                    return ClaimStatus.PENDING
                attempt = int(row[1]) + 1
            claim = Claim(claim.record, claim.target, claim.digest, attempt)
            record = claim.record
            self._db.execute(
                "INSERT INTO claims (key, client_id, step, on_date, channel, steps, reference,"
                " target, digest, attempt, state) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT (key) DO UPDATE SET client_id = EXCLUDED.client_id,"
                " step = EXCLUDED.step, on_date = EXCLUDED.on_date, channel = EXCLUDED.channel,"
                " steps = EXCLUDED.steps, reference = EXCLUDED.reference,"
                " target = EXCLUDED.target, digest = EXCLUDED.digest,"
                " attempt = EXCLUDED.attempt, state = EXCLUDED.state",
                (
                    record.key,
                    record.client_id,
                    record.step,
                    record.on,
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
            query += " WHERE state = %s"
            params = (ClaimState.PENDING.value,)
        rows = self._read(query + ' ORDER BY on_date, key COLLATE "C"', params)
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
        record = self._open_claim(check_key(key)).record
        with self._change(f"confirm action {key}"):
            self._db.execute(
                "UPDATE claims SET state = %s WHERE key = %s", (ClaimState.CONFIRMED.value, key)
            )
            done, tail = recorded_and_tail(self._db, record.key, record.steps)
            if done:
                return False
            insert_record(self._db, record, tail)
            return True

    def release(self, key: str, reason: str) -> None:
        """Close the open claim of ``key`` without recording: nothing left, the action
        stays due (``reason`` says why, in the chain)."""
        self._open_claim(check_key(key))
        with self._change(f"release action {key}"):
            self._db.execute(
                "UPDATE claims SET state = %s WHERE key = %s", (ClaimState.RELEASED.value, key)
            )
            self._append("release", key, {"note": reason})

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the journal's outbox lock (a session-level advisory lock on the journal's
        schema, released by the server if the process dies or its connection drops): one
        run carries actions out at a time, on any machine, so any open claim seen while
        holding it was left by a run that stopped."""
        import psycopg

        with self._lock:
            if self._exclusive_depth == 0:
                self._reconnect()
                try:
                    self._db.execute("SELECT pg_advisory_lock(%s)", (self._outbox_key,))
                except psycopg.Error as exc:
                    raise JournalError(
                        f"cannot take the outbox lock ({str(exc).strip().splitlines()[0]})",
                        field="PostgresJournal.schema",
                        value=self.schema,
                    ) from None
            self._exclusive_depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._exclusive_depth -= 1
                if self._exclusive_depth == 0 and not self._db.closed:
                    # A lost connection has released the lock with its session.
                    with contextlib.suppress(psycopg.OperationalError):
                        self._db.execute("SELECT pg_advisory_unlock(%s)", (self._outbox_key,))

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
        with self._change(f"amend action {amendment.key}"):
            if not self._db.execute("SELECT 1 FROM records WHERE key = %s", (key,)).fetchone():
                raise JournalError(f"no record with key {key}", field="key", value=key)
            self._db.execute(
                "INSERT INTO amendments (key, on_date, lrar, receipt, reference, note)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (
                    amendment.key,
                    amendment.on,
                    amendment.lrar,
                    amendment.receipt,
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
            query += " WHERE key = %s"
            params = (check_key(key),)
        rows = self._read(query + " ORDER BY seq", params)
        return tuple(Amendment(*row) for row in rows)

    def forget(self, client_id: str, *, on: dt.date) -> int:
        """Erase ``client_id``'s personal data (its id, references, targets, LRAR numbers,
        notes, its events' who, reason and why) from every table and chain entry, keeping
        each erased field's digest so the chain still verifies.  Returns how many chain
        entries were erased."""
        client_id = check_client_id(client_id) or ""
        on = check_date(on, "on")
        erased = 0
        with self._change(f"forget client {client_id}"):
            keys = {
                row[0]
                for row in self._db.execute(
                    "SELECT key FROM records WHERE client_id = %s"
                    " UNION SELECT key FROM claims WHERE client_id = %s",
                    (client_id, client_id),
                ).fetchall()
            }
            events = {
                row[0]
                for row in self._db.execute(
                    "SELECT key FROM events WHERE client_id = %s", (client_id,)
                ).fetchall()
            }
            if not keys and not events:
                return 0
            for key in sorted(keys | events):
                rows = self._db.execute(
                    "SELECT seq, body FROM chain WHERE key = %s ORDER BY seq", (key,)
                ).fetchall()
                for seq, body in rows:
                    new = erase_body(json.loads(body))
                    self._db.execute(
                        "UPDATE chain SET body = %s WHERE seq = %s", (canonical(new), seq)
                    )
                    erased += 1
                if key in events:
                    self._rewrite_event(key)
                    continue
                alias = self._alias(key)
                self._db.execute(
                    "UPDATE records SET client_id = %s, reference = NULL WHERE key = %s",
                    (alias, key),
                )
                self._db.execute(
                    "UPDATE claims SET client_id = %s, reference = '-', target = '-'"
                    " WHERE key = %s",
                    (alias, key),
                )
                self._db.execute(
                    "UPDATE amendments SET lrar = NULL, reference = NULL, note = NULL"
                    " WHERE key = %s",
                    (key,),
                )
            self._append("forget", "", {"on": on.isoformat(), "entries": erased})
        return erased

    def _alias(self, key: str) -> str:
        """The pseudonym of the client of ``key``: from the digest of the client id in its
        record entry (else its first claim), each record its own (unlinkable)."""
        row = self._db.execute(
            "SELECT body FROM chain WHERE key = %s AND kind IN ('record', 'claim')"
            " ORDER BY kind = 'claim', seq LIMIT 1",
            (key,),
        ).fetchone()
        cell = {} if row is None else json.loads(row[0]).get("client_id", {})
        return pseudonym(str(cell.get("h", "0" * 16)))
