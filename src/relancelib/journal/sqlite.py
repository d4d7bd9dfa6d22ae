""":class:`SqliteJournal`: the embedded default store and the evidence trail, in one SQLite
file (WAL mode, one ``BEGIN IMMEDIATE`` transaction per record)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import urllib.parse
from collections.abc import Collection, Iterable
from types import TracebackType
from typing import Any

from relancelib.checks import check_date, check_sequence
from relancelib.engine import Action, History
from relancelib.errors import InvalidFieldError, JournalError
from relancelib.journal.claims import record_fields
from relancelib.journal.history import HistoryBuilder
from relancelib.journal.protocol import FrameMixin
from relancelib.journal.record import Record, check_client_id, check_record_args, record_of
from relancelib.journal.sqlite_ledger import SqliteLedger, Transaction
from relancelib.journal.sqlite_schema import SCHEMA_VERSION, migrate
from relancelib.policy import Channel

__all__ = ["SqliteJournal"]


class SqliteJournal(SqliteLedger, FrameMixin):
    """A journal in an SQLite file: the embedded default store and the evidence trail.

    The database runs in WAL mode; each :meth:`record` is one ``BEGIN IMMEDIATE``
    transaction, so several threads or processes may record at once: an action is
    stored once and exactly one caller gets ``True``.  Use it as a context manager or
    call :meth:`close`.

    Besides records it holds the outbox's claims, amendments, the journal's events
    (:meth:`add_event`) and a hash chain of every change (:meth:`verify`); an older file
    (schema 1 or 2) is migrated when opened, in one transaction.  ``read_only=True``
    opens an existing file without writing to it (no migration, no WAL switch): for
    commands that only read.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, timeout: float = 30.0, read_only: bool = False
    ) -> None:
        if not isinstance(path, (str, os.PathLike)) or (isinstance(path, str) and not path):
            raise InvalidFieldError("must be a file path", field="SqliteJournal.path", value=path)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not 0 < timeout <= 3600  # NaN fails both comparisons
        ):
            raise InvalidFieldError(
                "must be a number of seconds between 0 and 3600",
                field="SqliteJournal.timeout",
                value=timeout,
            )
        self.path = os.fspath(path)
        if "\x00" in self.path:
            raise InvalidFieldError(
                "must not contain a NUL character", field="SqliteJournal.path", value=path
            )
        self._lock = threading.RLock()
        self.read_only = read_only
        self._unreadable: dict[int, str] = {}
        self._init_ledger()
        try:
            if read_only:
                if not os.path.isfile(self.path):
                    raise JournalError(
                        "no journal there", field="SqliteJournal.path", value=self.path
                    )
                uri = "file:" + urllib.parse.quote(os.path.abspath(self.path)) + "?mode=ro"
                self._db = sqlite3.connect(
                    uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
                )
                self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                self.schema = int(self._db.execute("PRAGMA user_version").fetchone()[0])
                return
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.Error as exc:
            raise JournalError(
                f"cannot open the journal ({exc})", field="SqliteJournal.path", value=self.path
            ) from None

    def _migrate(self) -> None:
        with self._transaction():
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise JournalError(
                    f"was written by a newer relancelib (schema {version}, "
                    f"this one reads {SCHEMA_VERSION})",
                    field="SqliteJournal.path",
                    value=self.path,
                )
            if version < SCHEMA_VERSION:
                migrate(self._db, version)
        self.schema = SCHEMA_VERSION

    def _transaction(self) -> Transaction:
        if self.read_only:
            raise JournalError("was opened read-only", field="SqliteJournal.path", value=self.path)
        return Transaction(self._db)

    def __repr__(self) -> str:
        return f"SqliteJournal({self.path!r})"

    def __enter__(self) -> SqliteJournal:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def record(
        self, action: Action, on: dt.date | None = None, reference: str | None = None
    ) -> bool:
        """Mark each item's step of ``action`` done on ``on`` (default ``action.on``) atomically."""
        action, when, reference = check_record_args(action, on, reference)
        record = record_of(action, when, reference)
        with self._lock:
            try:
                with self._transaction():
                    return self._insert(record)
            except _AlreadyDone:
                return False  # the transaction was rolled back
            except sqlite3.Error as exc:
                raise JournalError(f"cannot record action {record.key} ({exc})") from None

    def record_many(
        self, actions: Iterable[Action], on: dt.date | None = None
    ) -> tuple[bool, ...]:
        """:meth:`record` each of ``actions`` in one transaction: the same exactly-once
        answers (``False`` for an action already recorded, by key or by one of its pairs),
        one commit and one disk sync for the whole batch instead of one per action."""
        records = []
        for action in check_sequence(actions, Action, "actions"):
            checked, when, reference = check_record_args(action, on, None)
            records.append(record_of(checked, when, reference))
        with self._lock:
            try:
                with self._transaction():
                    return tuple(self._insert(record, savepoint=True) for record in records)
            except sqlite3.Error as exc:
                raise JournalError(f"cannot record {len(records)} actions ({exc})") from None

    def _insert(self, record: Record, *, savepoint: bool = False) -> bool:
        """Store ``record`` inside the caller's transaction; False when it was already done
        (inside a batch, a savepoint undoes the half-stored record)."""
        if savepoint:
            self._db.execute("SAVEPOINT one_record")
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO records"
            " (key, client_id, step, on_date, channel, reference)"
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
        if cursor.rowcount != 1:
            if savepoint:
                self._db.execute("RELEASE one_record")
            return False
        seq = cursor.lastrowid
        try:
            self._db.executemany(
                "INSERT INTO record_steps (record_seq, position, invoice_number, step)"
                " VALUES (?, ?, ?, ?)",
                [(seq, i, number, step) for i, (number, step) in enumerate(record.steps)],
            )
        except sqlite3.IntegrityError:
            # One (invoice, step) pair was already recorded by another action.
            if not savepoint:
                raise _AlreadyDone from None
            self._db.execute("ROLLBACK TO one_record")
            self._db.execute("RELEASE one_record")
            return False
        self._append("record", record.key, record_fields(record))
        if savepoint:
            self._db.execute("RELEASE one_record")
        return True

    def _rows(self, client_id: str | None, as_of: dt.date | None) -> list[Any]:
        query = (
            "SELECT r.seq, r.key, r.client_id, r.step, r.on_date, r.channel, r.reference,"
            " s.invoice_number, s.step FROM records r"
            " LEFT JOIN record_steps s ON s.record_seq = r.seq"
        )
        conditions, params = [], []
        if client_id is not None:
            conditions.append("r.client_id = ?")
            params.append(client_id)
        if as_of is not None:
            conditions.append("r.on_date <= ?")
            params.append(as_of.isoformat())
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY r.on_date, r.seq, s.position"
        with self._lock:
            try:
                return self._db.execute(query, params).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(
                    f"cannot read the journal ({exc})", field="SqliteJournal.path", value=self.path
                ) from None

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        """The stored records, oldest first (by date, then by order of recording)."""
        client_id = check_client_id(client_id)
        out: list[Record | None] = []
        current: list[Any] | None = None
        pairs: list[tuple[str, str]] = []
        for row in self._rows(client_id, None):
            if current is None or row[0] != current[0]:
                if current is not None:
                    out.append(self._row_record(current, pairs))
                current, pairs = row, []
            if row[7] is not None:
                pairs.append((row[7], row[8]))
        if current is not None:
            out.append(self._row_record(current, pairs))
        return tuple(self._readable(out))

    def history(self, as_of: dt.date) -> History:
        """The records and events dated on or before ``as_of``, indexed for the engine (a
        record cancelled by then counts only in ``revisions``)."""
        as_of = check_date(as_of, "as_of")
        builder = HistoryBuilder()
        builder.events = self._event_index(as_of)
        cancelled = builder.events.cancelled
        dates: dict[str, dt.date] = {}
        seq = None
        for row in self._rows(None, as_of):
            on = dates.get(row[4])
            if on is None:
                try:
                    on = dates[row[4]] = dt.date.fromisoformat(row[4])
                except (TypeError, ValueError):
                    self._unreadable[row[0]] = f"record {row[0]}: unreadable date {row[4]!r}"
                    continue
            if cancelled and row[1] in cancelled:
                if row[7] is not None:
                    builder.revise(row[7], row[8])
                continue
            if row[7] is not None:
                builder.step(row[7], row[8], on)
            if row[0] != seq:  # the first row of a record
                seq = row[0]
                builder.contact(row[2], on)
                builder.action(row[2], row[3] if row[3] is not None else row[8] or "", on)
        return builder.history()

    def history_for(
        self, as_of: dt.date, invoices: Collection[str], clients: Collection[str]
    ) -> History:
        """:meth:`history` restricted to the records of ``invoices`` and ``clients`` (the
        ones being planned): its cost follows the day's work, not the journal's length —
        the pairs are read through the index on (invoice, step), the clients' records
        through the index on (client, date).  :func:`relancelib.plan` calls it when given
        this journal; a request about most of the journal reads the whole of it."""
        as_of = check_date(as_of, "as_of")
        numbers = sorted(set(invoices))
        ids = sorted(set(clients))
        if self.schema < 3 or len(numbers) > self._size() // 2:
            return self.history(as_of)
        day = as_of.isoformat()
        with self._lock:
            try:
                cancellations = [
                    row[0]
                    for row in self._db.execute(
                        "SELECT action_key FROM events WHERE kind = 'cancellation'"
                    )
                ]
                pairs = self._db.execute(
                    f"{_PAIRS} WHERE s.cancelled = 0 AND r.on_date <= ?"
                    " AND s.invoice_number IN (SELECT value FROM json_each(?))",
                    (day, json.dumps(numbers)),
                ).fetchall()
                if cancellations:
                    pairs += self._db.execute(
                        f"{_PAIRS} WHERE s.cancelled = 1 AND r.on_date <= ?"
                        " AND r.key IN (SELECT value FROM json_each(?))",
                        (day, json.dumps(cancellations)),
                    ).fetchall()
                actions = self._db.execute(
                    "SELECT r.seq, r.key, r.client_id, COALESCE(r.step, (SELECT s.step FROM"
                    " record_steps s WHERE s.record_seq = r.seq ORDER BY s.position LIMIT 1),"
                    " ''), r.on_date FROM records r WHERE r.on_date <= ?"
                    " AND r.client_id IN (SELECT value FROM json_each(?))",
                    (day, json.dumps(ids)),
                ).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(
                    f"cannot read the journal ({exc})", field="SqliteJournal.path", value=self.path
                ) from None
        builder = HistoryBuilder()
        builder.events = self._event_index(as_of)
        wanted = set(numbers)
        pairs.sort(key=lambda row: (row[3], row[0], row[4]))
        actions.sort(key=lambda row: (row[4], row[0]))
        return builder.add_rows(
            (
                (key, number, step, on)
                for seq, key, number, on_date, _position, step in pairs
                if (on := self._day_of(seq, on_date)) is not None and number in wanted
            ),
            (
                (key, client_id, step, on)
                for seq, key, client_id, step, on_date in actions
                if (on := self._day_of(seq, on_date)) is not None
            ),
        )

    def _size(self) -> int:
        """About how many records the journal holds (the last record's number)."""
        with self._lock:
            return int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM records").fetchone()[0])

    def _day_of(self, seq: int, on_date: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(on_date)
        except (TypeError, ValueError):
            self._unreadable[seq] = f"record {seq}: unreadable date {on_date!r}"
            return None

    def _row_record(self, row: Any, pairs: list[tuple[str, str]]) -> Record | None:
        """The record of a row, or None (and a note in :attr:`unreadable`) for a row that
        was edited by hand into something that is not a record."""
        try:
            return Record(
                row[1],
                row[2],
                tuple(pairs),
                dt.date.fromisoformat(row[4]),
                Channel(row[5]),
                row[6],
                step=row[3],
            )
        except (TypeError, ValueError) as exc:
            self._unreadable[row[0]] = f"record {row[0]} ({row[1]}): unreadable ({exc})"
            return None

    @staticmethod
    def _readable(records: list[Record | None]) -> list[Record]:
        return [record for record in records if record is not None]

    @property
    def unreadable(self) -> tuple[str, ...]:
        """The rows found unreadable so far (edited by hand): skipped, and named here and
        by :meth:`verify`."""
        return tuple(self._unreadable[seq] for seq in sorted(self._unreadable))


#: The pairs of records with their record's key and date, for :meth:`history_for`.
_PAIRS = (
    "SELECT r.seq, r.key, s.invoice_number, r.on_date, s.position, s.step"
    " FROM record_steps s JOIN records r ON r.seq = s.record_seq"
)


class _AlreadyDone(Exception):
    """Internal: rolls back a record whose (invoice, step) pair was already recorded."""
