"""Rate tables: dated, sourced rows known through a stated date (:class:`RateTable`).

A lookup outside a table raises :class:`~relancelib.errors.RateUnknownError`: the library
never guesses a rate.  Tables are immutable; :meth:`RateTable.extended` returns a new one.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from decimal import Decimal, InvalidOperation

import attrs

from relancelib.checks import (
    check_date,
    check_instance,
    check_rate,
    check_sequence,
    check_text,
    validator,
)
from relancelib.errors import DataImportError, InvalidFieldError, RateUnknownError
from relancelib.law._half_years import half_year
from relancelib.parsing import parse_date


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
    # The reference rates (MRO, legal rate) have never been negative; 0..100 like any rate.
    return check_rate(value, "RateRow.rate")


@attrs.frozen
class RateRow:
    """One dated, sourced row of a rate table: ``rate`` (% per year) applies from ``start``."""

    start: dt.date = attrs.field(converter=_row_start)
    rate: Decimal = attrs.field(converter=_row_rate)
    source: str = attrs.field(validator=validator(check_text, "RateRow.source"))


def _rows(value: object) -> tuple[RateRow, ...]:
    rows = check_sequence(value, RateRow, "RateTable.rows")
    if not rows:
        raise InvalidFieldError("must hold at least one row", field="RateTable.rows", value=rows)
    return rows


def _known_through(value: object) -> dt.date:
    return check_date(value, "RateTable.known_through")


def _granularity(value: object) -> Granularity:
    return check_instance(value, Granularity, "RateTable.granularity")


# cache_hash: a table is the key of the default-rate cache (relancelib.law._penalties), looked
# up for every penalty computed; its hash, a pure function of its frozen rows, is computed once.
@attrs.frozen(cache_hash=True)
class RateTable:
    """A dated table of rates, known from its first row through ``known_through``.

    :meth:`rate_on` raises :class:`~relancelib.errors.RateUnknownError` for a day before the
    first row or after ``known_through``.  Tables are immutable: :meth:`extended` returns a
    new table with a newer row.
    """

    name: str = attrs.field(validator=validator(check_text, "RateTable.name"))
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
        row = RateRow(start, check_rate(rate, "rate"), check_text(source, "source"))
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
        """Read a table from CSV text in the format of the shipped ``law/data/*.csv`` files.

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
                    known_through = _csv_date(rest.split()[0] if rest.split() else "", number)
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
                start = _csv_date(record.get("start"), number)
                rows.append(RateRow(start, rate, record.get("source") or ""))
            except InvalidFieldError as exc:
                raise DataImportError(f"line {number}: {exc}", field=name) from None
        try:
            return cls(name, rows, known_through, granularity=granularity)
        except InvalidFieldError as exc:
            raise DataImportError(str(exc), field=name) from None


def _csv_date(value: object, number: int) -> dt.date:
    try:
        return parse_date(value if value is not None else "", error=DataImportError)
    except DataImportError as exc:
        raise DataImportError(f"line {number}: {exc}") from None
