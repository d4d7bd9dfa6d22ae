"""The :class:`Journal` protocol every store implements, and the notebook helpers they share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from relancelib.engine import Action, History
from relancelib.events import Event
from relancelib.journal.chain import ChainEntry, Verification
from relancelib.journal.claims import Amendment, Claim, ClaimStatus
from relancelib.journal.record import Record

if TYPE_CHECKING:
    import pandas

__all__ = ["Journal", "LedgerJournal"]


@runtime_checkable
class Journal(Protocol):
    """What every journal offers: record actions and events, list them, index history for the
    engine."""

    def record(
        self, action: Action, on: dt.date | None = None, reference: str | None = None
    ) -> bool:
        """Mark each item's step of ``action`` done on ``on`` (default ``action.on``).

        Returns whether this call stored it: ``False`` when the action's key, or one of
        its (invoice, step) pairs, was already recorded.
        """
        ...

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        """The stored records (of one client when ``client_id`` is given), oldest first."""
        ...

    def add_event(self, event: Event, *, client_id: str | None = None) -> bool:
        """Store ``event`` (:mod:`relancelib.events`), idempotent by ``event.key``: False
        when it is already stored.

        ``client_id`` names the client of an event that names only an invoice (else the
        client of the invoice's latest record is taken, if any).  A call outcome or a
        cancellation must name a recorded action dated on or before it; an action is
        cancelled once, and its (invoice, step) pairs may then be recorded again under a
        new key (its own key stays refused).
        """
        ...

    def events(
        self, *, client_id: str | None = None, invoice_number: str | None = None
    ) -> tuple[Event, ...]:
        """The stored events (about one client, naming one invoice), oldest first."""
        ...

    def history(self, as_of: dt.date) -> History:
        """The records and events dated on or before ``as_of``, indexed for
        :func:`relancelib.plan` (a record cancelled by then counts in ``revisions`` only)."""
        ...


@runtime_checkable
class LedgerJournal(Journal, Protocol):
    """A journal the outbox can carry a plan out with: claims before anything leaves,
    amendments, a hash chain, verification and forgetting (both built-in journals)."""

    def claim(
        self,
        action: Action,
        *,
        reference: str,
        target: str,
        digest: str | None = None,
        on: dt.date | None = None,
    ) -> ClaimStatus:
        """Claim ``action`` before it is written or sent as ``reference`` to ``target``:
        ``CLAIMED`` by this call, ``PENDING`` (an open claim exists), or ``RECORDED``."""
        ...

    def record_many(
        self, actions: Iterable[Action], on: dt.date | None = None
    ) -> tuple[bool, ...]:
        """:meth:`record` each of ``actions`` at once (one transaction where the store has
        them), with the same answers as one by one."""
        ...

    def claims(self, *, pending: bool = True) -> tuple[Claim, ...]:
        """The open claims (all of them with ``pending=False``)."""
        ...

    def confirm(self, key: str) -> bool:
        """Record the claimed action: it is on disk or sent."""
        ...

    def release(self, key: str, reason: str) -> None:
        """Close the claim without recording: nothing left, the action stays due."""
        ...

    def exclusive(self) -> AbstractContextManager[None]:
        """Hold the outbox lock: one carrier at a time."""
        ...

    def amend(
        self,
        key: str,
        *,
        on: dt.date,
        lrar: str | None = None,
        receipt: dt.date | None = None,
        reference: str | None = None,
        note: str | None = None,
    ) -> Amendment:
        """Add to a record (LRAR number, receipt date...), as an event."""
        ...

    def amendments(self, key: str | None = None) -> tuple[Amendment, ...]:
        """The amendments, oldest first."""
        ...

    def chain(self) -> tuple[ChainEntry, ...]:
        """The hash chain, in order."""
        ...

    def verify(self) -> Verification:
        """Check the chain and the tables against it."""
        ...

    def forget(self, client_id: str, *, on: dt.date) -> int:
        """Erase a client's personal data; the chain still verifies."""
        ...


class FrameMixin:
    """Notebook helpers shared by the journals, through :mod:`relancelib.display` (the one
    presentation hook, which imports pandas only when asked)."""

    def records(self, client_id: str | None = None) -> tuple[Record, ...]:
        raise NotImplementedError  # pragma: no cover - implemented by subclasses

    def to_frame(self) -> pandas.DataFrame:
        """The records as a pandas DataFrame (needs the ``relancelib[pandas]`` extra)."""
        from relancelib.display import records_to_frame

        return records_to_frame(self.records())

    def _repr_html_(self) -> str:
        from relancelib.display import records_html

        return records_html(self.records())
