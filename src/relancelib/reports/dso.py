"""Days sales outstanding (*délai moyen de recouvrement clients*, DSO) and its companions.

Two methods, named in every function and column, because they give different figures:

- the **simple** method (:func:`dso_simple`): receivables on the day ÷ sales of the last
  ``days`` days × ``days``;
- the **count-back** method (:func:`dso_count_back`, *méthode de l'épuisement du chiffre
  d'affaires*): starting from the receivables on the day, take away each past calendar
  month's sales, newest first, counting that month's days, until the receivables are
  used up; the last month counts for its share (receivables left ÷ its sales).  It is not
  fooled by a seasonal month the way the simple method is.

:func:`best_possible_dso` is the simple DSO of the receivables not yet due (what DSO would be
if every client paid on its due date); :func:`weighted_days_late` is the days past due of the
overdue balance, weighted by amount.  Sales are invoice amounts (VAT included, as the
balances are) by issue date; receivables are :meth:`Invoice.balance` on the day.  One
currency at a time (``currency="EUR"`` by default): other invoices are left out.  Results are
:class:`~decimal.Decimal` days rounded half-up to one decimal, or ``None`` when there is no
sale to divide by.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import attrs

from relancelib.checks import check_currency, check_date, check_sequence
from relancelib.errors import InvalidFieldError
from relancelib.model import Invoice
from relancelib.reports._ledger import at_least, checked_invoices, months_back

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DSO_COLUMNS",
    "Receivables",
    "best_possible_dso",
    "dso_count_back",
    "dso_over_time",
    "dso_simple",
    "receivables",
    "weighted_days_late",
]

#: The columns of :func:`dso_over_time`.
DSO_COLUMNS = (
    "receivables",
    "overdue",
    "sales",
    "dso_count_back",
    "dso_simple",
    "best_possible_dso",
    "weighted_days_late",
)
_TENTH = Decimal("0.1")
#: How far the count-back method looks back, in months, at most.
MAX_MONTHS = 24


@attrs.frozen
class Receivables:
    """One pass over the invoices on a day: everything the DSO measures need.

    ``monthly_sales[k]`` is the sales of the k-th calendar month back from ``as_of``
    (``months_back(as_of, k + 1)`` excluded to ``months_back(as_of, k)`` included).
    """

    as_of: dt.date
    currency: str
    days: int
    total: Decimal
    not_due: Decimal
    overdue: Decimal
    overdue_days_weighted: Decimal
    sales: Decimal
    monthly_sales: tuple[Decimal, ...]
    month_days: tuple[int, ...]

    def dso_simple(self) -> Decimal | None:
        """Receivables ÷ sales of the last ``days`` days × ``days``."""
        return _ratio(self.total, self.sales, self.days)

    def best_possible_dso(self) -> Decimal | None:
        """Receivables not yet due ÷ sales of the last ``days`` days × ``days``."""
        return _ratio(self.not_due, self.sales, self.days)

    def weighted_days_late(self) -> Decimal | None:
        """Days past due of the overdue balance, weighted by amount (None: nothing overdue)."""
        if self.overdue <= 0:
            return None
        return (self.overdue_days_weighted / self.overdue).quantize(_TENTH, ROUND_HALF_UP)

    def dso_count_back(self) -> Decimal:
        """The count-back DSO (0 when nothing is owed; the whole look-back when the
        receivables exceed the sales of :data:`MAX_MONTHS` months)."""
        left = self.total
        days = Decimal(0)
        for sales, month_days in zip(self.monthly_sales, self.month_days, strict=True):
            if left <= 0:
                break
            if sales > 0 and left <= sales:
                days += month_days * left / sales
                left = Decimal(0)
                break
            days += month_days
            left -= max(sales, Decimal(0))
        return days.quantize(_TENTH, ROUND_HALF_UP)


def _ratio(amount: Decimal, sales: Decimal, days: int) -> Decimal | None:
    if sales <= 0:
        return None
    return (amount / sales * days).quantize(_TENTH, ROUND_HALF_UP)


def receivables(
    invoices: Iterable[Invoice],
    as_of: dt.date,
    *,
    days: int = 90,
    currency: str = "EUR",
    months: int = MAX_MONTHS,
) -> Receivables:
    """The :class:`Receivables` of ``currency`` on ``as_of``, in one pass over ``invoices``."""
    checked, day = checked_invoices(invoices, as_of)
    currency = check_currency(currency)
    days = at_least(days, 1, "days", "day")
    if days > (day - dt.date.min).days:
        raise InvalidFieldError(
            f"reaches back before 1 January of year 1 from {day}", field="days", value=days
        )
    months = at_least(months, 1, "months", "month")
    window_start = day - dt.timedelta(days=days)
    try:
        # Month boundaries, oldest first, so bisect finds an issue date's month.
        bounds = [months_back(day, k) for k in range(months, -1, -1)]
    except ValueError:
        raise InvalidFieldError(
            f"reaches back before 1 January of year 1 from {day}", field="months", value=months
        ) from None
    monthly = [Decimal(0)] * months
    total = not_due = overdue = weighted = sales = Decimal(0)
    for invoice in checked:
        if invoice.currency != currency or invoice.issue_date > day:
            continue
        issued = invoice.issue_date
        if issued > window_start:
            sales += invoice.amount
        if issued > bounds[0]:
            # bisect_left: a date equal to a boundary belongs to the older month.
            monthly[months - bisect.bisect_left(bounds, issued)] += invoice.amount
        balance = invoice.balance(day) if invoice.payments else invoice.amount
        if balance == 0:
            continue
        total += balance
        late = (day - invoice.due_date).days
        if late > 0:
            overdue += balance
            weighted += balance * late
        else:
            not_due += balance
    month_days = tuple((bounds[-k] - bounds[-k - 1]).days for k in range(1, months + 1))
    return Receivables(
        day, currency, days, total, not_due, overdue, weighted, sales, tuple(monthly), month_days
    )


def dso_simple(
    invoices: Iterable[Invoice], as_of: dt.date, *, days: int = 90, currency: str = "EUR"
) -> Decimal | None:
    """The DSO on ``as_of`` by the **simple** method over the last ``days`` days."""
    return receivables(invoices, as_of, days=days, currency=currency).dso_simple()


def dso_count_back(
    invoices: Iterable[Invoice], as_of: dt.date, *, currency: str = "EUR", months: int = MAX_MONTHS
) -> Decimal:
    """The DSO on ``as_of`` by the **count-back** method (calendar months back from ``as_of``)."""
    return receivables(invoices, as_of, currency=currency, months=months).dso_count_back()


def best_possible_dso(
    invoices: Iterable[Invoice], as_of: dt.date, *, days: int = 90, currency: str = "EUR"
) -> Decimal | None:
    """The best possible DSO: the simple DSO of the receivables not yet due."""
    return receivables(invoices, as_of, days=days, currency=currency).best_possible_dso()


def weighted_days_late(
    invoices: Iterable[Invoice], as_of: dt.date, *, currency: str = "EUR"
) -> Decimal | None:
    """The days past due of the overdue balance on ``as_of``, weighted by balance."""
    return receivables(invoices, as_of, currency=currency).weighted_days_late()


def dso_over_time(
    invoices: Iterable[Invoice],
    dates: Sequence[dt.date],
    *,
    days: int = 90,
    currency: str = "EUR",
) -> pd.DataFrame:
    """The DSO measures on each of ``dates``: one row per date (index ``date``), columns
    :data:`DSO_COLUMNS` (amounts and days as :class:`~decimal.Decimal`, ``None`` where
    there is no sale to divide by)."""
    import pandas as pd

    checked = check_sequence(invoices, Invoice, "invoices")
    days_on = [check_date(day, "dates") for day in check_sequence(dates, dt.date, "dates")]
    rows = []
    for day in days_on:
        snap = receivables(checked, day, days=days, currency=currency)
        rows.append(
            (
                snap.total,
                snap.overdue,
                snap.sales,
                snap.dso_count_back(),
                snap.dso_simple(),
                snap.best_possible_dso(),
                snap.weighted_days_late(),
            )
        )
    index = pd.Index(days_on, name="date")
    return pd.DataFrame(rows, index=index, columns=list(DSO_COLUMNS), dtype=object)
