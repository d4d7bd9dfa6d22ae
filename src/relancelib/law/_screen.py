"""Which invoices the law may have something to say about on a day: the screen the engine runs
on every open invoice before asking :func:`prescription_warning` and
:func:`payment_terms_warning`, so that the common invoice costs two comparisons."""

from __future__ import annotations

import datetime as dt

from relancelib.checks import check_date
from relancelib.law._prescription import _PRESCRIPTION_CHECK_DAYS
from relancelib.law._terms import _WITHIN_CAPS_DAYS
from relancelib.model import Invoice

__all__ = ["LawScreen"]


class LawScreen:
    """``screen(invoice)`` is False when no law warning can concern ``invoice`` on ``as_of``:
    every limitation period it could be under starts on or after its issue date (or its
    delivery date, when earlier) and none is near yet (Code de la consommation L218-2, two
    years, is the shortest), and its payment terms are within the 60 days of Code de commerce
    L441-10 I.  True means: ask the law's functions."""

    __slots__ = ("_latest_start",)

    def __init__(self, as_of: dt.date) -> None:
        as_of = check_date(as_of, "as_of")
        #: A start of limitation after this day is too recent for any warning on ``as_of``.
        self._latest_start = as_of.toordinal() - _PRESCRIPTION_CHECK_DAYS

    def __call__(self, invoice: Invoice) -> bool:
        issued = invoice.issue_date.toordinal()
        if (
            issued <= self._latest_start
            or invoice.due_date.toordinal() - issued > _WITHIN_CAPS_DAYS
        ):
            return True
        delivered = invoice.delivered_on
        return delivered is not None and delivered.toordinal() <= self._latest_start
