"""When open invoices will be paid: an expected date per invoice and a weekly cash-in forecast.

Each client's history speaks first: the days late of its paid invoices (payment day minus
due date).  A client with fewer than ``min_history`` paid invoices borrows the portfolio's
history.  For an invoice already ``n`` days late, only the past invoices that were paid at
least ``n`` days late count (an invoice 40 days late is not going to be paid 10 days late).
The expected date is the due date plus the median of those days late, never before
``as_of``; the interval runs from the ``low`` to the ``high`` quantile (10 % and 90 % by
default).  With no history to go by, the invoice is expected ``fallback_days`` after
``as_of`` (basis ``"aucun historique"`` or ``"au-delà de l'historique"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from relancelib.checks import check_currency, check_date, check_instance
from relancelib.errors import InvalidFieldError
from relancelib.model import Invoice
from relancelib.reports._ledger import (
    at_least,
    checked_invoices,
    probability,
    quantile,
    settled_on,
    shifted,
    week_start,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BASIS_BEYOND",
    "BASIS_CLIENT",
    "BASIS_NONE",
    "BASIS_PORTFOLIO",
    "FORECAST_COLUMNS",
    "cash_forecast",
    "expected_payments",
]

#: The ``basis`` of an expected date: the client's own history.
BASIS_CLIENT = "client"
#: … the portfolio's history (the client has too little of its own).
BASIS_PORTFOLIO = "portefeuille"
#: … no history at all.
BASIS_NONE = "aucun historique"
#: … the invoice is later than every past invoice was.
BASIS_BEYOND = "au-delà de l'historique"
#: The columns of :func:`expected_payments`.
FORECAST_COLUMNS = (
    "client_id",
    "currency",
    "balance",
    "due_date",
    "days_overdue",
    "expected_date",
    "earliest",
    "latest",
    "basis",
)


def expected_payments(
    invoices: Iterable[Invoice],
    as_of: dt.date,
    *,
    min_history: int = 3,
    low: float = 0.1,
    high: float = 0.9,
    fallback_days: int = 30,
) -> pd.DataFrame:
    """The expected payment date of each invoice open on ``as_of``, with an interval.

    One row per open invoice (index ``number``, sorted), columns :data:`FORECAST_COLUMNS`:
    ``balance`` (exact :class:`~decimal.Decimal`), ``expected_date`` between ``earliest``
    and ``latest`` (all on or after ``as_of``), and the ``basis`` of the estimate.
    """
    import pandas as pd

    checked, day = checked_invoices(invoices, as_of)
    minimum = at_least(min_history, 0, "min_history")
    guess = at_least(fallback_days, 0, "fallback_days")
    shifted(day, 2 * guess, "fallback_days", guess)  # the latest day a guess gives
    fallback = dt.timedelta(days=guess)
    low = probability(low, "low")
    high = probability(high, "high")
    if low > high:
        raise InvalidFieldError(f"must not be above high ({high})", field="low", value=low)
    history: dict[str, list[int]] = {}
    portfolio: list[int] = []
    open_invoices: list[tuple[Invoice, Decimal]] = []
    for invoice in checked:
        if invoice.issue_date > day:
            continue
        paid_on = settled_on(invoice, day)
        if paid_on is not None:
            late = (paid_on - invoice.due_date).days
            history.setdefault(invoice.client_id, []).append(late)
            portfolio.append(late)
            continue
        balance = invoice.balance(day)
        if balance > 0:
            open_invoices.append((invoice, balance))
    portfolio.sort()
    for lates in history.values():
        lates.sort()
    rows = []
    for invoice, balance in sorted(open_invoices, key=lambda pair: pair[0].number):
        own = history.get(invoice.client_id, [])
        lates, basis = (own, BASIS_CLIENT) if len(own) >= minimum else (portfolio, BASIS_PORTFOLIO)
        overdue = (day - invoice.due_date).days
        relevant = [late for late in lates if late >= overdue]
        if not lates:
            expected, earliest, latest, basis = day + fallback, day, day + 2 * fallback, BASIS_NONE
        elif not relevant:
            expected, earliest, latest = day + fallback, day, day + 2 * fallback
            basis = BASIS_BEYOND
        else:

            def at(
                q: float, due: dt.date = invoice.due_date, values: list[int] = relevant
            ) -> dt.date:
                return max(day, shifted(due, quantile(values, q), "as_of", day))

            expected, earliest, latest = at(0.5), at(low), at(high)
        rows.append(
            (
                invoice.client_id,
                invoice.currency,
                balance,
                invoice.due_date,
                overdue,
                expected,
                earliest,
                latest,
                basis,
            )
        )
    index = pd.Index(
        [invoice.number for invoice, _ in sorted(open_invoices, key=lambda p: p[0].number)],
        name="number",
    )
    frame = pd.DataFrame(rows, index=index, columns=list(FORECAST_COLUMNS))
    return frame.astype({"balance": object, "days_overdue": "int64"})


def cash_forecast(
    expected: pd.DataFrame,
    as_of: dt.date,
    *,
    weeks: int = 12,
    currency: str = "EUR",
) -> pd.DataFrame:
    """The cash expected in each of the ``weeks`` weeks from ``as_of``'s week, from the
    :func:`expected_payments` frame: index ``week`` (the Monday), columns ``expected``
    (exact :class:`~decimal.Decimal`), ``without_history`` (the part of ``expected`` from
    invoices without a history to go by: basis :data:`BASIS_NONE` or :data:`BASIS_BEYOND`,
    a guess), ``earliest_case`` and ``latest_case`` (the same sums
    if every invoice were paid on its interval's first or last day) and ``invoices``.
    Invoices of another currency are left out; those expected after the last week are in
    the frame's ``attrs["later"]`` (an amount)."""
    import pandas as pd

    check_instance(expected, pd.DataFrame, "expected", what="the expected_payments() frame")
    missing = [column for column in FORECAST_COLUMNS if column not in expected.columns]
    if missing:
        raise InvalidFieldError(
            f"must be the expected_payments() frame (no column {missing[0]!r})",
            field="expected",
            value=list(expected.columns),
        )
    day = check_date(as_of, "as_of")
    currency = check_currency(currency)
    count = at_least(weeks, 1, "weeks", "week")
    first = week_start(day)
    shifted(first, 7 * count, "weeks", count)  # the day after the last week
    starts = [first + dt.timedelta(weeks=k) for k in range(count)]
    expected_sum = {start: Decimal(0) for start in starts}
    early_sum = dict(expected_sum)
    late_sum = dict(expected_sum)
    unsure = dict(expected_sum)
    numbers = dict.fromkeys(starts, 0)
    later = Decimal(0)
    chosen = expected[expected["currency"] == currency]
    for balance, when, early, late, basis in zip(
        chosen["balance"],
        chosen["expected_date"],
        chosen["earliest"],
        chosen["latest"],
        chosen["basis"],
        strict=True,
    ):
        week = week_start(when)
        if week in expected_sum:
            expected_sum[week] += balance
            if basis in (BASIS_NONE, BASIS_BEYOND):
                unsure[week] += balance
            numbers[week] += 1
        else:
            later += balance
        if week_start(early) in early_sum:
            early_sum[week_start(early)] += balance
        if week_start(late) in late_sum:
            late_sum[week_start(late)] += balance
    frame = pd.DataFrame(
        {
            "expected": [expected_sum[s] for s in starts],
            "without_history": [unsure[s] for s in starts],
            "earliest_case": [early_sum[s] for s in starts],
            "latest_case": [late_sum[s] for s in starts],
            "invoices": [numbers[s] for s in starts],
        },
        index=pd.Index(starts, name="week"),
    )
    frame.attrs["later"] = later
    return frame.astype(
        {
            "expected": object,
            "without_history": object,
            "earliest_case": object,
            "latest_case": object,
        }
    )
