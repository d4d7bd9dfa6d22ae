"""Simple interest, period by period: what late-payment penalties and legal interest share.

:func:`accrue` splits the days at each half-year (the rates change on 1 January and 1 July)
and at each change of the balance, and rounds once, at the end (:class:`Penalties`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext

import attrs

from relancelib.errors import InvalidFieldError
from relancelib.law._checks import CENT, CONTEXT
from relancelib.law._half_years import half_year_end
from relancelib.model import Payment


@attrs.frozen
class Period:
    """A run of days at one rate on one balance: ``start`` through ``end`` inclusive.

    The unit of the simple-interest computation of Code de commerce L441-10 II and Code civil
    1231-6: periods split at each half-year (the rates change on 1 January and 1 July) and at
    each change of the balance.

    ``amount`` is the unrounded interest of the period, ``base × rate / 100 × days / basis``;
    ``basis`` is the divisor used for these days (365, or 366 for days of a leap year when
    ``basis=366`` was asked).
    """

    start: dt.date
    end: dt.date
    days: int
    rate: Decimal
    base: Decimal
    amount: Decimal
    basis: int = 365


@attrs.frozen
class Penalties:
    """Late-payment penalties (Code de commerce L441-10 II) or legal interest (Code civil
    1231-6), with the periods they were computed on.

    ``amount`` is the sum of the periods' unrounded amounts, rounded once to the currency's
    minor unit (half-up: the cent for the euro); ``days`` is the number of days on which
    interest ran (days with a positive balance).  ``through`` is set when the figure stops
    short of the day asked because a later rate is not known yet: the amount is then
    "arrêtées au ``through``, à parfaire" (LAW.md section 10); ``None`` means complete.
    """

    amount: Decimal
    days: int
    periods: tuple[Period, ...] = ()
    through: dt.date | None = attrs.field(default=None, kw_only=True)

    @property
    def complete(self) -> bool:
        """False when the figure stops at :attr:`through`, before the day asked."""
        return self.through is None

    @classmethod
    def zero(cls) -> Penalties:
        """No penalties: nothing was late, or the balance was nil."""
        return cls(Decimal("0.00"), 0, ())

    @property
    def unrounded(self) -> Decimal:
        """The exact sum of the periods' amounts, before the single rounding to the cent."""
        with localcontext(CONTEXT):
            return sum((period.amount for period in self.periods), Decimal(0))

    @property
    def rate(self) -> Decimal | None:
        """The rate when every period has the same one, else ``None`` (also with no period)."""
        rates = {period.rate for period in self.periods}
        return rates.pop() if len(rates) == 1 else None

    @property
    def start(self) -> dt.date | None:
        """The first day interest ran, or ``None``."""
        return self.periods[0].start if self.periods else None

    @property
    def end(self) -> dt.date | None:
        """The last day interest ran, or ``None``."""
        return self.periods[-1].end if self.periods else None


def accrue(
    amount: Decimal,
    anchor: dt.date,
    until: dt.date,
    payments: tuple[Payment, ...],
    rate_for: Callable[[dt.date], Decimal],
    basis: int,
    unit: Decimal = CENT,
) -> Penalties:
    """Simple interest on the balance of each day from the day after ``anchor`` through
    ``until`` inclusive, one period per half-year and per balance, rounded once at the end
    to ``unit`` (the currency's minor unit: the cent, 1 yen, 0.001 dinar).

    ``rate_for(day)`` is the rate (% per year) of the half-year containing ``day``; ``basis``
    is 365 or 366 (then the days of a leap year are divided by 366).
    """
    if until == anchor:
        return Penalties(Decimal(0).quantize(unit), 0, ())
    start = anchor + dt.timedelta(days=1)
    # A payment reduces the balance from the day after its date; later ones do not matter.
    dated = sorted((p.on, p.amount) for p in payments if p.on < until) if payments else []
    if not dated and amount > 0 and until <= half_year_end(start):
        # The common case, one balance in one half-year: one period.
        rate = rate_for(start)
        divisor = 366 if basis == 366 and calendar.isleap(start.year) else 365
        days = (until - anchor).days
        with localcontext(CONTEXT):
            interest = amount * rate * days / (100 * divisor)
            rounded = interest.quantize(unit, rounding=ROUND_HALF_UP)
        return Penalties(
            rounded, days, (Period(start, until, days, rate, amount, interest, divisor),)
        )
    periods: list[Period] = []
    with localcontext(CONTEXT):
        base = amount
        index = 0

        def settle(before: dt.date) -> None:
            nonlocal base, index
            while index < len(dated) and dated[index][0] < before:
                base -= dated[index][1]
                index += 1
            if base < 0:
                raise InvalidFieldError(
                    f"exceed the amount {amount} by {-base} on {dated[index - 1][0].isoformat()}",
                    field="payments",
                    value=tuple(payments),
                )

        settle(start)
        cursor = start
        while True:
            end = min(half_year_end(cursor), until)
            if index < len(dated):
                end = min(end, dated[index][0])
            if base > 0:
                rate = rate_for(cursor)
                divisor = 366 if basis == 366 and calendar.isleap(cursor.year) else 365
                days = (end - cursor).days + 1
                last = periods[-1] if periods else None
                if (
                    last is not None
                    and last.end + dt.timedelta(days=1) == cursor
                    and (last.rate, last.base, last.basis) == (rate, base, divisor)
                ):
                    days += last.days
                    cursor = last.start
                    periods.pop()
                periods.append(
                    Period(
                        cursor, end, days, rate, base, base * rate * days / (100 * divisor), divisor
                    )
                )
            if end >= until:
                break
            cursor = end + dt.timedelta(days=1)
            settle(cursor)
        total = sum((period.amount for period in periods), Decimal(0))
        rounded = total.quantize(unit, rounding=ROUND_HALF_UP)
    return Penalties(rounded, sum(period.days for period in periods), tuple(periods))
