""":class:`PostgresJournal`: the journal in a PostgreSQL database, for applications whose
workers share one journal across machines (psycopg 3, the optional extra
``relancelib[postgres]``, imported when a journal is opened)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Collection, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from relancelib.checks import check_date, check_sequence
from relancelib.engine import Action, History
from relancelib.errors import InvalidFieldError, JournalError, RelanceError
from relancelib.journal.chain import GENESIS
from relancelib.journal.history import HistoryBuilder
from relancelib.journal.postgres_ledger import PostgresLedger
from relancelib.journal.postgres_records import (
    Tail,
    insert_record,
    insert_records,
    recorded,
    recorded_and_tail,
    store_record,
)
from relancelib.journal.postgres_schema import advisory_key, check_schema_name, ensure_schema
from relancelib.journal.protocol import FrameMixin
from relancelib.journal.record import Record, check_client_id, check_record_args, record_of
from relancelib.policy import Channel

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresJournal", "require_psycopg"]


def require_psycopg() -> None:
    """Check that psycopg 3 is installed, or raise a :class:`RelanceError` naming the extra."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise RelanceError(
            "PostgresJournal needs psycopg 3: install it with pip install "
            f"'relancelib[postgres]' ({exc})"
        ) from exc


def shown_dsn(dsn: str) -> str:
    """``dsn`` without its password, for messages and ``repr``."""
    import psycopg
    from psycopg import conninfo

    try:
        parts = conninfo.conninfo_to_dict(dsn)
    except psycopg.Error:  # libpq cannot parse it: show nothing of it
        return "<unreadable DSN>"
    parts.pop("password", None)
    return conninfo.make_conninfo(**{k: str(v) for k, v in parts.items()})


class PostgresJournal(PostgresLedger, FrameMixin):
    """A journal in a PostgreSQL database: the same contract as :class:`SqliteJournal`,
    shared by processes on several machines.

    ``dsn`` is a libpq connection string or URI (``"host=db.example dbname=compta
    user=relance"``, ``"postgresql://relance@db.example/compta"``; a password is better kept
    in ``~/.pgpass`` or ``PGPASSWORD`` than in the DSN).  The journal's tables live in the
    PostgreSQL schema ``schema`` (``relance`` by default; one journal per schema), created
    with their indexes on first use in one transaction — several processes opening a new
    journal at once are safe.  The role needs ``CREATE`` on the database the first time, and
    only ``SELECT``/``INSERT``/``UPDATE`` on the tables after that.

    Every change is one transaction that first takes the journal's write lock (a
    transaction-level advisory lock), so an action is stored once and exactly one of the
    processes recording it gets ``True``, and the hash chain stays one line.  The outbox
    lock (:meth:`exclusive`) is a session-level advisory lock, released by the server if the
    process dies.  ``timeout`` is the connection timeout, in seconds.  Use it as a context
    manager or call :meth:`close`.
    """

    def __init__(self, dsn: str, *, schema: str = "relance", timeout: float = 30.0) -> None:
        if not isinstance(dsn, str) or not dsn.strip() or "\x00" in dsn:
            raise InvalidFieldError(
                "must be a PostgreSQL connection string (host=… dbname=…) or URI",
                field="PostgresJournal.dsn",
                value=dsn if not isinstance(dsn, str) else "<DSN>",
            )
        self.schema = check_schema_name(schema)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not 0 < timeout <= 3600  # NaN fails both comparisons
        ):
            raise InvalidFieldError(
                "must be a number of seconds between 0 and 3600",
                field="PostgresJournal.timeout",
                value=timeout,
            )
        require_psycopg()
        self._lock = threading.RLock()
        self._unreadable: dict[int, str] = {}
        self._write_key = advisory_key(self.schema, "write")
        self._outbox_key = advisory_key(self.schema, "outbox")
        self._init_ledger()
        self.dsn = shown_dsn(dsn)
        self._dsn = dsn
        self._timeout = timeout
        #: Where this journal last saw the chain end (checked by the server before use).
        self._tail: Tail = (0, GENESIS)
        #: Whether the last record() found its action already recorded.
        self._rerun = False
        self._db = self._connect()

    def _connect(self) -> psycopg.Connection[Any]:
        """A new connection, on the journal's schema (its tables created if need be)."""
        import psycopg

        try:
            db = psycopg.connect(
                self._dsn,
                autocommit=True,
                connect_timeout=max(1, round(self._timeout)),
                client_encoding="utf8",
                application_name="relancelib",
            )
        except psycopg.Error as exc:
            raise JournalError(
                f"cannot connect to PostgreSQL ({_first_line(exc)})",
                field="PostgresJournal.dsn",
                value=self.dsn,
            ) from None
        try:
            db.execute("SELECT set_config('search_path', %s, false)", (f'"{self.schema}"',))
            self.schema_version = ensure_schema(db, self.schema)
        except psycopg.Error as exc:
            db.close()
            raise JournalError(
                f"cannot open the journal ({_first_line(exc)})",
                field="PostgresJournal.schema",
                value=self.schema,
            ) from None
        except BaseException:
            db.close()
            raise
        return db

    def _reconnect(self) -> None:
        """Connect again when the server dropped the connection (a restart, a network
        failure): the call that met it failed, the next one works.  Not while the outbox
        lock is held, for it went with the connection."""
        if not self._db.broken:
            return
        if self._exclusive_depth:
            raise JournalError(
                "lost its connection to PostgreSQL, and the outbox lock with it",
                field="PostgresJournal.schema",
                value=self.schema,
            )
        self._db = self._connect()

    def __repr__(self) -> str:
        return f"PostgresJournal({self.dsn!r}, schema={self.schema!r})"

    def __enter__(self) -> PostgresJournal:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (releasing the outbox lock if it is held)."""
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One transaction holding the journal's write lock (as SQLite's ``BEGIN
        IMMEDIATE``): writers across processes and machines take turns."""
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (self._write_key,))
            yield

    def record(
        self, action: Action, on: dt.date | None = None, reference: str | None = None
    ) -> bool:
        """Mark each item's step of ``action`` done on ``on`` (default ``action.on``) atomically."""
        import psycopg

        action, when, reference = check_record_args(action, on, reference)
        record = record_of(action, when, reference)
        with self._lock:
            self._reconnect()
            try:
                return self._store(record)
            except psycopg.errors.UniqueViolation:
                self._rollback()
                return False  # written meanwhile by a writer that did not take the lock
            except psycopg.Error as exc:
                self._rollback()
                raise JournalError(
                    f"cannot record action {record.key} ({_first_line(exc)})"
                ) from None
            except BaseException:
                self._rollback()
                raise

    def _store(self, record: Record) -> bool:
        """Store ``record`` (with the lock held): one round trip when the chain ends where
        this journal last saw it (one writer at a time, the common case), else once more
        after its new end; when other writers keep appending, the steps one at a time in
        one transaction holding the write lock.  During a rerun, one look without the lock
        first."""
        # After a call that found its action recorded (a day run again), look first without
        # the lock: one cheap prepared query answers the rest of such a run.
        if self._rerun and recorded(self._db, record.key, record.steps):
            return False
        for _attempt in range(2):
            stored, self._tail = store_record(self._db, record, self._tail, lock=self._write_key)
            if stored is not None:
                self._rerun = not stored
                return stored
        with self._write():
            self._rerun, tail = recorded_and_tail(self._db, record.key, record.steps)
            if self._rerun:
                return False
            tail = insert_record(self._db, record, tail)
        self._tail = tail
        return True

    def record_many(
        self, actions: Iterable[Action], on: dt.date | None = None
    ) -> tuple[bool, ...]:
        """:meth:`record` each of ``actions`` in one transaction under the write lock: the
        same exactly-once answers (``False`` for an action already recorded, by key or by
        one of its pairs, in the journal or earlier in the batch), one commit for the whole
        batch instead of one per action."""
        records = []
        for action in check_sequence(actions, Action, "actions"):
            checked, when, reference = check_record_args(action, on, None)
            records.append(record_of(checked, when, reference))
        if not records:
            return ()
        with self._change(f"record {len(records)} actions"):
            answers, tail = insert_records(self._db, records)
        if tail is not None:
            self._tail = tail
        return answers

    def _rollback(self) -> None:
        """End the transaction :meth:`record` began by hand, if a failure left it open."""
        import psycopg

        if self._db.broken or self._db.closed:
            return
        if self._db.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            with contextlib.suppress(psycopg.Error):  # a connection lost: nothing to end
                self._db.execute("ROLLBACK")

    def _rows(self, client_id: str | None, as_of: dt.date | None) -> list[Any]:
        query = (
            "SELECT r.seq, r.key, r.client_id, r.step, r.on_date, r.channel, r.reference,"
            " s.invoice_number, s.step FROM records r"
            " LEFT JOIN record_steps s ON s.record_seq = r.seq"
        )
        conditions: list[str] = []
        params: list[object] = []
        if client_id is not None:
            conditions.append("r.client_id = %s")
            params.append(client_id)
        if as_of is not None:
            conditions.append("r.on_date <= %s")
            params.append(as_of)
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY r.on_date, r.seq, s.position"
        return self._read(query, tuple(params))

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        """The stored records, oldest first (by date, then by order of recording)."""
        client_id = check_client_id(client_id)
        out: list[Record] = []
        current: Any = None
        pairs: list[tuple[str, str]] = []
        for row in self._rows(client_id, None):
            if current is None or row[0] != current[0]:
                if current is not None:
                    self._keep(out, current, pairs)
                current, pairs = row, []
            if row[7] is not None:
                pairs.append((row[7], row[8]))
        if current is not None:
            self._keep(out, current, pairs)
        return tuple(out)

    def history(self, as_of: dt.date) -> History:
        """The records and events dated on or before ``as_of``, indexed for the engine (a
        record cancelled by then counts only in ``revisions``)."""
        as_of = check_date(as_of, "as_of")
        builder = HistoryBuilder()
        builder.events = self._event_index(as_of)
        cancelled = builder.events.cancelled
        seq = None
        for row in self._rows(None, as_of):
            if cancelled and row[1] in cancelled:
                if row[7] is not None:
                    builder.revise(row[7], row[8])
                continue
            if row[7] is not None:
                builder.step(row[7], row[8], row[4])
            if row[0] != seq:  # the first row of a record
                seq = row[0]
                builder.contact(row[2], row[4])
                builder.action(row[2], row[3] if row[3] is not None else row[8] or "", row[4])
        return builder.history()

    def history_for(
        self, as_of: dt.date, invoices: Collection[str], clients: Collection[str]
    ) -> History:
        """:meth:`history` restricted to the records of ``invoices`` and ``clients`` (the
        ones being planned): its cost follows the day's work, not the journal's length —
        the pairs are read through the index on (invoice, step), the clients' records
        through the index on (client, date).  :func:`relancelib.plan` calls it when given
        this journal.  (``SqliteJournal.history_for``'s reading, in this store's SQL.)"""
        as_of = check_date(as_of, "as_of")
        numbers = sorted(check_sequence(invoices, str, "invoices"))
        ids = sorted(check_sequence(clients, str, "clients"))
        builder = HistoryBuilder()
        builder.events = self._event_index(as_of)
        pairs = self._read(
            _PAIRS + " WHERE NOT s.cancelled AND r.on_date <= %s AND s.invoice_number = ANY(%s)",
            (as_of, numbers),
        )
        keys = self._read(
            "SELECT DISTINCT action_key FROM events WHERE kind = 'cancellation'"
            " AND action_key IS NOT NULL"
        )
        if keys:  # the pairs of cancelled records, which count as revisions
            pairs += self._read(
                _PAIRS + " WHERE s.cancelled AND r.on_date <= %s AND r.key = ANY(%s)"
                " AND s.invoice_number = ANY(%s)",
                (as_of, [key for (key,) in keys], numbers),
            )
        actions = self._read(
            "SELECT r.seq, r.key, r.client_id, coalesce(r.step, (SELECT s.step FROM"
            " record_steps s WHERE s.record_seq = r.seq ORDER BY s.position LIMIT 1), ''),"
            " r.on_date FROM records r WHERE r.on_date <= %s AND r.client_id = ANY(%s)"
            " ORDER BY r.on_date, r.seq",
            (as_of, ids),
        )
        pairs.sort(key=lambda row: (row[3], row[0], row[4]))
        return builder.add_rows(
            ((key, number, step, on) for _seq, key, number, on, _position, step in pairs),
            ((key, client_id, step, on) for _seq, key, client_id, step, on in actions),
        )

    def _keep(self, out: list[Record], row: Any, pairs: list[tuple[str, str]]) -> None:
        """Append the record of a row, or note it in :attr:`unreadable` when it was edited
        by hand into something that is not a record (an unknown channel)."""
        try:
            out.append(
                Record(row[1], row[2], tuple(pairs), row[4], Channel(row[5]), row[6], step=row[3])
            )
        except (TypeError, ValueError) as exc:
            self._unreadable[row[0]] = f"record {row[0]} ({row[1]}): unreadable ({exc})"

    @property
    def unreadable(self) -> tuple[str, ...]:
        """The rows found unreadable so far (edited by hand): skipped, and named here and
        by :meth:`verify`."""
        return tuple(self._unreadable[seq] for seq in sorted(self._unreadable))


_PAIRS = (
    "SELECT r.seq, r.key, s.invoice_number, r.on_date, s.position, s.step"
    " FROM record_steps s JOIN records r ON r.seq = s.record_seq"
)


def _first_line(exc: BaseException) -> str:
    """The first line of a driver error (libpq's messages run on over several lines)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
