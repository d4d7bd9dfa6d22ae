"""Building the engine's :class:`~relancelib.engine.History` from records: the one place that
indexes what a journal holds, whichever store it comes from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from relancelib.checks import check_optional_date, check_sequence
from relancelib.engine import History
from relancelib.journal.record import Record

__all__ = ["HistoryBuilder", "index_records"]


class HistoryBuilder:
    """Accumulates (client, invoice steps, date) facts into a :class:`History`.

    The memory journal keeps one live builder; the SQLite journal and replays over a list of
    records fill a fresh one.  ``history()`` shares the builder's dictionaries (no copy):
    whoever receives it treats it as read-only.
    """

    __slots__ = ("_contacts", "_steps", "latest")

    def __init__(self) -> None:
        self._steps: dict[str, list[tuple[str, dt.date]]] = {}
        self._contacts: dict[str, dt.date] = {}
        #: The date of the latest fact added (None when empty).
        self.latest: dt.date | None = None

    def add(self, client_id: str, steps: Iterable[tuple[str, str]], on: dt.date) -> None:
        """Record that ``client_id`` was contacted on ``on`` for these (invoice, step) pairs."""
        known = self._steps
        for number, step in steps:
            entry = known.get(number)
            if entry is None:
                known[number] = [(step, on)]
            else:
                entry.append((step, on))
        self.contact(client_id, on)

    def contact(self, client_id: str, on: dt.date) -> None:
        """Record a contact with ``client_id`` on ``on`` (the gap rule counts from the last)."""
        last = self._contacts.get(client_id)
        if last is None or on > last:
            self._contacts[client_id] = on
        if self.latest is None or on > self.latest:
            self.latest = on

    def step(self, number: str, step: str, on: dt.date) -> None:
        """Record one (invoice, step) pair done on ``on`` (its client's contact separately)."""
        entry = self._steps.get(number)
        if entry is None:
            self._steps[number] = [(step, on)]
        else:
            entry.append((step, on))

    def history(self) -> History:
        """The facts added so far, as the engine reads them."""
        return History(self._steps, self._contacts)


def index_records(records: Iterable[Record], as_of: dt.date | None = None) -> History:
    """The :class:`History` of ``records`` dated on or before ``as_of`` (all when None)."""
    as_of = check_optional_date(as_of, "as_of")
    builder = HistoryBuilder()
    for record in check_sequence(records, Record, "records"):
        if as_of is None or record.on <= as_of:
            builder.add(record.client_id, record.steps, record.on)
    return builder.history()
