"""The SQLite journal's schema, and its migrations from older files.

Version 1 held records only.  Version 2 adds the hash chain (``chain``), the claims of the
outbox (``claims``) and amendments (``amendments``); opening a version-1 file migrates it in
one transaction, chaining its existing records in their order.
"""

from __future__ import annotations

import sqlite3

from relancelib.journal.chain import GENESIS, canonical, entry_hash, seal

__all__ = ["SCHEMA_VERSION", "migrate"]

SCHEMA_VERSION = 2

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
