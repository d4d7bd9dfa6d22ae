"""The :class:`Journal` protocol every store implements, and the notebook helpers they share."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from relancelib.engine import Action, History
from relancelib.journal.record import Record

if TYPE_CHECKING:
    import pandas

__all__ = ["Journal"]


@runtime_checkable
class Journal(Protocol):
    """What every journal offers: record actions, list records, index history for the engine."""

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

    def history(self, as_of: dt.date) -> History:
        """The records dated on or before ``as_of``, indexed for :func:`relancelib.plan`."""
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
