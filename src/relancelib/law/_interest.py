"""Interest at the legal rate — Code civil 1231-6, 1344-1; the rate: Code monétaire et
financier L313-2 (one arrêté each half-year).

A consumer owes no L441-10 penalties: interest at the legal rate runs from the formal notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from relancelib.checks import check_bool, check_date, check_sequence, minor_unit
from relancelib.law._accrual import Penalties, accrue
from relancelib.law._checks import CENT, check_amount, check_span
from relancelib.law._rates import Rates, check_rates
from relancelib.model import Payment


def legal_interest_rate(
    on: dt.date, *, private_creditor: bool = False, rates: Rates | None = None
) -> Decimal:
    """The legal interest rate (% per year) of the half-year containing ``on``.

    Code monétaire et financier L313-2: one rate when the creditor is a private person not
    acting for business needs (``private_creditor=True``), one for all other cases (the
    default, which covers a business chasing a consumer).  :class:`RateUnknownError` for a
    half-year the table does not cover.
    """
    on = check_date(on, "on")
    chosen = check_bool(private_creditor, "private_creditor")
    table = check_rates(rates)
    return (table.legal_private if chosen else table.legal).rate_on(on)


def legal_interest(
    amount: Decimal,
    from_date: dt.date,
    until: dt.date,
    *,
    payments: Iterable[Payment] = (),
    rates: Rates | None = None,
    currency: str = "EUR",
) -> Penalties:
    """Interest at the legal rate owed by a consumer after a formal notice.

    Code civil 1231-6 and 1344-1: interest on a sum of money runs at the legal rate from the
    formal notice (*mise en demeure*) dated ``from_date``; chosen reading: from the day after
    it through ``until`` inclusive, ``(until - from_date).days`` days, each half-year's rate
    (Code monétaire et financier L313-2, "all other cases": the creditor is a business) for
    the days in it, divided by 365.  Payments reduce the balance from the day after their
    date.  The total is rounded once, half-up, to the minor unit of ``currency``.
    """
    amount = check_amount(amount)
    from_date = check_date(from_date, "from_date")
    until = check_date(until, "until")
    paid = check_sequence(payments, Payment, "payments")
    tables = check_rates(rates)
    check_span(from_date, until, "from_date")
    return _legal_interest(amount, from_date, until, paid, tables, minor_unit(currency))


def _legal_interest(
    amount: Decimal,
    from_date: dt.date,
    until: dt.date,
    paid: tuple[Payment, ...],
    tables: Rates,
    unit: Decimal = CENT,
) -> Penalties:
    """:func:`legal_interest` on arguments already checked (validated models)."""
    return accrue(amount, from_date, until, paid, tables.legal.rate_on, 365, unit)
