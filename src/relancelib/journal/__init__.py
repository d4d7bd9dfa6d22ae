"""Journals: what was already done, the evidence trail, and the engine's memory.

A journal stores one :class:`Record` per action carried out: its idempotency key, the
client, the (invoice, step) pairs it covered, the date, the channel and a reference
(an e-mail Message-ID, an LRAR number).  :func:`relancelib.plan` reads it through
:meth:`Journal.history` so that nothing is ever sent twice or skipped.

Recording is idempotent: :meth:`Journal.record` returns ``True`` only for the call
that stored the action, ``False`` when its key — or any of its (invoice, step) pairs —
was already recorded.  :class:`SqliteJournal` guarantees it across threads and
processes with one ``BEGIN IMMEDIATE`` transaction per record on a WAL database.

Modules: ``record`` (the Record and the checks of ``record()``'s arguments), ``protocol``
(the Journal protocol), ``history`` (the one place records become a History), ``memory``
and ``sqlite`` (the stores), ``chain`` (the hash chain: tamper evidence that survives
forgetting), ``claims`` (the outbox's claims and the amendments of records), ``sqlite_schema``
and ``sqlite_ledger`` (the SQLite file's versions and its claims, chain and forgetting).
"""

from relancelib.journal.chain import ChainEntry, Verification
from relancelib.journal.claims import Amendment, Claim, ClaimState, ClaimStatus
from relancelib.journal.history import HistoryBuilder, index_records
from relancelib.journal.memory import MemoryJournal
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
    "Record",
    "SqliteJournal",
    "Verification",
    "index_records",
]
