"""A validated ``relance.toml``: :class:`Config` and its :class:`Sources`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import attrs

from relancelib import law
from relancelib.config.smtp import SmtpSettings
from relancelib.io.rejections import DEFAULT_MAX_REJECTED
from relancelib.model import Creditor
from relancelib.policy import ReminderPolicy, SegmentPolicies

__all__ = ["Config", "Sources"]

#: Where the journal goes when the config does not say (next to the config file).
DEFAULT_JOURNAL = "relance-journal.sqlite"


@attrs.frozen
class Sources:
    """Where the invoices come from: CSV files (clients, invoices, payments) read as
    exported, and a folder of e-invoices (Factur-X PDF, CII XML, UBL XML).

    ``columns`` maps ``"clients"``, ``"invoices"``, ``"payments"`` to each file's own
    headers (``{"invoices": {"number": "N° pièce"}}``); ``preset`` names a known export;
    ``export_date`` dates the payments a balance column stands for; ``max_rejected`` is the
    share of a file's rows that may be left out before the run stops.
    """

    clients: Path | None = None
    invoices: Path | None = None
    payments: Path | None = None
    facturx: Path | None = None
    encoding: str | None = None
    einvoices: Path | None = None
    columns: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    preset: str | None = None
    export_date: dt.date | None = None
    max_rejected: Decimal = DEFAULT_MAX_REJECTED

    @property
    def is_empty(self) -> bool:
        """True when the config names no source of invoices at all."""
        return self.invoices is None and self.facturx is None and self.einvoices is None

    @property
    def folders(self) -> tuple[Path, ...]:
        """The e-invoice folders (``einvoices``, and ``facturx`` its former name)."""
        return tuple(folder for folder in (self.einvoices, self.facturx) if folder is not None)


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
    #: The SMTP server e-mails are sent through (``[smtp]``), if any.
    smtp: SmtpSettings | None = attrs.field(default=None, kw_only=True)

    @property
    def default_policy(self) -> ReminderPolicy:
        """The policy of clients whose segment has no policy of its own."""
        return self.policy.default

    @property
    def calendar(self) -> str:
        """The holiday calendar code of the default policy (used for letter deadlines)."""
        return self.policy.default.holidays
