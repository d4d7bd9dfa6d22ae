"""French late-payment law: rates, penalties, interest, indemnity, payment terms, prescription.

Pure functions on :class:`decimal.Decimal`: nothing here is computed in ``float``, reads the
clock or rounds more than once.  Rates are percentages per year (``Decimal("13.15")`` is
13,15 %).  The rate tables ship as dated, sourced CSV files in ``relancelib/data`` and are
known through a stated date; a lookup outside a table raises
:class:`~relancelib.errors.RateUnknownError` — the library never guesses a rate.  Pass a
newer figure with ``rates=DEFAULT_RATES.with_mro(...)`` (see ``docs/law.md``).

The legal facts and the readings chosen are those of the project's fact sheet (``LAW.md``):

- business debtors: Code de commerce L441-10 II late-payment penalties (ECB MRO rate + 10
  points, or a contractual rate of at least 3 × the legal interest rate) and the D441-5
  recovery indemnity of 40 €;
- consumers: interest at the legal rate (Code monétaire et financier L313-2) from the formal
  notice (Code civil 1231-6, 1344-1);
- payment terms (L441-10 I) and limitation periods (Code de commerce L110-4, Code de la
  consommation L218-2).

relancelib computes; it does not give legal advice.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import enum
import functools
import io
from collections.abc import Callable, Iterable
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from importlib import resources
from typing import Any, Literal

import attrs

from relancelib.errors import DataImportError, InvalidFieldError, RateUnknownError
from relancelib.model import Client, ClientKind, Invoice, Payment, check_date

__all__ = [
    "DEFAULT_RATES",
    "Granularity",
    "Penalties",
    "Period",
    "RateRow",
    "RateTable",
    "Rates",
    "check_payment_terms",
    "commercial_penalty_rate",
    "half_year",
    "late_penalties",
    "legal_interest",
    "legal_interest_rate",
    "payment_terms_limit",
    "prescription_date",
    "recovery_indemnity",
]

#: The penalty and interest arithmetic runs in this context, whatever the caller's global
#: decimal context: 34 significant digits (IEEE decimal128), errors trapped.  Only the final
#: total is rounded to the cent, half-up.
_CONTEXT = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
_CENT = Decimal("0.01")
#: Amounts above this are refused as implausible (and to keep every computation exact enough).
_MAX_AMOUNT = Decimal("1e15")
_MAX_RATE = Decimal(100)
#: Code de commerce L441-10 II: the default rate is the ECB MRO rate plus 10 points.
_DEFAULT_RATE_MARGIN = Decimal(10)
#: Code de commerce L441-10 II: a contractual rate may not be below 3 × the legal interest rate.
_FLOOR_MULTIPLIER = Decimal(3)
#: Code de commerce D441-5: the fixed recovery indemnity, per invoice, business debtors only.
_RECOVERY_INDEMNITY = Decimal("40.00")

Reading = Literal["A", "B"]


# ---------------------------------------------------------------------------------------------
# Argument checks.  Each raises InvalidFieldError naming the argument and the value.


def _check_amount(value: object, field: str = "amount") -> Decimal:
    if not isinstance(value, Decimal):
        hint = " (floats are refused: use Decimal('…'))" if isinstance(value, float) else ""
        raise InvalidFieldError(
            f"must be a Decimal amount such as Decimal('1000.00'), "
            f"not {type(value).__name__}{hint}",
            field=field,
            value=value,
        )
    if not value.is_finite():
        raise InvalidFieldError("must be a finite amount", field=field, value=value)
    if value < 0:
        raise InvalidFieldError("must not be negative", field=field, value=value)
    if value > _MAX_AMOUNT:
        raise InvalidFieldError(
            f"is above the largest amount accepted ({_MAX_AMOUNT:E})", field=field, value=value
        )
    return value


def _check_rate(value: object, field: str = "rate") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        hint = " (floats are refused: use Decimal('…'))" if isinstance(value, float) else ""
        raise InvalidFieldError(
            f"must be a Decimal percentage per year such as Decimal('13.15'){hint}",
            field=field,
            value=value,
        )
    rate = Decimal(value)
    if not rate.is_finite() or not 0 <= rate <= _MAX_RATE:
        raise InvalidFieldError("must be a percentage between 0 and 100", field=field, value=value)
    return rate


def _check_table_rate(value: object, field: str) -> Decimal:
    # The reference rates (MRO, legal rate) have never been negative; 0..100 like any rate.
    return _check_rate(value, field)


def _check_bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidFieldError("must be True or False", field=field, value=value)
    return value


def _check_text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidFieldError("must be a non-empty string", field=field, value=value)
    return value


def _check_payments(value: object) -> tuple[Payment, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidFieldError("must be a sequence of Payment", field="payments", value=value)
    payments = tuple(value)
    for payment in payments:
        if not isinstance(payment, Payment):
            raise InvalidFieldError(
                "must hold only Payment objects", field="payments", value=payment
            )
    return payments


def _check_rates(value: object) -> Rates:
    if value is None:
        return DEFAULT_RATES
    if not isinstance(value, Rates):
        raise InvalidFieldError(
            "must be a relancelib.law.Rates or None (the shipped tables)",
            field="rates",
            value=value,
        )
    return value


def _check_client(value: object) -> Client:
    if not isinstance(value, Client):
        raise InvalidFieldError("must be a Client", field="client", value=value)
    return value


def _add_days(day: dt.date, days: int, field: str) -> dt.date:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise InvalidFieldError(
            "is too close to the end of the calendar", field=field, value=day
        ) from None


# ---------------------------------------------------------------------------------------------
# Half-years: the unit of both rate tables.


def half_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the half-year containing ``day`` (1 January–30 June or
    1 July–31 December): the period for which Code de commerce L441-10 II fixes the default
    rate and the arrêtés of Code monétaire et financier L313-2 fix the legal interest rate."""
    day = check_date(day, "day")
    if day.month <= 6:
        return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
    return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)


def _half_year_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s half-year (``day`` already checked)."""
    return dt.date(day.year, 6, 30) if day.month <= 6 else dt.date(day.year, 12, 31)


def _half_year_label(day: dt.date) -> str:
    return f"{day.year} {'H1' if day.month <= 6 else 'H2'}"


# ---------------------------------------------------------------------------------------------
# Rate tables.


class Granularity(enum.Enum):
    """How the rows of a :class:`RateTable` apply.

    ``CHANGE``: each row is a change of rate, in force from its date until the next row (the
    ECB MRO rate).  ``HALF_YEAR``: each row is the rate of the half-year starting on its date
    (the legal interest rate, fixed each half-year under CMF L313-2).
    """

    CHANGE = "change"
    HALF_YEAR = "half-year"


def _row_start(value: object) -> dt.date:
    return check_date(value, "RateRow.start")


def _row_rate(value: object) -> Decimal:
    return _check_table_rate(value, "RateRow.rate")


def _row_source(_inst: Any, _attr: Any, value: Any) -> None:
    _check_text(value, "RateRow.source")


@attrs.frozen
class RateRow:
    """One dated, sourced row of a rate table: ``rate`` (% per year) applies from ``start``."""

    start: dt.date = attrs.field(converter=_row_start)
    rate: Decimal = attrs.field(converter=_row_rate)
    source: str = attrs.field(validator=_row_source)


def _rows(value: object) -> tuple[RateRow, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidFieldError(
            "must be a sequence of RateRow", field="RateTable.rows", value=value
        )
    rows = tuple(value)
    if not rows:
        raise InvalidFieldError("must hold at least one row", field="RateTable.rows", value=rows)
    for row in rows:
        if not isinstance(row, RateRow):
            raise InvalidFieldError(
                "must hold only RateRow objects", field="RateTable.rows", value=row
            )
    return rows


def _table_name(_inst: Any, _attr: Any, value: Any) -> None:
    _check_text(value, "RateTable.name")


def _known_through(value: object) -> dt.date:
    return check_date(value, "RateTable.known_through")


def _granularity(value: object) -> Granularity:
    if not isinstance(value, Granularity):
        raise InvalidFieldError("must be a Granularity", field="RateTable.granularity", value=value)
    return value


@attrs.frozen
class RateTable:
    """A dated table of rates, known from its first row through ``known_through``.

    :meth:`rate_on` raises :class:`~relancelib.errors.RateUnknownError` for a day before the
    first row or after ``known_through``.  Tables are immutable: :meth:`extended` returns a
    new table with a newer row.
    """

    name: str = attrs.field(validator=_table_name)
    rows: tuple[RateRow, ...] = attrs.field(converter=_rows)
    known_through: dt.date = attrs.field(converter=_known_through)
    granularity: Granularity = attrs.field(
        default=Granularity.CHANGE, kw_only=True, converter=_granularity
    )

    def __attrs_post_init__(self) -> None:
        for before, after in zip(self.rows, self.rows[1:], strict=False):
            if after.start <= before.start:
                raise InvalidFieldError(
                    f"rows must be in increasing date order ({before.start} then {after.start})",
                    field="RateTable.rows",
                    value=after.start,
                )
        if self.granularity is Granularity.HALF_YEAR:
            for row in self.rows:
                if (row.start.month, row.start.day) not in ((1, 1), (7, 1)):
                    raise InvalidFieldError(
                        "must be 1 January or 1 July in a half-yearly table",
                        field="RateRow.start",
                        value=row.start,
                    )
        if self.known_through < self.rows[-1].start:
            raise InvalidFieldError(
                f"is before the last row of the table ({self.rows[-1].start})",
                field="RateTable.known_through",
                value=self.known_through,
            )

    @property
    def known_from(self) -> dt.date:
        """The first day the table covers: the start of its first row."""
        return self.rows[0].start

    def row_on(self, day: dt.date) -> RateRow:
        """The row in force on ``day``; :class:`RateUnknownError` outside the table."""
        day = check_date(day, "day")
        if day < self.known_from or day > self.known_through:
            if day > self.known_through:
                if self.granularity is Granularity.CHANGE:
                    method, start = "with_mro", day
                else:
                    method, start = "with_legal_rate", half_year(day)[0]
                how = (
                    f"pass the figure with rates=DEFAULT_RATES.{method}(date({start.year}, "
                    f"{start.month}, {start.day}), Decimal('…'), source='…')"
                )
            else:
                how = "pass rates=Rates(...) with a RateTable that covers that day"
            raise RateUnknownError(
                f"no {self.name} is known for {day.isoformat()}: relancelib's table covers "
                f"{self.known_from.isoformat()} through {self.known_through.isoformat()}; "
                f"{how} (see docs/law.md)"
            )
        found = self.rows[0]
        for row in self.rows:
            if row.start > day:
                break
            found = row
        return found

    def rate_on(self, day: dt.date) -> Decimal:
        """The rate (% per year) in force on ``day``; :class:`RateUnknownError` outside it."""
        return self.row_on(day).rate

    def extended(
        self,
        start: dt.date,
        rate: Decimal,
        *,
        source: str,
        known_through: dt.date | None = None,
    ) -> RateTable:
        """A copy of the table with a newer row: ``rate`` applies from ``start``.

        ``start`` must follow the last row.  The table is then known through
        ``known_through`` — by default ``start`` itself for a table of changes (a row dated
        1 July 2026 tells the rate in force on that day, which is all the L441-10 default rate
        of 2026 H2 needs), the end of the half-year for a half-yearly table — and never less
        than before.  ``source`` says where the figure comes from.
        """
        start = check_date(start, "start")
        row = RateRow(start, _check_table_rate(rate, "rate"), _check_text(source, "source"))
        if start <= self.rows[-1].start:
            raise InvalidFieldError(
                f"must be after the last row of the {self.name} table ({self.rows[-1].start}); "
                "build a new RateTable to change older rows",
                field="start",
                value=start,
            )
        if known_through is None:
            through = half_year(start)[1] if self.granularity is Granularity.HALF_YEAR else start
        else:
            through = check_date(known_through, "known_through")
        return attrs.evolve(
            self, rows=(*self.rows, row), known_through=max(self.known_through, through)
        )

    @classmethod
    def from_csv(
        cls,
        text: str,
        *,
        name: str,
        column: str = "rate",
        granularity: Granularity = Granularity.CHANGE,
    ) -> RateTable:
        """Read a table from CSV text in the format of the shipped ``data/*.csv`` files.

        Lines starting with ``#`` are comments; one of them reads ``# known_through: YYYY-MM-DD``.
        The header names the columns; ``start``, ``source`` and ``column`` are used.
        """
        if not isinstance(text, str):
            raise DataImportError("must be CSV text", field="text", value=text)
        known_through: dt.date | None = None
        data_lines = []
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("#"):
                key, _sep, rest = stripped.lstrip("#").partition(":")
                if key.strip() == "known_through":
                    known_through = _parse_csv_date(rest.split()[0] if rest.split() else "", number)
            elif stripped:
                data_lines.append((number, line))
        if known_through is None:
            raise DataImportError("has no '# known_through: YYYY-MM-DD' comment", field=name)
        reader = csv.DictReader(io.StringIO("\n".join(line for _n, line in data_lines)))
        rows = []
        for (number, _line), record in zip(data_lines[1:], reader, strict=False):
            try:
                rate = Decimal(record[column])
            except (KeyError, TypeError, InvalidOperation):
                raise DataImportError(
                    f"line {number}: column {column!r} does not hold a decimal rate", field=name
                ) from None
            try:
                rows.append(
                    RateRow(
                        _parse_csv_date(record.get("start"), number),
                        rate,
                        record.get("source") or "",
                    )
                )
            except InvalidFieldError as exc:
                raise DataImportError(f"line {number}: {exc}", field=name) from None
        try:
            return cls(name, rows, known_through, granularity=granularity)
        except InvalidFieldError as exc:
            raise DataImportError(str(exc), field=name) from None


def _parse_csv_date(value: object, number: int) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DataImportError(f"line {number}: {value!r} is not a date (YYYY-MM-DD)") from None


@functools.cache
def _shipped(filename: str, column: str, name: str, granularity: Granularity) -> RateTable:
    text = (resources.files("relancelib") / "data" / filename).read_text(encoding="utf-8")
    return RateTable.from_csv(text, name=name, column=column, granularity=granularity)


def _default_mro() -> RateTable:
    return _shipped(
        "ecb_mro.csv", "rate", "ECB main refinancing operations rate", Granularity.CHANGE
    )


def _default_legal() -> RateTable:
    return _shipped(
        "legal_interest_rate.csv",
        "other_cases",
        "legal interest rate (all other cases)",
        Granularity.HALF_YEAR,
    )


def _default_legal_private() -> RateTable:
    return _shipped(
        "legal_interest_rate.csv",
        "private_creditor",
        "legal interest rate (private creditor)",
        Granularity.HALF_YEAR,
    )


def _table(value: object, field: str) -> RateTable:
    if not isinstance(value, RateTable):
        raise InvalidFieldError("must be a RateTable", field=f"Rates.{field}", value=value)
    return value


def _mro_table(value: object) -> RateTable:
    return _table(value, "mro")


def _legal_table(value: object) -> RateTable:
    return _table(value, "legal")


def _legal_private_table(value: object) -> RateTable:
    return _table(value, "legal_private")


@attrs.frozen(kw_only=True)
class Rates:
    """The rate tables the law functions read; every field defaults to the shipped table.

    ``mro``: the ECB main refinancing operations rate by date of change (Code de commerce
    L441-10 II).  ``legal``: the legal interest rate, "all other cases" column, per half-year
    (Code monétaire et financier L313-2); ``legal_private``: the same for a creditor who is a
    private person.  Pass ``rates=`` to any law function (and to ``plan()``) to use a newer
    figure::

        rates = DEFAULT_RATES.with_mro(date(2026, 7, 1), Decimal("2.15"), source="ECB, ...")
    """

    mro: RateTable = attrs.field(factory=_default_mro, converter=_mro_table)
    legal: RateTable = attrs.field(factory=_default_legal, converter=_legal_table)
    legal_private: RateTable = attrs.field(
        factory=_default_legal_private, converter=_legal_private_table
    )
    # Default penalty rates already worked out, by first day of half-year: a plan computes
    # thousands of penalties over the same few half-years.
    _penalty_rates: dict[dt.date, Decimal] = attrs.field(
        init=False, factory=dict, eq=False, hash=False, repr=False
    )

    def with_mro(
        self, start: dt.date, rate: Decimal, *, source: str, known_through: dt.date | None = None
    ) -> Rates:
        """A copy with an MRO rate ``rate`` in force from ``start`` (:meth:`RateTable.extended`)."""
        return attrs.evolve(
            self, mro=self.mro.extended(start, rate, source=source, known_through=known_through)
        )

    def with_legal_rate(
        self,
        start: dt.date,
        rate: Decimal,
        *,
        source: str,
        private_creditor_rate: Decimal | None = None,
    ) -> Rates:
        """A copy with the legal interest rate of the half-year starting on ``start``
        (1 January or 1 July): ``rate`` for all other cases and, when given,
        ``private_creditor_rate`` for a private creditor (CMF L313-2)."""
        legal = self.legal.extended(start, rate, source=source)
        private = (
            self.legal_private
            if private_creditor_rate is None
            else self.legal_private.extended(start, private_creditor_rate, source=source)
        )
        return attrs.evolve(self, legal=legal, legal_private=private)


#: The shipped tables: MRO known through 2026-02-05, legal interest rate through 2026-06-30.
DEFAULT_RATES = Rates()


# ---------------------------------------------------------------------------------------------
# Rates.


def commercial_penalty_rate(on: dt.date, *, rates: Rates | None = None) -> Decimal:
    """The default late-payment rate (% per year) for the half-year containing ``on``.

    Code de commerce L441-10 II: the ECB main refinancing operations rate in force on
    1 January (first half-year) or 1 July (second half-year), plus 10 points.
    :class:`RateUnknownError` when the MRO table does not cover that 1 January or 1 July.
    """
    on = check_date(on, "on")
    tables = _check_rates(rates)
    return _penalty_rate(on, tables)


def _penalty_rate(on: dt.date, tables: Rates) -> Decimal:
    """:func:`commercial_penalty_rate` for checked arguments, cached per half-year."""
    reference = dt.date(on.year, 1 if on.month <= 6 else 7, 1)
    cached = tables._penalty_rates.get(reference)
    if cached is not None:
        return cached
    try:
        mro = tables.mro.rate_on(reference)
    except RateUnknownError as exc:
        raise RateUnknownError(
            f"the default late-payment rate of {_half_year_label(on)} (Code de commerce "
            f"L441-10 II) is the MRO rate in force on {reference.isoformat()} + 10 points, "
            f"and {exc}"
        ) from None
    with localcontext(_CONTEXT):
        rate = mro + _DEFAULT_RATE_MARGIN
    tables._penalty_rates[reference] = rate
    return rate


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
    chosen = _check_bool(private_creditor, "private_creditor")
    table = _check_rates(rates)
    return (table.legal_private if chosen else table.legal).rate_on(on)


# ---------------------------------------------------------------------------------------------
# Penalties and interest.


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

    ``amount`` is the sum of the periods' unrounded amounts, rounded once to the cent
    (half-up); ``days`` is the number of days on which interest ran (days with a positive
    balance).
    """

    amount: Decimal
    days: int
    periods: tuple[Period, ...] = ()

    @classmethod
    def zero(cls) -> Penalties:
        """No penalties: nothing was late, or the balance was nil."""
        return cls(Decimal("0.00"), 0, ())

    @property
    def unrounded(self) -> Decimal:
        """The exact sum of the periods' amounts, before the single rounding to the cent."""
        with localcontext(_CONTEXT):
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


def _check_basis(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in (365, 366):
        raise InvalidFieldError(
            "must be 365, or 366 (divisor 366 for the days of a leap year)",
            field="basis",
            value=value,
        )
    return value


def _accrue(
    amount: Decimal,
    anchor: dt.date,
    until: dt.date,
    payments: tuple[Payment, ...],
    rate_for: Callable[[dt.date], Decimal],
    basis: int,
) -> Penalties:
    """Simple interest on the balance of each day from the day after ``anchor`` through
    ``until`` inclusive, one period per half-year and per balance, rounded once at the end."""
    if until == anchor:
        return Penalties.zero()
    start = anchor + dt.timedelta(days=1)
    # A payment reduces the balance from the day after its date; later ones do not matter.
    dated = sorted((p.on, p.amount) for p in payments if p.on < until) if payments else []
    if not dated and amount > 0 and until <= _half_year_end(start):
        # The common case, one balance in one half-year: one period.
        rate = rate_for(start)
        divisor = 366 if basis == 366 and calendar.isleap(start.year) else 365
        days = (until - anchor).days
        with localcontext(_CONTEXT):
            interest = amount * rate * days / (100 * divisor)
            rounded = interest.quantize(_CENT, rounding=ROUND_HALF_UP)
        return Penalties(
            rounded, days, (Period(start, until, days, rate, amount, interest, divisor),)
        )
    periods: list[Period] = []
    with localcontext(_CONTEXT):
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
            end = min(_half_year_end(cursor), until)
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
        rounded = total.quantize(_CENT, rounding=ROUND_HALF_UP)
    return Penalties(rounded, sum(period.days for period in periods), tuple(periods))


def _check_span(start: dt.date, until: dt.date, start_field: str) -> None:
    if until < start:
        raise InvalidFieldError(
            f"is before the {start_field.replace('_', ' ')} {start.isoformat()}",
            field="until",
            value=until,
        )


def _half_year_penalty_rate(day: dt.date, *, rates: Rates) -> Decimal:
    return _penalty_rate(day, rates)


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

    The total is rounded once, to the cent, half-up; ``days`` counts the days on which interest
    ran (none once the balance is nil).  ``until == due_date`` gives :meth:`Penalties.zero`
    without looking up any rate.
    """
    amount = _check_amount(amount)
    due_date = check_date(due_date, "due_date")
    until = check_date(until, "until")
    chosen = None if rate is None else _check_rate(rate)
    paid = _check_payments(payments)
    split = _check_bool(split, "split")
    basis = _check_basis(basis)
    tables = _check_rates(rates)
    _check_span(due_date, until, "due_date")
    return _late_penalties(amount, due_date, until, chosen, paid, split, basis, tables)


def _late_penalties(
    amount: Decimal,
    due_date: dt.date,
    until: dt.date,
    chosen: Decimal | None,
    paid: tuple[Payment, ...],
    split: bool,
    basis: int,
    tables: Rates,
) -> Penalties:
    """:func:`late_penalties` on arguments already checked (the engine's validated models)."""
    if until == due_date:
        # Nothing is late yet: no rate is needed (nor looked up).
        return Penalties.zero()

    rate_for: Callable[[dt.date], Decimal]
    if chosen is not None:
        legal = tables.legal.rate_on(due_date)
        with localcontext(_CONTEXT):
            floor = _FLOOR_MULTIPLIER * legal
        if chosen < floor:
            raise InvalidFieldError(
                f"is below the legal floor of {floor} % (3 × the legal interest rate of "
                f"{legal} % for {_half_year_label(due_date)}, the half-year of the due date; "
                "Code de commerce L441-10 II)",
                field="rate",
                value=chosen,
            )
        fixed = chosen
        rate_for = lambda _day: fixed  # noqa: E731
    elif split:
        rate_for = functools.partial(_half_year_penalty_rate, rates=tables)
    else:
        default = commercial_penalty_rate(due_date, rates=tables)
        rate_for = lambda _day: default  # noqa: E731
    return _accrue(amount, due_date, until, paid, rate_for, basis)


def legal_interest(
    amount: Decimal,
    from_date: dt.date,
    until: dt.date,
    *,
    payments: Iterable[Payment] = (),
    rates: Rates | None = None,
) -> Penalties:
    """Interest at the legal rate owed by a consumer after a formal notice.

    Code civil 1231-6 and 1344-1: interest on a sum of money runs at the legal rate from the
    formal notice (*mise en demeure*) dated ``from_date``; chosen reading: from the day after
    it through ``until`` inclusive, ``(until - from_date).days`` days, each half-year's rate
    (Code monétaire et financier L313-2, "all other cases": the creditor is a business) for
    the days in it, divided by 365.  Payments reduce the balance from the day after their
    date.  The total is rounded once, to the cent, half-up.
    """
    amount = _check_amount(amount)
    from_date = check_date(from_date, "from_date")
    until = check_date(until, "until")
    paid = _check_payments(payments)
    tables = _check_rates(rates)
    _check_span(from_date, until, "from_date")
    return _legal_interest(amount, from_date, until, paid, tables)


def _legal_interest(
    amount: Decimal, from_date: dt.date, until: dt.date, paid: tuple[Payment, ...], tables: Rates
) -> Penalties:
    """:func:`legal_interest` on arguments already checked."""
    return _accrue(amount, from_date, until, paid, tables.legal.rate_on, 365)


def recovery_indemnity(client: Client) -> Decimal:
    """The fixed recovery indemnity per unpaid invoice: 40 € for a business client, nothing
    for a consumer (Code de commerce D441-5 and L441-10 II; not subject to VAT)."""
    client = _check_client(client)
    return _RECOVERY_INDEMNITY if client.kind is ClientKind.BUSINESS else Decimal("0.00")


# ---------------------------------------------------------------------------------------------
# Payment terms.


def _end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _terms_caps(issue_date: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """The 60-day cap and the 45-days-end-of-month caps of readings A and B."""
    sixty = _add_days(issue_date, 60, "issue_date")
    reading_a = _add_days(_end_of_month(issue_date), 45, "issue_date")
    reading_b = _end_of_month(_add_days(issue_date, 45, "issue_date"))
    return sixty, reading_a, reading_b


def payment_terms_limit(issue_date: dt.date, reading: Reading = "A") -> dt.date:
    """The latest due date Code de commerce L441-10 I allows for an invoice dated ``issue_date``.

    Agreed terms may not exceed 60 days from the invoice date, or 45 days end of month when
    expressly stipulated; this returns the later of the two caps.  "45 jours fin de mois"
    has two readings: ``"A"`` (chosen, the parliamentary reading) end of the month of issue
    plus 45 days; ``"B"`` invoice date plus 45 days, then the end of that month.  Invoice of
    15 January 2025: 60 days → 16 March; A → 17 March; B → 31 March 2025.
    """
    issue_date = check_date(issue_date, "issue_date")
    if reading not in ("A", "B"):
        raise InvalidFieldError("must be 'A' or 'B'", field="reading", value=reading)
    sixty, reading_a, reading_b = _terms_caps(issue_date)
    return max(sixty, reading_a if reading == "A" else reading_b)


def check_payment_terms(issue_date: dt.date, due_date: dt.date) -> str | None:
    """``None`` when the due date is within the caps of Code de commerce L441-10 I under
    either reading of "45 days end of month", else a message naming the days and the caps.

    Sector caps (road transport, L441-11: 30 days) are not checked.
    """
    issue_date = check_date(issue_date, "issue_date")
    due_date = check_date(due_date, "due_date")
    if due_date < issue_date:
        raise InvalidFieldError(
            f"is before the issue date {issue_date.isoformat()}", field="due_date", value=due_date
        )
    sixty, reading_a, reading_b = _terms_caps(issue_date)
    if due_date <= max(sixty, reading_a, reading_b):
        return None
    return (
        f"payment terms of {(due_date - issue_date).days} days (due {due_date.isoformat()}, "
        f"invoiced {issue_date.isoformat()}) exceed the legal caps of Code de commerce L441-10 I: "
        f"60 days from the invoice date ({sixty.isoformat()}) or 45 days end of month "
        f"({reading_a.isoformat()} reading end of month + 45 days, {reading_b.isoformat()} "
        "reading 45 days then end of month)"
    )


# ---------------------------------------------------------------------------------------------
# Prescription.


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        if day.month == 2 and day.day == 29 and not calendar.isleap(day.year + years):
            return dt.date(day.year + years, 2, 28)
        return day.replace(year=day.year + years)
    except ValueError:
        raise InvalidFieldError(
            "is too close to the end of the calendar", field="due_date", value=day
        ) from None


def prescription_date(invoice: Invoice, client: Client) -> dt.date:
    """The last day of the limitation period of ``invoice``: its due date plus 5 years for a
    business client (Code de commerce L110-4), plus 2 years for a consumer (Code de la
    consommation L218-2); a due date of 29 February ends on 28 February.

    Only an acknowledgement of the debt (Code civil 2240), a court claim such as an
    *injonction de payer* (2241) or an enforcement measure (2244) interrupts it: a formal
    notice, even by registered letter, does not (Cass. com. 18 mai 2022, n° 20-23.204).
    """
    if not isinstance(invoice, Invoice):
        raise InvalidFieldError("must be an Invoice", field="invoice", value=invoice)
    client = _check_client(client)
    if client.id != invoice.client_id:
        raise InvalidFieldError(
            f"is not the client of invoice {invoice.number} ({invoice.client_id!r})",
            field="client",
            value=client.id,
        )
    years = 5 if client.kind is ClientKind.BUSINESS else 2
    return _add_years(invoice.due_date, years)
