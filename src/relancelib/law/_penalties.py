"""Late-payment penalties owed by a business debtor — Code de commerce L441-10 II.

Owed from the day after the due date without any reminder, at the ECB MRO rate + 10 points
(the rate in force on 1 January for the first half-year, on 1 July for the second) or at a
contractual rate of at least 3 × the legal interest rate.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from decimal import Decimal, localcontext

from relancelib.checks import check_bool, check_date, check_rate, check_sequence, minor_unit
from relancelib.errors import InvalidFieldError, RateUnknownError
from relancelib.law._accrual import Penalties, accrue
from relancelib.law._checks import CENT, CONTEXT, check_amount, check_basis, check_span
from relancelib.law._half_years import half_year_label, half_year_start
from relancelib.law._rates import Rates, check_rates
from relancelib.law._tables import RateTable
from relancelib.model import Payment

#: Code de commerce L441-10 II: the default rate is the ECB MRO rate plus 10 points.
_DEFAULT_RATE_MARGIN = Decimal(10)
#: Code de commerce L441-10 II: a contractual rate may not be below 3 × the legal interest rate.
_FLOOR_MULTIPLIER = Decimal(3)


def commercial_penalty_rate(on: dt.date, *, rates: Rates | None = None) -> Decimal:
    """The default late-payment rate (% per year) for the half-year containing ``on``.

    Code de commerce L441-10 II: the ECB main refinancing operations rate in force on
    1 January (first half-year) or 1 July (second half-year), plus 10 points.
    :class:`RateUnknownError` when the MRO table does not cover that 1 January or 1 July.
    """
    on = check_date(on, "on")
    tables = check_rates(rates)
    return _default_rate(half_year_start(on), tables.mro)


# A plan computes thousands of penalties over the same few half-years: the default rate is
# worked out once per (half-year, MRO table) — the table is a frozen value, so equal tables
# share their entries — and the Rates object itself holds no cache.
@functools.lru_cache(maxsize=256)
def _default_rate(reference: dt.date, mro: RateTable) -> Decimal:
    """The L441-10 II default rate of the half-year starting on ``reference``."""
    try:
        rate = mro.rate_on(reference)
    except RateUnknownError as exc:
        raise RateUnknownError(
            f"the default late-payment rate of {half_year_label(reference)} (Code de commerce "
            f"L441-10 II) is the MRO rate in force on {reference.isoformat()} + 10 points, "
            f"and {exc}"
        ) from None
    with localcontext(CONTEXT):
        return rate + _DEFAULT_RATE_MARGIN


def late_penalties(
    amount: Decimal,
    due_date: dt.date,
    until: dt.date,
    *,
    rate: Decimal | int | None = None,
    payments: Iterable[Payment] = (),
    split: bool = True,
    basis: int = 365,
    rates: Rates | None = None,
    currency: str = "EUR",
) -> Penalties:
    """Late-payment penalties owed by a business debtor (Code de commerce L441-10 II).

    Simple interest on ``amount`` (including VAT): ``amount × rate / 100 × days / basis``,
    from the day after ``due_date`` through ``until`` inclusive, so over
    ``(until - due_date).days`` days; owed without any reminder.  Each payment reduces the
    balance from the day after its date (a payment on or before the due date from the start).

    ``rate=None`` uses the default rate (MRO + 10 points, :func:`commercial_penalty_rate`):
    with ``split=True`` (chosen reading) each half-year's rate for the days in it; with
    ``split=False`` the rate of the half-year containing the due date for the whole period
    (the public-procurement rule, CCP R2192-31).  A contractual ``rate`` applies to every day
    but may not be below 3 × the legal interest rate ("all other cases") of the half-year of
    the due date.  ``basis=365`` divides by 365 (LAW.md); ``basis=366`` divides the days that
    fall in a leap year by 366 and the others by 365 (the "actual/actual" practice).

    The total is rounded once, half-up, to the minor unit of ``currency`` (the cent for the
    euro, 1 for the yen); ``days`` counts the days on which interest
    ran (none once the balance is nil).  ``until == due_date`` gives :meth:`Penalties.zero`
    without looking up any rate.
    """
    amount = check_amount(amount)
    due_date = check_date(due_date, "due_date")
    until = check_date(until, "until")
    chosen = None if rate is None else check_rate(rate, "rate")
    paid = check_sequence(payments, Payment, "payments")
    split = check_bool(split, "split")
    basis = check_basis(basis)
    tables = check_rates(rates)
    check_span(due_date, until, "due_date")
    unit = minor_unit(currency)
    return _late_penalties(
        amount,
        due_date,
        until,
        chosen=chosen,
        paid=paid,
        split=split,
        basis=basis,
        tables=tables,
        unit=unit,
    )


def _late_penalties(
    amount: Decimal,
    due_date: dt.date,
    until: dt.date,
    chosen: Decimal | None,
    paid: tuple[Payment, ...],
    split: bool,
    basis: int,
    tables: Rates,
    unit: Decimal = CENT,
    check_floor: bool = True,
) -> Penalties:
    """:func:`late_penalties` on arguments already checked (validated models); the floor of a
    contractual rate is not checked with ``check_floor=False`` (its legal rate unknown)."""
    if until == due_date:
        # Nothing is late yet: no rate is needed (nor looked up).
        return Penalties(Decimal(0).quantize(unit), 0, ())
    # Interest starts to run the day after the due date (L441-10 II; CCP R2192-31 for the
    # single-rate reading): the half-year of that day is the one of the single rate and floor.
    first_day = due_date + dt.timedelta(days=1)

    rate_for: Callable[[dt.date], Decimal]
    if chosen is not None and not check_floor:
        fixed = chosen
        rate_for = lambda _day: fixed  # noqa: E731
    elif chosen is not None:
        legal = tables.legal.rate_on(first_day)
        with localcontext(CONTEXT):
            floor = _FLOOR_MULTIPLIER * legal
        if chosen < floor:
            raise InvalidFieldError(
                f"is below the legal floor of {floor} % (3 × the legal interest rate of "
                f"{legal} % for {half_year_label(first_day)}, the half-year in which "
                "interest starts; "
                "Code de commerce L441-10 II)",
                field="rate",
                value=chosen,
            )
        fixed = chosen
        rate_for = lambda _day: fixed  # noqa: E731
    elif split:
        mro = tables.mro
        rate_for = lambda day: _default_rate(half_year_start(day), mro)  # noqa: E731
    else:
        default = _default_rate(half_year_start(first_day), tables.mro)
        rate_for = lambda _day: default  # noqa: E731
    return accrue(amount, due_date, until, paid, rate_for, basis, unit)
