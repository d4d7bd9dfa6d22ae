"""The SQLite journal's schema, and its migrations from older files.

Version 1 held records only.  Version 2 adds the hash chain (``chain``), the claims of the
outbox (``claims``) and amendments (``amendments``); opening a version-1 file migrates it in
one transaction, chaining its existing records in their order.  Version 3 adds the journal's
events (``events``: key, kind, date, client, invoice, action key, the event as JSON) and
rebuilds ``record_steps`` with a ``cancelled`` column: an (invoice, step) pair is unique among
the pairs not cancelled only (a partial unique index), so a cancelled action's steps can be
recorded again.  Every migration runs in one transaction (the caller's).
"""

from __future__ import annotations

import sqlite3
from types import TracebackType

from relancelib.journal.chain import GENESIS, canonical, entry_hash, seal

__all__ = ["SCHEMA_VERSION", "Transaction", "migrate"]

SCHEMA_VERSION = 3

_V1 = """
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

_V2 = """
CREATE TABLE IF NOT EXISTS chain (
    seq   INTEGER PRIMARY KEY,
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    body  TEXT NOT NULL,
    prev  TEXT NOT NULL,
    hash  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chain_key ON chain (key);
CREATE TABLE IF NOT EXISTS claims (
    key        TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    step       TEXT,
    on_date    TEXT NOT NULL,
    channel    TEXT NOT NULL,
    steps      TEXT NOT NULL,
    reference  TEXT NOT NULL,
    target     TEXT NOT NULL,
    digest     TEXT,
    attempt    INTEGER NOT NULL,
    state      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS amendments (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT NOT NULL,
    on_date    TEXT NOT NULL,
    lrar       TEXT,
    receipt    TEXT,
    reference  TEXT,
    note       TEXT
);
CREATE INDEX IF NOT EXISTS amendments_key ON amendments (key);
"""

_V3 = """
CREATE TABLE IF NOT EXISTS events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    key            TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    on_date        TEXT NOT NULL,
    client_id      TEXT,
    invoice_number TEXT,
    action_key     TEXT,
    body           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_client ON events (client_id, on_date);
CREATE INDEX IF NOT EXISTS events_invoice ON events (invoice_number, on_date);
CREATE INDEX IF NOT EXISTS events_action ON events (action_key);
CREATE TABLE record_steps_v3 (
    record_seq     INTEGER NOT NULL REFERENCES records(seq),
    position       INTEGER NOT NULL,
    invoice_number TEXT NOT NULL,
    step           TEXT NOT NULL,
    cancelled      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO record_steps_v3 (record_seq, position, invoice_number, step)
    SELECT record_seq, position, invoice_number, step FROM record_steps;
DROP TABLE record_steps;
ALTER TABLE record_steps_v3 RENAME TO record_steps;
CREATE UNIQUE INDEX record_steps_live ON record_steps (invoice_number, step)
    WHERE cancelled = 0;
CREATE INDEX record_steps_record ON record_steps (record_seq);
CREATE INDEX record_steps_invoice ON record_steps (invoice_number)
"""


class Transaction:
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


def _run(db: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def migrate(db: sqlite3.Connection, version: int) -> None:
    """Bring a database at ``version`` (0: new) to :data:`SCHEMA_VERSION`, inside the
    caller's transaction."""
    if version < 1:
        _run(db, _V1)
    if version < 2:
        _run(db, _V2)
        _chain_existing_records(db)
    if version < 3:
        _run(db, _V3)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _chain_existing_records(db: sqlite3.Connection) -> None:
    """Append one ``record`` entry per record already stored (a version-1 file)."""
    prev = GENESIS
    rows = db.execute(
        "SELECT seq, key, client_id, step, on_date, channel, reference FROM records ORDER BY seq"
    ).fetchall()
    for seq, (row_seq, key, client_id, step, on_date, channel, reference) in enumerate(rows, 1):
        pairs = db.execute(
            "SELECT invoice_number, step FROM record_steps WHERE record_seq = ? ORDER BY position",
            (row_seq,),
        ).fetchall()
        body = seal(
            {
                "client_id": client_id,
                "steps": [[n, s] for n, s in pairs],
                "on": on_date,
                "channel": channel,
                "reference": reference,
                "step": step,
            }
        )
        digest = entry_hash(prev, seq, "record", key, body)
        db.execute(
            "INSERT INTO chain (seq, kind, key, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
            (seq, "record", key, canonical(body), prev, digest),
        )
        prev = digest
