"""Building the engine's :class:`~relancelib.engine.History` from records and events: the one
place that indexes what a journal holds, whichever store it comes from.

A record whose key has a :class:`~relancelib.events.Cancellation` dated on or before the day
counts in none of ``steps``, ``contacts`` and ``actions``; each (invoice, step) pair it
carried adds one to ``revisions`` (the pair's next action gets a new key).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable

from relancelib.checks import check_optional_date, check_sequence
from relancelib.engine import History
from relancelib.events import Event, EventIndex
from relancelib.journal.record import Record

__all__ = ["HistoryBuilder", "action_step", "index_records"]


def action_step(record: Record) -> str:
    """The record's own step key (a version-1 file may lack it: its first pair's step)."""
    if record.step is not None:
        return record.step
    return record.steps[0][1] if record.steps else ""


def _by_date(entry: tuple[str, dt.date]) -> dt.date:
    return entry[1]


class HistoryBuilder:
    """Accumulates (client, invoice steps, date) facts into a :class:`History`.

    The memory journal keeps one live builder; the SQLite journal and replays over a list of
    records fill a fresh one.  ``history()`` shares the builder's dictionaries (no copy):
    whoever receives it treats it as read-only.
    """

    __slots__ = ("_actions", "_contacts", "_revisions", "_steps", "events", "latest")

    def __init__(self) -> None:
        self._steps: dict[str, list[tuple[str, dt.date]]] = {}
        self._contacts: dict[str, dt.date] = {}
        self._actions: dict[str, list[tuple[str, dt.date]]] = {}
        self._revisions: dict[tuple[str, str], int] = {}
        #: The events the history carries (set by whoever fills the builder).
        self.events = EventIndex()
        #: The date of the latest fact added (None when empty).
        self.latest: dt.date | None = None

    def add(
        self, client_id: str, steps: Iterable[tuple[str, str]], on: dt.date, step: str = ""
    ) -> None:
        """Record that ``client_id`` was contacted on ``on`` for these (invoice, step) pairs,
        by an action at ``step``."""
        known = self._steps
        for number, pair_step in steps:
            entry = known.get(number)
            if entry is None:
                known[number] = [(pair_step, on)]
            else:
                entry.append((pair_step, on))
        self.contact(client_id, on)
        self.action(client_id, step, on)

    def add_record(self, record: Record) -> None:
        """:meth:`add` for one record."""
        self.add(record.client_id, record.steps, record.on, action_step(record))

    def contact(self, client_id: str, on: dt.date) -> None:
        """Record a contact with ``client_id`` on ``on`` (the gap rule counts from the last)."""
        last = self._contacts.get(client_id)
        if last is None or on > last:
            self._contacts[client_id] = on
        if self.latest is None or on > self.latest:
            self.latest = on

    def action(self, client_id: str, step: str, on: dt.date) -> None:
        """Record an action at ``step`` for ``client_id`` on ``on`` (kept in date order)."""
        entry = self._actions.get(client_id)
        if entry is None:
            self._actions[client_id] = [(step, on)]
        elif on >= entry[-1][1]:
            entry.append((step, on))
        else:
            bisect.insort_right(entry, (step, on), key=_by_date)

    def step(self, number: str, step: str, on: dt.date) -> None:
        """Record one (invoice, step) pair done on ``on`` (its client's contact separately)."""
        entry = self._steps.get(number)
        if entry is None:
            self._steps[number] = [(step, on)]
        else:
            entry.append((step, on))

    def revise(self, number: str, step: str) -> None:
        """Count one cancelled record of the pair (``number``, ``step``)."""
        pair = (number, step)
        self._revisions[pair] = self._revisions.get(pair, 0) + 1

    def add_rows(
        self,
        pairs: Iterable[tuple[str, str, str, dt.date]],
        actions: Iterable[tuple[str, str, str, dt.date]],
    ) -> History:
        """Fill the builder from a store's rows (what ``history_for`` reads) and return the
        history: ``pairs`` are (record key, invoice, step, date) in record order, ``actions``
        (record key, client, action step, date) in date order; a record cancelled in
        :attr:`events` counts only in the revisions of its pairs."""
        cancelled = self.events.cancelled
        for key, number, step, on in pairs:
            if key in cancelled:
                self.revise(number, step)
            else:
                self.step(number, step, on)
        for key, client_id, step, on in actions:
            if key not in cancelled:
                self.contact(client_id, on)
                self.action(client_id, step, on)
        return self.history()

    def history(self) -> History:
        """The facts added so far, as the engine reads them."""
        return History(
            self._steps,
            self._contacts,
            actions=self._actions,
            revisions=self._revisions,
            events=self.events,
        )


def index_records(
    records: Iterable[Record], as_of: dt.date | None = None, events: Iterable[Event] = ()
) -> History:
    """The :class:`History` of ``records`` and ``events`` dated on or before ``as_of`` (all
    when None): a record cancelled by then counts only in ``revisions``."""
    as_of = check_optional_date(as_of, "as_of")
    index = EventIndex.of(check_sequence(events, Event, "events"), as_of)
    return fill(HistoryBuilder(), check_sequence(records, Record, "records"), as_of, index)


def fill(
    builder: HistoryBuilder, records: Iterable[Record], as_of: dt.date | None, index: EventIndex
) -> History:
    """Add ``records`` dated on or before ``as_of`` to ``builder`` (cancellations from
    ``index``) and return its history, carrying ``index``."""
    cancelled = index.cancelled
    for record in records:
        if as_of is not None and record.on > as_of:
            continue
        if record.key in cancelled:
            for number, step in record.steps:
                builder.revise(number, step)
        else:
            builder.add_record(record)
    builder.events = index
    return builder.history()
