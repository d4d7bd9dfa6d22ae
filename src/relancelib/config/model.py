"""A validated ``relance.toml``: :class:`Config` and its :class:`Sources`."""

from __future__ import annotations

from pathlib import Path

import attrs

from relancelib import law
from relancelib.model import Creditor
from relancelib.policy import ReminderPolicy, SegmentPolicies

__all__ = ["Config", "Sources"]

#: Where the journal goes when the config does not say (next to the config file).
DEFAULT_JOURNAL = "relance-journal.sqlite"


@attrs.frozen
class Sources:
    """Where the invoices come from: CSV files (clients, invoices, payments), a Factur-X folder."""

    clients: Path | None = None
    invoices: Path | None = None
    payments: Path | None = None
    facturx: Path | None = None
    encoding: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when the config names no source of invoices at all."""
        return self.invoices is None and self.facturx is None


@attrs.frozen
class Config:
    """A validated ``relance.toml``: the creditor, the policies, where data and journal live."""

    creditor: Creditor
    policy: SegmentPolicies
    journal: Path
    sources: Sources = attrs.field(factory=Sources)
    templates: Path | None = None
    rates: law.Rates | None = None
    path: Path | None = None

    @property
    def default_policy(self) -> ReminderPolicy:
        """The policy of clients whose segment has no policy of its own."""
        return self.policy.default

    @property
    def calendar(self) -> str:
        """The holiday calendar code of the default policy (used for letter deadlines)."""
        return self.policy.default.holidays
