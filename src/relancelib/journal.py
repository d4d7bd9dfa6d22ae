"""Journals: what was already done, the evidence trail, and the engine's memory.

A journal stores one :class:`Record` per action carried out: its idempotency key, the
client, the (invoice, step) pairs it covered, the date, the channel and a reference
(an e-mail Message-ID, an LRAR number).  :func:`relancelib.plan` reads it through
:meth:`Journal.history` so that nothing is ever sent twice or skipped.

Recording is idempotent: :meth:`Journal.record` returns ``True`` only for the call
that stored the action, ``False`` when its key — or any of its (invoice, step) pairs —
was already recorded.  :class:`SqliteJournal` guarantees it across threads and
processes with one ``BEGIN IMMEDIATE`` transaction per record on a WAL database.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from relancelib.engine import Action, History
from relancelib.errors import InvalidFieldError, JournalError
from relancelib.model import check_date
from relancelib.policy import Channel

if TYPE_CHECKING:
    import pandas

__all__ = ["Journal", "MemoryJournal", "Record", "SqliteJournal"]


@attrs.frozen
class Record:
    """One action carried out: what was done, for whom, when, how, with which reference.

    ``steps`` holds the (invoice number, step key) pairs the action covered; ``step`` is
    the action's own (most advanced) step key, which chose the channel and template.
    """

    key: str
    client_id: str
    steps: tuple[tuple[str, str], ...]
    on: dt.date
    channel: Channel
    reference: str | None = None
    step: str | None = attrs.field(default=None, kw_only=True)

    @property
    def invoice_numbers(self) -> tuple[str, ...]:
        """The invoices the action covered."""
        return tuple(number for number, _step in self.steps)


@runtime_checkable
class Journal(Protocol):
    """What every journal offers: record actions, list records, index history for the engine."""

    def record(
        self, action: Action, on: dt.date | None = None, reference: str | None = None
    ) -> bool:
        """Mark each item's step of ``action`` done on ``on`` (default ``action.on``).

        Returns whether this call stored it: ``False`` when the action's key, or one of
        its (invoice, step) pairs, was already recorded.
        """
        ...

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        """The stored records (of one client when ``client_id`` is given), oldest first."""
        ...

    def history(self, as_of: dt.date) -> History:
        """The records dated on or before ``as_of``, indexed for :func:`relancelib.plan`."""
        ...


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _check_client_id(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidFieldError(
            "must be a client id (a string) or None", field="client_id", value=value
        )
    return value


def _check_record_args(
    action: object, on: object, reference: object
) -> tuple[Action, dt.date, str | None]:
    if not isinstance(action, Action):
        raise InvalidFieldError(
            "must be an Action from relancelib.plan()", field="action", value=action
        )
    when = check_date(action.on if on is None else on, "on")
    if reference is not None and (
        not isinstance(reference, str) or not reference.strip() or _CONTROL.search(reference)
    ):
        raise InvalidFieldError(
            "must be a non-empty single-line string (a Message-ID, an LRAR number)",
            field="reference",
            value=reference,
        )
    return action, when, reference


def _record_of(action: Action, on: dt.date, reference: str | None) -> Record:
    return Record(
        action.key,
        action.client.id,
        action.steps,
        on,
        action.channel,
        reference,
        step=action.step.key,
    )


def _index(records: Iterable[Record], as_of: dt.date | None) -> History:
    steps: dict[str, list[tuple[str, dt.date]]] = {}
    contacts: dict[str, dt.date] = {}
    for record in records:
        on = record.on
        if as_of is not None and on > as_of:
            continue
        for number, step in record.steps:
            entry = steps.get(number)
            if entry is None:
                steps[number] = [(step, on)]
            else:
                entry.append((step, on))
        last = contacts.get(record.client_id)
        if last is None or on > last:
            contacts[record.client_id] = on
    return History(steps, contacts)


class _FrameMixin:
    """Notebook helpers shared by the journals (pandas and HTML are imported lazily)."""

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        raise NotImplementedError  # pragma: no cover - implemented by subclasses

    def to_frame(self) -> pandas.DataFrame:
        """The records as a pandas DataFrame (needs the ``relancelib[pandas]`` extra)."""
        from relancelib.io import records_to_frame

        return records_to_frame(self.records())

    def _repr_html_(self) -> str:
        from relancelib.display import records_html

        return records_html(self.records())


class MemoryJournal(_FrameMixin):
    """A journal held in memory: for tests, notebooks and simulations.  Thread-safe."""

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self._lock = threading.Lock()
        self._records: list[Record] = []
        self._keys: set[str] = set()
        self._pairs: set[tuple[str, str]] = set()
        self._steps: dict[str, list[tuple[str, dt.date]]] = {}
        self._contacts: dict[str, dt.date] = {}
        self._latest: dt.date | None = None
        if isinstance(records, (str, bytes)) or not isinstance(records, Iterable):
            raise InvalidFieldError("must be an iterable of Record", field="records", value=records)
        for record in records:
            if not isinstance(record, Record):
                raise InvalidFieldError(
                    "must hold only Record objects", field="records", value=record
                )
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
        on = record.on
        for number, step in record.steps:
            self._steps.setdefault(number, []).append((step, on))
        last = self._contacts.get(record.client_id)
        if last is None or on > last:
            self._contacts[record.client_id] = on
        if self._latest is None or on > self._latest:
            self._latest = on
        return True

    def record(
        self, action: Action, on: dt.date | None = None, reference: str | None = None
    ) -> bool:
        """Mark each item's step of ``action`` done on ``on`` (default ``action.on``)."""
        action, when, reference = _check_record_args(action, on, reference)
        with self._lock:
            return self._store(_record_of(action, when, reference))

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        """The stored records, oldest first (by date, then by order of recording)."""
        client_id = _check_client_id(client_id)
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
            if self._latest is None:
                return History()
            if as_of >= self._latest:
                return History(self._steps, self._contacts)
            return _index(self._records, as_of)


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


class SqliteJournal(_FrameMixin):
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
        action, when, reference = _check_record_args(action, on, reference)
        record = _record_of(action, when, reference)
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
        client_id = _check_client_id(client_id)
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
        steps: dict[str, list[tuple[str, dt.date]]] = {}
        contacts: dict[str, dt.date] = {}
        dates: dict[str, dt.date] = {}
        for row in self._rows(None, as_of):
            on = dates.get(row[4])
            if on is None:
                on = dates[row[4]] = dt.date.fromisoformat(row[4])
            if row[7] is not None:
                steps.setdefault(row[7], []).append((row[8], on))
            last = contacts.get(row[2])
            if last is None or on > last:
                contacts[row[2]] = on
        return History(steps, contacts)


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
