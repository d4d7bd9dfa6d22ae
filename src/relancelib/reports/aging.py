"""The aged balance (*balance âgée*): what each client owes, by how late it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from relancelib.checks import check_date, check_sequence, minor_unit
from relancelib.model import Invoice

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AGED_BUCKETS", "aged_balance"]

#: The buckets of :func:`aged_balance`, by days past the due date.
AGED_BUCKETS = ("not due", "1-30", "31-60", "61-90", "> 90")
_TOTAL = "Total"


def _bucket(days: int) -> int:
    if days <= 0:
        return 0
    if days <= 30:
        return 1
    if days <= 60:
        return 2
    if days <= 90:
        return 3
    return 4


def aged_balance(invoices: Iterable[Invoice], as_of: dt.date) -> pd.DataFrame:
    """The aged balance (*balance âgée*) on ``as_of``: each client's balances by age.

    Rows are indexed by ``(client_id, currency)`` — amounts in different currencies are
    never added — sorted, then one ``("Total", currency)`` row per currency.  Columns are
    :data:`AGED_BUCKETS` (days past the due date on ``as_of``) and ``total``.  Cells are
    exact :class:`~decimal.Decimal` amounts quantized to the currency (``object``
    columns).  Balances are :meth:`Invoice.balance` on ``as_of``: invoices issued after
    ``as_of`` and settled ones are left out; disputed and held invoices are included (they
    are still owed), and an overpaid invoice counts as a negative balance (a credit).
    pandas (``relancelib[pandas]``) is imported only when called.
    """
    import pandas as pd

    check_date(as_of, "as_of")
    sums: dict[tuple[str, str], list[Decimal]] = {}
    for invoice in check_sequence(invoices, Invoice, "invoices"):
        if invoice.issue_date > as_of:
            continue
        balance = invoice.balance(as_of)
        if balance == 0:
            continue
        zero = Decimal(0).quantize(minor_unit(invoice.currency))
        cells = sums.setdefault((invoice.client_id, invoice.currency), [zero] * len(AGED_BUCKETS))
        cells[_bucket((as_of - invoice.due_date).days)] += balance
    keys = sorted(sums)
    data = [[*sums[key], sum(sums[key], Decimal(0))] for key in keys]
    for currency in sorted({currency for _client, currency in keys}):
        rows = [row for key, row in zip(keys, data, strict=True) if key[1] == currency]
        zero = Decimal(0).quantize(minor_unit(currency))
        totals = [sum((row[i] for row in rows), zero) for i in range(len(AGED_BUCKETS) + 1)]
        keys.append((_TOTAL, currency))
        data.append(totals)
    index = pd.MultiIndex.from_tuples(keys, names=["client_id", "currency"])
    return pd.DataFrame(data, index=index, columns=[*AGED_BUCKETS, "total"], dtype=object)
