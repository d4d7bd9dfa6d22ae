"""The PostgreSQL journal's tables, created on first use, and its advisory locks.

The tables mirror the SQLite journal's at its version 3 (``sqlite_schema``: records and their
(invoice, step) pairs, the hash chain, the outbox's claims, amendments, events) with
PostgreSQL's types (``DATE``, ``BOOLEAN``, identity columns), in a schema of their own, plus
``meta`` (the schema's version).  They are
created in one transaction under an advisory lock, so that several processes opening a new
journal at once create them once; a journal written by a newer relancelib is refused.

A new table (journal events, say) is one more statement in :data:`_TABLES` for a new
journal, and one more version in :func:`ensure_schema` for an existing one.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, LiteralString

from relancelib.errors import InvalidFieldError, JournalError

if TYPE_CHECKING:
    import psycopg

__all__ = ["SCHEMA_VERSION", "advisory_key", "check_schema_name", "ensure_schema"]

#: The version of the PostgreSQL tables this relancelib reads and writes.
SCHEMA_VERSION = 1

_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

_TABLES: tuple[LiteralString, ...] = (
    """CREATE TABLE meta (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE records (
        seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        key        TEXT NOT NULL UNIQUE,
        client_id  TEXT NOT NULL,
        step       TEXT,
        on_date    DATE NOT NULL,
        channel    TEXT NOT NULL,
        reference  TEXT
    )""",
    # An (invoice, step) pair is unique among the pairs not cancelled: a cancelled action's
    # steps may be recorded again, under a new key (the cancelled key stays in records).
    """CREATE TABLE record_steps (
        record_seq     BIGINT NOT NULL REFERENCES records (seq),
        position       INTEGER NOT NULL,
        invoice_number TEXT NOT NULL,
        step           TEXT NOT NULL,
        cancelled      BOOLEAN NOT NULL DEFAULT false
    )""",
    """CREATE UNIQUE INDEX record_steps_live ON record_steps (invoice_number, step)
        WHERE NOT cancelled""",
    "CREATE INDEX records_client ON records (client_id, on_date)",
    "CREATE INDEX records_on ON records (on_date, seq)",
    "CREATE INDEX record_steps_record ON record_steps (record_seq)",
    """CREATE TABLE chain (
        seq   BIGINT PRIMARY KEY,
        kind  TEXT NOT NULL,
        key   TEXT NOT NULL,
        body  TEXT NOT NULL,
        prev  TEXT NOT NULL,
        hash  TEXT NOT NULL
    )""",
    "CREATE INDEX chain_key ON chain (key)",
    """CREATE TABLE claims (
        key        TEXT PRIMARY KEY,
        client_id  TEXT NOT NULL,
        step       TEXT,
        on_date    DATE NOT NULL,
        channel    TEXT NOT NULL,
        steps      TEXT NOT NULL,
        reference  TEXT NOT NULL,
        target     TEXT NOT NULL,
        digest     TEXT,
        attempt    INTEGER NOT NULL,
        state      TEXT NOT NULL
    )""",
    """CREATE TABLE amendments (
        seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        key        TEXT NOT NULL,
        on_date    DATE NOT NULL,
        lrar       TEXT,
        receipt    DATE,
        reference  TEXT,
        note       TEXT
    )""",
    "CREATE INDEX amendments_key ON amendments (key)",
    """CREATE TABLE events (
        seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        key            TEXT NOT NULL UNIQUE,
        kind           TEXT NOT NULL,
        on_date        DATE NOT NULL,
        client_id      TEXT,
        invoice_number TEXT,
        action_key     TEXT,
        body           TEXT NOT NULL
    )""",
    "CREATE INDEX events_client ON events (client_id, on_date)",
    "CREATE INDEX events_invoice ON events (invoice_number, on_date)",
    "CREATE INDEX events_on ON events (on_date, seq)",
    "CREATE INDEX events_action ON events (action_key)",
)


def check_schema_name(value: object) -> str:
    """A PostgreSQL schema name the journal may create: lower-case letters, digits and
    ``_``, not starting with a digit, at most 63 characters (no quoting surprises)."""
    if not isinstance(value, str) or not _NAME.fullmatch(value) or value.startswith("pg_"):
        raise InvalidFieldError(
            "must be a schema name: lower-case letters, digits and _, at most 63, "
            "not starting with a digit or pg_",
            field="PostgresJournal.schema",
            value=value,
        )
    return value


def advisory_key(schema: str, purpose: str) -> int:
    """The advisory lock key of ``purpose`` (``schema``, ``write``, ``outbox``) for the
    journal in ``schema``: a signed 64-bit number, distinct per schema and purpose."""
    digest = hashlib.sha256(f"relancelib\x1f{schema}\x1f{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _version(db: psycopg.Connection[Any], schema: str) -> int | None:
    """The version recorded in ``schema``'s ``meta`` table (None: no journal there)."""
    row = db.execute("SELECT to_regclass(%s)", (f'"{schema}".meta',)).fetchone()
    if row is None or row[0] is None:
        return None
    found = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
    try:
        return 0 if found is None else int(found[0])
    except (TypeError, ValueError):
        return 0


def ensure_schema(db: psycopg.Connection[Any], schema: str) -> int:
    """Create the journal's tables in ``schema`` if they are not there (one transaction,
    under the schema's advisory lock), on an autocommit connection whose ``search_path`` is
    ``schema``.  Returns the schema version; refuses a journal written by a newer relancelib."""
    from psycopg import sql

    version = _version(db, schema)
    if version is None:
        # A session lock, then a transaction: a transaction that began before the lock was
        # granted would look tables up in a catalog cache from before the last holder's
        # commit, and find no table where it has just been created.
        db.execute("SELECT pg_advisory_lock(%s)", (advisory_key(schema, "schema"),))
        try:
            with db.transaction():
                version = _version(db, schema)  # created meanwhile by another process?
                if version is None:
                    exists = db.execute(
                        "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
                    ).fetchone()
                    if exists is None:
                        db.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
                    for statement in _TABLES:
                        db.execute(statement)
                    db.execute(
                        "INSERT INTO meta (name, value) VALUES ('schema', %s)",
                        (str(SCHEMA_VERSION),),
                    )
                    version = SCHEMA_VERSION
        finally:
            if not db.broken:
                db.execute("SELECT pg_advisory_unlock(%s)", (advisory_key(schema, "schema"),))
    if version != SCHEMA_VERSION:
        if version > SCHEMA_VERSION:
            reason = (
                f"was written by a newer relancelib (schema {version}, "
                f"this one reads {SCHEMA_VERSION})"
            )
        else:
            reason = f"holds a journal of an unknown schema ({version})"
        raise JournalError(reason, field="PostgresJournal.schema", value=schema)
    return version
