"""Journals: what was already done, the evidence trail, and the engine's memory.

A journal stores one :class:`Record` per action carried out: its idempotency key, the
client, the (invoice, step) pairs it covered, the date, the channel and a reference
(an e-mail Message-ID, an LRAR number).  :func:`relancelib.plan` reads it through
:meth:`Journal.history` so that nothing is ever sent twice or skipped.

Recording is idempotent: :meth:`Journal.record` returns ``True`` only for the call
that stored the action, ``False`` when its key — or any of its (invoice, step) pairs —
was already recorded.  :class:`SqliteJournal` guarantees it across threads and
processes with one ``BEGIN IMMEDIATE`` transaction per record on a WAL database.

Besides records, a journal stores **events** (:mod:`relancelib.events`: promises, instalment
plans, disputes, holds, call outcomes, cancellations): :meth:`Journal.add_event` (idempotent by
the event's key), :meth:`Journal.events`; ``history(as_of)`` carries those dated on or before
the day, and leaves out the records cancelled by then.

Modules: ``record`` (the Record and the checks of ``record()``'s arguments), ``protocol``
(the Journal protocol), ``history`` (the one place records and events become a History),
``memory`` and ``sqlite`` (the stores), ``chain`` (the hash chain: tamper evidence that
survives forgetting), ``claims`` (the outbox's claims and the amendments of records),
``eventlog`` (how any store keeps an event: checks, chain fields, table row),
``sqlite_schema``, ``sqlite_ledger`` and ``sqlite_events`` (the SQLite file's versions, its
claims, chain and forgetting, its events), ``postgres`` and its ``postgres_*`` modules (the
same contract on PostgreSQL, the ``postgres`` extra: psycopg is imported when a journal is
opened).
"""

from relancelib.journal.chain import ChainEntry, Verification
from relancelib.journal.claims import Amendment, Claim, ClaimState, ClaimStatus
from relancelib.journal.history import HistoryBuilder, index_records
from relancelib.journal.memory import MemoryJournal
from relancelib.journal.postgres import PostgresJournal
from relancelib.journal.protocol import Journal, LedgerJournal
from relancelib.journal.record import Record
from relancelib.journal.sqlite import SqliteJournal

__all__ = [
    "Amendment",
    "ChainEntry",
    "Claim",
    "ClaimState",
    "ClaimStatus",
    "HistoryBuilder",
    "Journal",
    "LedgerJournal",
    "MemoryJournal",
    "PostgresJournal",
    "Record",
    "SqliteJournal",
    "Verification",
    "index_records",
]
