"""The statements that record an action in the PostgreSQL journal, in as few round trips as
the exactly-once guarantee allows.

:func:`store_record` is one query string, one round trip: begin, take the journal's write
lock, then one statement that looks (is the key, or one of the (invoice, step) pairs not
cancelled, recorded?), checks that the chain still ends where the caller believes it does,
and only then inserts the record, its pairs in their order and its ``record`` chain entry
(hashed in Python by ``journal.chain``, as every store does), then commit.  When another
writer appended to the chain meanwhile, nothing is written and the chain's real end comes
back: the caller tries again after it.  :func:`recorded_and_tail` and :func:`insert_record`
are the same steps one at a time, inside a transaction the caller holds (``confirm``).

The values are quoted into the statements as SQL literals by psycopg (no parameters), so that
several statements go in one query string.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, LiteralString

from relancelib.journal.chain import GENESIS, canonical, entry_hash, seal
from relancelib.journal.claims import record_fields
from relancelib.journal.record import Record

if TYPE_CHECKING:
    import psycopg
    import psycopg.sql

__all__ = [
    "Tail",
    "insert_record",
    "insert_records",
    "recorded",
    "recorded_and_tail",
    "store_record",
]

#: The end of the chain: the last entry's place and hash ((0, GENESIS) when empty).
Tail = tuple[int, str]

_RECORDED = (
    "EXISTS (SELECT 1 FROM records WHERE key = {}) OR EXISTS (SELECT 1"
    " FROM record_steps s JOIN unnest({}::text[], {}::text[]) AS t (n, k)"
    " ON s.invoice_number = t.n AND s.step = t.k WHERE NOT s.cancelled)"
)
# Whether recorded, and the chain's last entry (none when empty): one row, always.
_STATE = (
    "SELECT " + _RECORDED + " AS done, c.seq, c.hash FROM (SELECT 1) AS one LEFT JOIN LATERAL"
    " (SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1) AS c ON true"
)
_INSERT_PAIRS = (
    "INSERT INTO record_steps (record_seq, position, invoice_number, step)"
    " SELECT r.seq, t.i - 1, t.n, t.k"
    " FROM r, unnest({}::text[], {}::text[]) WITH ORDINALITY AS t (n, k, i)"
)
# A record, its (invoice, step) pairs in their order and its chain entry: one statement.
_INSERT_RECORD = (
    "WITH r AS (INSERT INTO records (key, client_id, step, on_date, channel, reference)"
    " VALUES ({}, {}, {}, {}, {}, {}) RETURNING seq),"
    " s AS (" + _INSERT_PAIRS + ")"
    " INSERT INTO chain (seq, kind, key, body, prev, hash)"
    " VALUES ({}, 'record', {}, {}, {}, {})"
)
# The same, written only when not recorded and the chain ends at the expected tail; then
# what was found (written or not, recorded or not, the chain's end before).
_STORE_RECORD = (
    "BEGIN; SELECT pg_advisory_xact_lock({});"
    " WITH state AS (" + _STATE + "),"
    " go AS (SELECT 1 FROM state WHERE NOT done"
    " AND coalesce(seq, 0) = {} AND coalesce(hash, {}) = {}),"
    " r AS (INSERT INTO records (key, client_id, step, on_date, channel, reference)"
    " SELECT {}, {}, {}, {}, {}, {} FROM go RETURNING seq),"
    " s AS (" + _INSERT_PAIRS + "),"
    " c AS (INSERT INTO chain (seq, kind, key, body, prev, hash)"
    " SELECT {}, 'record', {}, {}, {}, {} FROM r RETURNING seq)"
    " SELECT EXISTS (SELECT 1 FROM c), done, seq, hash FROM state; COMMIT"
)


def _literals(template: LiteralString, *values: object) -> psycopg.sql.Composed:
    """``template`` with each ``{}`` replaced by the SQL literal of a value, quoted by
    psycopg."""
    from psycopg import sql

    return sql.SQL(template).format(*(sql.Literal(value) for value in values))


def _columns(steps: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    pairs = list(steps)
    return [number for number, _ in pairs], [step for _, step in pairs]


def _tail(seq: Any, digest: Any) -> Tail:
    return (0, GENESIS) if seq is None else (int(seq), str(digest))


def _entry(record: Record, tail: Tail) -> tuple[object, ...]:
    """The values of ``record`` and of its chain entry after ``tail``, in the order of the
    insert statements."""
    seq, prev = tail[0] + 1, tail[1]
    body = seal(record_fields(record))
    return (
        record.key,
        record.client_id,
        record.step,
        record.on,
        record.channel.value,
        record.reference,
        *_columns(record.steps),
        seq,
        record.key,
        canonical(body),
        prev,
        entry_hash(prev, seq, "record", record.key, body),
    )


@functools.cache
def _recorded_query() -> psycopg.sql.Composed:
    """:data:`_RECORDED` with parameters: one query text, which psycopg prepares once."""
    from psycopg import sql

    return sql.SQL("SELECT " + _RECORDED).format(*[sql.Placeholder()] * 3)


def recorded(db: psycopg.Connection[Any], key: str, steps: Iterable[tuple[str, str]]) -> bool:
    """Whether ``key``, or one of the (invoice, step) pairs ``steps``, is already recorded
    (by an action not cancelled, for a pair)."""
    row = db.execute(_recorded_query(), (key, *_columns(steps))).fetchone()
    return bool(row and row[0])


def recorded_and_tail(
    db: psycopg.Connection[Any], key: str, steps: Iterable[tuple[str, str]]
) -> tuple[bool, Tail]:
    """:func:`recorded`, and the chain's end: what :func:`insert_record` appends after, in
    the same write transaction."""
    row = db.execute(_literals(_STATE, key, *_columns(steps))).fetchone()
    assert row is not None  # one row, always
    return bool(row[0]), _tail(row[1], row[2])


def insert_record(db: psycopg.Connection[Any], record: Record, tail: Tail) -> Tail:
    """Insert ``record``, its (invoice, step) pairs and its ``record`` chain entry after the
    chain's ``tail``, inside the caller's write transaction; the chain's new end."""
    values = _entry(record, tail)
    db.execute(_literals(_INSERT_RECORD, *values))
    return tail[0] + 1, str(values[-1])


def store_record(
    db: psycopg.Connection[Any], record: Record, tail: Tail, *, lock: int
) -> tuple[bool | None, Tail]:
    """Record ``record`` in one round trip and its own transaction, under the write lock
    ``lock``, if the chain still ends at ``tail``: ``True`` when written, ``False`` when
    already recorded, ``None`` when the chain has moved on (nothing written: try again
    after the tail returned).  Returns the chain's end after the call."""
    numbers, steps = _columns(record.steps)
    values = _entry(record, tail)
    expected = (tail[0], GENESIS, tail[1])
    query = _literals(_STORE_RECORD, lock, record.key, numbers, steps, *expected, *values)
    cursor = db.execute(query)
    row = None
    while True:  # the SELECT's row: the last result that has rows (COMMIT has none)
        if cursor.description is not None:
            row = cursor.fetchone()
        if not cursor.nextset():
            break
    assert row is not None  # one row, always
    if row[0]:
        return True, (tail[0] + 1, str(values[-1]))
    return (False if row[1] else None), _tail(row[2], row[3])


def insert_records(
    db: psycopg.Connection[Any], records: list[Record]
) -> tuple[tuple[bool, ...], Tail | None]:
    """Record ``records`` in order inside the caller's write transaction, in a few round
    trips whatever their number: look up every key and pair at once, answer each as
    :meth:`record` would one by one (an action whose key or one of whose pairs is recorded,
    in the journal or earlier in the batch, is not), then insert the new records, their
    pairs and their chain entries with one statement each.  The answers, and the chain's new
    end (None when nothing was written)."""
    numbers, steps = _columns(pair for record in records for pair in record.steps)
    keys = {row[0] for row in db.execute(
        "SELECT key FROM records WHERE key = ANY(%s)", ([r.key for r in records],))}  # fmt: skip
    pairs = set(db.execute(
        "SELECT s.invoice_number, s.step FROM record_steps s"
        " JOIN unnest(%s::text[], %s::text[]) AS t (n, k)"
        " ON s.invoice_number = t.n AND s.step = t.k WHERE NOT s.cancelled",
        (numbers, steps),
    ).fetchall())  # fmt: skip
    answers, new = [], []
    for record in records:
        done = record.key in keys or any(pair in pairs for pair in record.steps)
        answers.append(not done)
        if not done:
            keys.add(record.key)
            pairs.update(record.steps)
            new.append(record)
    if not new:
        return tuple(answers), None
    row = db.execute("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    tail = _tail(*row) if row else (0, GENESIS)
    entries = []
    for record in new:
        values = _entry(record, tail)
        entries.append(tuple(values[-5:]))  # seq, key, body, prev, hash
        tail = (tail[0] + 1, str(values[-1]))
    rows = [(r.key, r.client_id, r.step, r.on, r.channel.value, r.reference) for r in new]
    seqs = dict(db.execute(
        "INSERT INTO records (key, client_id, step, on_date, channel, reference)"
        " SELECT k, c, s, d, ch, ref FROM unnest(%s::text[], %s::text[], %s::text[],"
        " %s::date[], %s::text[], %s::text[]) WITH ORDINALITY AS t (k, c, s, d, ch, ref, i)"
        " ORDER BY i RETURNING key, seq",
        _by_column(rows, 6),
    ).fetchall())  # fmt: skip
    flat = [(seqs[r.key], i, n, s) for r in new for i, (n, s) in enumerate(r.steps)]
    if flat:
        db.execute(
            "INSERT INTO record_steps (record_seq, position, invoice_number, step)"
            " SELECT * FROM unnest(%s::bigint[], %s::int[], %s::text[], %s::text[])",
            _by_column(flat, 4),
        )
    db.execute(
        "INSERT INTO chain (seq, kind, key, body, prev, hash)"
        " SELECT q, 'record', k, b, p, h FROM unnest(%s::bigint[], %s::text[], %s::text[],"
        " %s::text[], %s::text[]) AS t (q, k, b, p, h)",
        _by_column(entries, 5),
    )
    return tuple(answers), tail


def _by_column(rows: Iterable[tuple[object, ...]], width: int) -> list[list[object]]:
    """``rows`` as ``width`` columns (the arrays ``unnest`` takes)."""
    columns: list[list[object]] = [[] for _ in range(width)]
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return columns
