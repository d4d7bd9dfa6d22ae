"""Rates as the official sources publish them, and the user rates file they are imported into.

Two layouts are read, both one row per observation under a header naming the columns (upper or
lower case; comma- or semicolon-separated):

- the ECB Data Portal's SDMX-CSV (``format=csvdata``): ``KEY``, the dimension columns,
  ``TIME_PERIOD``, ``OBS_VALUE``, ``TITLE``...  The MRO rate is the FM series
  ``FM.D.U2.EUR.4F.KR.MRR_FR.LEV`` ("Main refinancing operations - fixed rate tenders (fixed
  rate) (date of changes) - Level"), which holds one observation per change of rate; the older
  business-daily key ``FM.B.U2.EUR.4F.KR.MRR_FR.LEV`` of the Statistical Data Warehouse is read
  too.  Sources: https://data.ecb.europa.eu/data/datasets/FM/FM.D.U2.EUR.4F.KR.MRR_FR.LEV and
  the portal's API, ``https://data-api.ecb.europa.eu/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV
  ?format=csvdata``.
- Banque de France Webstat's export of its ``observations`` dataset (Explore API v2.1,
  ``https://webstat.banque-france.fr/api/explore/v2.1/catalog/datasets/observations/exports/csv``,
  filtered by ``series_key``): ``series_key;time_period;obs_value;obs_status``, separated by
  semicolons.  The series keys of the two legal interest rates could not be confirmed against
  Webstat's documentation: relancelib does not guess them.  A series is a legal interest rate
  when the caller says so (``kinds={"<series key>": "legal_private"}``) or when a title column
  (``TITLE``, ``TITLE_COMPL``, ``title_fr``...) names "particuliers" / "personnes physiques"
  (the rate for a private creditor) or "autres cas" (all other cases), as the arrêtés word
  them (CMF L313-2).

``TIME_PERIOD`` is a day (``2025-06-11``), a month (``2025-06``) or a half-year (``2025-S2``,
``2025S2``); ``OBS_VALUE`` is the rate in % per year; a row without a value (status ``M``) is
skipped.
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

#: The ECB Data Portal series of the main refinancing operations fixed rate, by date of change.
MRO_SERIES = "FM.D.U2.EUR.4F.KR.MRR_FR.LEV"
#: The same series' dimensions after the frequency (FREQ is ``D`` on the Data Portal, ``B`` in
#: the older Statistical Data Warehouse exports).
_MRO_DIMENSIONS = ("U2", "EUR", "4F", "KR", "MRR_FR", "LEV")
#: The user rates file, next to relance.toml.
USER_RATES_FILE = "relance-rates.csv"
_HEADER = "kind,start,rate,known_through,source"
_DIMENSIONS_SKIPPED = {"TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "OBS_CONF", "DATAFLOW"}
#: The words of the arrêtés fixing the legal interest rate (CMF L313-2), in a series' title.
_PRIVATE_WORDS = ("particulier", "personnes physiques")
_OTHER_WORDS = ("autres cas",)


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
        if m := re.fullmatch(r"(\d{4})-?S([12])", text):
            year = int(m[1])
            if m[2] == "1":
                return dt.date(year, 1, 1), dt.date(year, 6, 30)
            return dt.date(year, 7, 1), dt.date(year, 12, 31)
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
    for key in ("KEY", "SERIES_KEY"):
        if row.get(key):
            return row[key].strip()
    dims = [row[c] for c in columns if c not in _DIMENSIONS_SKIPPED and not c.startswith("TITLE")]
    return ".".join(v for v in dims if v)


def _is_mro(series: str) -> bool:
    """``series`` is the ECB MRO rate: ``FM.D.U2.EUR.4F.KR.MRR_FR.LEV`` or its ``FM.B`` twin
    (with or without the ``FM.`` flow prefix, as the dimension columns spell it)."""
    parts = series.split(".")
    if parts[:1] == ["FM"]:
        parts = parts[1:]
    return len(parts) == 7 and parts[0] in ("B", "D") and tuple(parts[1:]) == _MRO_DIMENSIONS


def _legal_kind(series: str, title: str, kinds: dict[str, str], name: str) -> str:
    if series in kinds:
        return kinds[series]
    private = any(word in title for word in _PRIVATE_WORDS)
    other = any(word in title for word in _OTHER_WORDS)
    if private != other:
        return "legal_private" if private else "legal"
    raise DataImportError(
        f"series {series} is neither the ECB MRO rate ({MRO_SERIES}) nor a legal interest "
        "rate relancelib can tell: no title names 'particuliers' or 'autres cas'; pass "
        f"kinds={{{series!r}: 'legal' or 'legal_private'}}, or write the figures in "
        "relance.toml ([[law.legal_interest]])",
        field=name,
    )


def _reader(text: str) -> csv.DictReader[str]:
    """A reader over the file's rows, its separator (``,`` or ``;``) taken from the header
    and its column names upper-cased (Webstat writes ``time_period``, the ECB ``TIME_PERIOD``)."""
    text = text.lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    reader.fieldnames = [(c or "").strip().upper() for c in reader.fieldnames or ()]
    return reader


def read_sdmx_csv(
    text: str,
    name: str = "SDMX-CSV",
    *,
    kinds: dict[str, str] | None = None,
    downloaded_on: dt.date | None = None,
) -> list[RateRow]:
    """The rate figures of an ECB Data Portal SDMX-CSV or a Banque de France Webstat export
    (see the module's docstring): the MRO series as its changes, the legal interest rates one
    row per half-year.

    ``kinds`` maps a series key to ``"legal"`` or ``"legal_private"`` (or ``"mro"``) where
    the file has no title to tell.  The ECB series holds one observation per change, so the
    file alone says the rate is known through its last observation; ``downloaded_on``, the day
    the file was exported, says it is known through that day (no change since).
    """
    if not isinstance(text, str):
        raise DataImportError("must be the text of an SDMX-CSV file", field=name)
    told = {
        check_instance(key, str, "kinds", what="keyed by series key"): _kind(kind)
        for key, kind in check_instance(kinds or {}, dict, "kinds", what="a dict").items()
    }
    exported = None if downloaded_on is None else check_date(downloaded_on, "downloaded_on")
    reader = _reader(text)
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
        first, last = _period(row["TIME_PERIOD"] or "", name)
        observations.setdefault(series, []).append((first, last, value))
        titles[series] = " ".join(
            row.get(c) or "" for c in columns if c.startswith("TITLE")
        ).lower()
    rows: list[RateRow] = []
    for series, found in sorted(observations.items()):
        found.sort()
        source = f"{name}, series {series}"
        if told.get(series, "mro" if _is_mro(series) else "") == "mro":
            previous = None
            through = max(found[-1][1], exported or found[-1][1])
            for first, _last, value in found:
                if value != previous:
                    rows.append(_row("mro", first, value, through, source, name))
                    previous = value
            continue
        kind = _legal_kind(series, titles[series], told, name)
        for first, last, value in found:
            if (first.month, first.day) not in ((1, 1), (7, 1)):
                raise DataImportError(f"series {series}: {first} is not a half-year", field=name)
            rows.append(_row(kind, first, value, last, source, name))
    if not rows:
        raise DataImportError("holds no observation", field=name)
    return rows


def _row(
    kind: str, start: dt.date, rate: Decimal, through: dt.date, source: str, name: str
) -> RateRow:
    """An imported figure; a figure that is no rate (negative, over 100 %) names the file."""
    try:
        return RateRow(kind, start, rate, through, source)
    except InvalidFieldError as exc:
        raise DataImportError(f"{exc.reason} ({start})", field=name, value=exc.value) from None


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
