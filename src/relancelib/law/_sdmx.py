"""Rates as the official sources publish them: SDMX-CSV files of the ECB Data Portal (the MRO
rate, series ``FM.B.U2.EUR.4F.KR.MRR_FR.LEV``) and of Banque de France Webstat (the two legal
interest rates, one observation per half-year), and the user rates file they are imported into.

SDMX-CSV: one row per observation, a header naming the columns; the series is named by a
``KEY`` column (ECB) or by ``DATAFLOW`` and the dimension columns; ``TIME_PERIOD`` is a day
(``2025-06-11``), a month (``2025-06``) or a half-year (``2025-S2``); ``OBS_VALUE`` is the rate
in % per year.  A ``TITLE`` or ``TITLE_COMPL`` column tells the two legal rates apart
("particuliers" / "autres cas").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation

import attrs

from relancelib.checks import (
    check_date,
    check_instance,
    check_rate,
    check_sequence,
    check_single_line,
)
from relancelib.errors import DataImportError, InvalidFieldError
from relancelib.law._rates import DEFAULT_RATES, Rates

#: The ECB Data Portal series of the main refinancing operations fixed rate.
MRO_SERIES = "FM.B.U2.EUR.4F.KR.MRR_FR.LEV"
#: The user rates file, next to relance.toml.
USER_RATES_FILE = "relance-rates.csv"
_HEADER = "kind,start,rate,known_through,source"
_DIMENSIONS_SKIPPED = {"TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "OBS_CONF", "DATAFLOW"}


#: The kinds of imported figure: the MRO rate, the legal interest rate of all other cases and
#: the one of a private creditor.
KINDS = ("mro", "legal", "legal_private")


def _kind(value: object) -> str:
    if value not in KINDS:
        raise InvalidFieldError(
            f"must be one of {', '.join(KINDS)}", field="ImportedRate.kind", value=value
        )
    return check_instance(value, str, "ImportedRate.kind")


def _start(value: object) -> dt.date:
    return check_date(value, "ImportedRate.start")


def _rate(value: object) -> Decimal:
    return check_rate(value, "ImportedRate.rate")


def _known_through(value: object) -> dt.date:
    return check_date(value, "ImportedRate.known_through")


def _source(value: object) -> str:
    return check_single_line(value, "ImportedRate.source")


@attrs.frozen
class RateRow:
    """One imported figure (``law.ImportedRate``): ``kind`` is ``mro``, ``legal`` (all
    other cases) or ``legal_private``; ``rate`` applies from ``start``; the source is known
    through ``known_through``.  Each field is checked (:class:`InvalidFieldError`)."""

    kind: str = attrs.field(converter=_kind)
    start: dt.date = attrs.field(converter=_start)
    rate: Decimal = attrs.field(converter=_rate)
    known_through: dt.date = attrs.field(converter=_known_through)
    source: str = attrs.field(converter=_source)


def _period(text: str, name: str) -> tuple[dt.date, dt.date]:
    """The first and last day of an SDMX ``TIME_PERIOD``."""
    text = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-S([12])", text):
            year, half = int(m[1]), int(m[2])
            return (
                (dt.date(year, 1, 1), dt.date(year, 6, 30))
                if half == 1
                else (
                    dt.date(year, 7, 1),
                    dt.date(year, 12, 31),
                )
            )
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            first = dt.date(int(m[1]), int(m[2]), 1)
            following = (first + dt.timedelta(days=32)).replace(day=1)
            return first, following - dt.timedelta(days=1)
        day = dt.date.fromisoformat(text)
        return day, day
    except ValueError:
        raise DataImportError(
            f"TIME_PERIOD {text!r} is not a day, month or half-year", field=name
        ) from None


def _series(row: dict[str, str], columns: list[str]) -> str:
    if row.get("KEY"):
        return row["KEY"]
    dims = [row[c] for c in columns if c not in _DIMENSIONS_SKIPPED and not c.startswith("TITLE")]
    return ".".join(v for v in dims if v)


def read_sdmx_csv(text: str, name: str = "SDMX-CSV") -> list[RateRow]:
    """The rate figures of an SDMX-CSV export: the MRO series as its changes (a daily series
    gives one row per change), the legal interest rates one row per half-year."""
    if not isinstance(text, str):
        raise DataImportError("must be the text of an SDMX-CSV file", field=name)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = list(reader.fieldnames or ())
    if "TIME_PERIOD" not in columns or "OBS_VALUE" not in columns:
        raise DataImportError("is not SDMX-CSV: no TIME_PERIOD and OBS_VALUE columns", field=name)
    observations: dict[str, list[tuple[dt.date, dt.date, Decimal]]] = {}
    titles: dict[str, str] = {}
    for row in reader:
        if not (row.get("OBS_VALUE") or "").strip():
            continue
        series = _series(row, columns)
        try:
            value = Decimal(row["OBS_VALUE"].strip())
        except InvalidOperation:
            raise DataImportError(
                f"OBS_VALUE {row['OBS_VALUE']!r} is not a number", field=name
            ) from None
        first, last = _period(row["TIME_PERIOD"], name)
        observations.setdefault(series, []).append((first, last, value))
        titles[series] = " ".join(
            row.get(c) or "" for c in columns if c.startswith("TITLE")
        ).lower()
    rows: list[RateRow] = []
    for series, found in sorted(observations.items()):
        found.sort()
        source = f"{name}, series {series}"
        if "MRR_FR" in series:
            previous = None
            through = found[-1][1]
            for first, _last, value in found:
                if value != previous:
                    rows.append(RateRow("mro", first, value, through, source))
                    previous = value
            continue
        title = titles[series]
        if "particulier" in title or "personnes physiques" in title:
            kind = "legal_private"
        elif "autres" in title or "légal" in title or "legal" in title:
            kind = "legal"
        else:
            raise DataImportError(
                f"series {series} is neither the ECB MRO rate ({MRO_SERIES}) nor a legal "
                "interest rate (its TITLE names neither 'particuliers' nor 'autres cas')",
                field=name,
            )
        for first, last, value in found:
            if (first.month, first.day) not in ((1, 1), (7, 1)):
                raise DataImportError(f"series {series}: {first} is not a half-year", field=name)
            rows.append(RateRow(kind, first, value, last, source))
    if not rows:
        raise DataImportError("holds no observation", field=name)
    return rows


def write_user_rates(rows: list[RateRow]) -> str:
    """The user rates file's text for ``rows`` (sorted, one figure a line)."""
    rows = list(check_sequence(rows, RateRow, "rows", what="ImportedRate"))
    lines = [
        "# relancelib user rates, written by `relance rates import` (see docs/law.md)",
        _HEADER,
    ]
    for row in sorted(rows, key=lambda r: (r.kind, r.start)):
        source = row.source.replace('"', "'")
        lines.append(f'{row.kind},{row.start},{row.rate},{row.known_through},"{source}"')
    return "\n".join(lines) + "\n"


def read_user_rates(text: str, name: str = USER_RATES_FILE) -> list[RateRow]:
    """The figures of a user rates file (:func:`write_user_rates`)."""
    if not isinstance(text, str):
        raise DataImportError("must be the text of a user rates file", field=name)
    data = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    rows = []
    for number, record in enumerate(csv.DictReader(io.StringIO(data)), start=2):
        try:
            rows.append(
                RateRow(
                    record["kind"],
                    dt.date.fromisoformat(record["start"]),
                    Decimal(record["rate"]),
                    dt.date.fromisoformat(record["known_through"]),
                    record["source"],
                )
            )
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise DataImportError(
                f"row {number} is not kind,start,rate,known_through,source", field=name
            ) from None
    return rows


def extend_rates(rows: list[RateRow], base: Rates | None = None) -> Rates:
    """``base`` (the shipped tables by default) with the figures of ``rows`` that come after
    what it knows; older figures are left as they are."""
    rates = DEFAULT_RATES if base is None else check_instance(base, Rates, "base")
    checked = check_sequence(rows, RateRow, "rows", what="ImportedRate")
    for row in sorted(checked, key=lambda r: r.start):
        if row.kind == "mro":
            if row.start > rates.mro.rows[-1].start:
                rates = rates.with_mro(
                    row.start, row.rate, source=row.source, known_through=row.known_through
                )
            elif row.known_through > rates.mro.known_through and row.rate == rates.mro.rate_on(
                row.start
            ):
                table = attrs.evolve(rates.mro, known_through=row.known_through)
                rates = attrs.evolve(rates, mro=table)
        elif row.kind in ("legal", "legal_private"):
            table = rates.legal if row.kind == "legal" else rates.legal_private
            if row.start > table.rows[-1].start:
                extended = table.extended(row.start, row.rate, source=row.source)
                field = "legal" if row.kind == "legal" else "legal_private"
                rates = attrs.evolve(rates, **{field: extended})
    return rates
