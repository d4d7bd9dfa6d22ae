""":class:`SqliteJournal`: the embedded default store and the evidence trail, in one SQLite
file (WAL mode, one ``BEGIN IMMEDIATE`` transaction per record)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from types import TracebackType
from typing import Any

from relancelib.checks import check_date
from relancelib.engine import Action, History
from relancelib.errors import InvalidFieldError, JournalError
from relancelib.journal.history import HistoryBuilder
from relancelib.journal.protocol import FrameMixin
from relancelib.journal.record import Record, check_client_id, check_record_args, record_of
from relancelib.policy import Channel

__all__ = ["SqliteJournal"]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT NOT NULL UNIQUE,
    client_id  TEXT NOT NULL,
    step       TEXT,
    on_date    TEXT NOT NULL,
    channel    TEXT NOT NULL,
    reference  TEXT
);
CREATE TABLE IF NOT EXISTS record_steps (
    record_seq     INTEGER NOT NULL REFERENCES records(seq),
    position       INTEGER NOT NULL,
    invoice_number TEXT NOT NULL,
    step           TEXT NOT NULL,
    UNIQUE (invoice_number, step)
);
CREATE INDEX IF NOT EXISTS records_client ON records (client_id, on_date);
CREATE INDEX IF NOT EXISTS record_steps_record ON record_steps (record_seq);
"""

_SCHEMA_VERSION = 1


class SqliteJournal(FrameMixin):
    """A journal in an SQLite file: the embedded default store and the evidence trail.

    The database runs in WAL mode; each :meth:`record` is one ``BEGIN IMMEDIATE``
    transaction, so several threads or processes may record at once: an action is
    stored once and exactly one caller gets ``True``.  Use it as a context manager or
    call :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
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
        try:
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
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise JournalError(
                    f"was written by a newer relancelib (schema {version}, "
                    f"this one reads {_SCHEMA_VERSION})",
                    field="SqliteJournal.path",
                    value=self.path,
                )
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

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
                        return False
                    seq = cursor.lastrowid
                    try:
                        self._db.executemany(
                            "INSERT INTO record_steps (record_seq, position, invoice_number, step)"
                            " VALUES (?, ?, ?, ?)",
                            [
                                (seq, i, number, step)
                                for i, (number, step) in enumerate(record.steps)
                            ],
                        )
                    except sqlite3.IntegrityError:
                        # One (invoice, step) pair was already recorded by another action.
                        raise _AlreadyDone from None
                    return True
            except _AlreadyDone:
                return False
            except sqlite3.Error as exc:
                raise JournalError(f"cannot record action {record.key} ({exc})") from None

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
        out: list[Record] = []
        current: list[Any] | None = None
        pairs: list[tuple[str, str]] = []
        for row in self._rows(client_id, None):
            if current is None or row[0] != current[0]:
                if current is not None:
                    out.append(_row_record(current, pairs))
                current, pairs = row, []
            if row[7] is not None:
                pairs.append((row[7], row[8]))
        if current is not None:
            out.append(_row_record(current, pairs))
        return tuple(out)

    def history(self, as_of: dt.date) -> History:
        """The records dated on or before ``as_of``, indexed for the engine."""
        as_of = check_date(as_of, "as_of")
        builder = HistoryBuilder()
        dates: dict[str, dt.date] = {}
        for row in self._rows(None, as_of):
            on = dates.get(row[4])
            if on is None:
                on = dates[row[4]] = dt.date.fromisoformat(row[4])
            if row[7] is not None:
                builder.step(row[7], row[8], on)
            builder.contact(row[2], on)
        return builder.history()


def _row_record(row: Any, pairs: list[tuple[str, str]]) -> Record:
    return Record(
        row[1],
        row[2],
        tuple(pairs),
        dt.date.fromisoformat(row[4]),
        Channel(row[5]),
        row[6],
        step=row[3],
    )


class _AlreadyDone(Exception):
    """Internal: rolls back a record whose (invoice, step) pair was already recorded."""


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on any exception)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")
