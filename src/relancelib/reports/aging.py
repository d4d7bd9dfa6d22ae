"""The aged balance (*balance âgée*): what each client owes, by how late it is.

:func:`aging` is the French table (buckets *non échu*, *1–30 jours*, … *> 90 jours*, as
:data:`AGING_BUCKETS`).  :func:`aged_balance` is the same table under the English labels of
release 0.1 (:data:`AGED_BUCKETS`), kept so that code written for 0.1 — and
``relancelib.io.aged_balance`` — goes on working: same rows, same amounts, only the column
labels differ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from relancelib.model import Invoice
from relancelib.reports._ledger import checked_invoices, zero

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AGED_BUCKETS", "AGING_BUCKETS", "TOTAL", "aged_balance", "aging", "bucket_of"]

#: The buckets of :func:`aged_balance` (release 0.1's English labels), by days past due.
AGED_BUCKETS = ("not due", "1-30", "31-60", "61-90", "> 90")
#: The buckets of :func:`aging`, in French, by days past the due date.
AGING_BUCKETS = ("non échu", "1–30 jours", "31–60 jours", "61–90 jours", "> 90 jours")
#: The label of the total rows (client id) and of the total column is ``"total"``.
TOTAL = "Total"


def bucket_of(days_overdue: int) -> int:
    """The bucket index (0 to 4) of an invoice ``days_overdue`` days past its due date:
    0 not yet due (0 days late counts as not due), then 1–30, 31–60, 61–90, over 90."""
    if days_overdue <= 0:
        return 0
    if days_overdue <= 30:
        return 1
    if days_overdue <= 60:
        return 2
    if days_overdue <= 90:
        return 3
    return 4


def aging(invoices: Iterable[Invoice], as_of: dt.date) -> pd.DataFrame:
    """The aged balance on ``as_of`` in French buckets (:data:`AGING_BUCKETS`), per client
    and in total.

    Rows are indexed by ``(client_id, currency)`` — amounts in different currencies are
    never added — sorted, then one ``("Total", currency)`` row per currency.  Columns are
    the five buckets (days past the due date on ``as_of``) and ``total``.  Cells are exact
    :class:`~decimal.Decimal` amounts quantized to the currency (``object`` columns), and
    each row's buckets add up to its ``total``, the open balance.  Balances are
    :meth:`Invoice.balance` on ``as_of``: invoices issued after ``as_of`` and settled ones
    are left out; disputed and held invoices are included (they are still owed), and an
    overpaid invoice counts as a negative balance (a credit).
    """
    return _aged(invoices, as_of, AGING_BUCKETS)


def aged_balance(invoices: Iterable[Invoice], as_of: dt.date) -> pd.DataFrame:
    """:func:`aging` under release 0.1's English column labels (:data:`AGED_BUCKETS`).

    Kept for compatibility (also importable from :mod:`relancelib.io`); new code should use
    :func:`aging`.  pandas (``relancelib[pandas]``) is imported only when called.
    """
    return _aged(invoices, as_of, AGED_BUCKETS)


def _aged(invoices: Iterable[Invoice], as_of: dt.date, labels: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    checked, day = checked_invoices(invoices, as_of)
    sums: dict[tuple[str, str], list[Decimal]] = {}
    for invoice in checked:
        if invoice.issue_date > day:
            continue
        balance = invoice.balance(day)
        if balance == 0:
            continue
        cells = sums.get((invoice.client_id, invoice.currency))
        if cells is None:
            cells = sums[invoice.client_id, invoice.currency] = [zero(invoice.currency)] * 5
        cells[bucket_of((day - invoice.due_date).days)] += balance
    keys = sorted(sums)
    data = [[*sums[key], sum(sums[key], Decimal(0))] for key in keys]
    for currency in sorted({currency for _client, currency in keys}):
        rows = [row for key, row in zip(keys, data, strict=True) if key[1] == currency]
        nil = zero(currency)
        totals = [sum((row[i] for row in rows), nil) for i in range(len(labels) + 1)]
        keys.append((TOTAL, currency))
        data.append(totals)
    index = pd.MultiIndex.from_tuples(keys, names=["client_id", "currency"])
    if not keys:  # from_tuples cannot tell the number of levels of nothing
        index = pd.MultiIndex.from_arrays([[], []], names=["client_id", "currency"])
    return pd.DataFrame(data, index=index, columns=[*labels, "total"], dtype=object)
