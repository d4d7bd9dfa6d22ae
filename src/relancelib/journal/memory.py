""":class:`MemoryJournal`: a journal held in memory, for tests, notebooks and simulations."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable

from relancelib.checks import check_date, check_sequence
from relancelib.engine import Action, History
from relancelib.journal.history import HistoryBuilder, index_records
from relancelib.journal.protocol import FrameMixin
from relancelib.journal.record import Record, check_client_id, check_record_args, record_of

__all__ = ["MemoryJournal"]


class MemoryJournal(FrameMixin):
    """A journal held in memory: for tests, notebooks and simulations.  Thread-safe."""

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self._lock = threading.Lock()
        self._records: list[Record] = []
        self._keys: set[str] = set()
        self._pairs: set[tuple[str, str]] = set()
        self._index = HistoryBuilder()
        for record in check_sequence(records, Record, "records"):
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
        self._index.add(record.client_id, record.steps, record.on)
        return True

    def record(
        self, action: Action, on: dt.date | None = None, reference: str | None = None
    ) -> bool:
        """Mark each item's step of ``action`` done on ``on`` (default ``action.on``)."""
        action, when, reference = check_record_args(action, on, reference)
        with self._lock:
            return self._store(record_of(action, when, reference))

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        """The stored records, oldest first (by date, then by order of recording)."""
        client_id = check_client_id(client_id)
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
            latest = self._index.latest
            if latest is None:
                return History()
            if as_of >= latest:
                return self._index.history()
            return index_records(self._records, as_of)
