"""Half-years: the unit of both rate tables (1 January–30 June, 1 July–31 December)."""

from __future__ import annotations

import datetime as dt

from relancelib.checks import check_date


def half_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the half-year containing ``day`` (1 January–30 June or
    1 July–31 December): the period for which Code de commerce L441-10 II fixes the default
    rate and the arrêtés of Code monétaire et financier L313-2 fix the legal interest rate."""
    day = check_date(day, "day")
    if day.month <= 6:
        return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
    return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)


def half_year_start(day: dt.date) -> dt.date:
    """1 January or 1 July of ``day``'s half-year (``day`` already checked)."""
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def half_year_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s half-year (``day`` already checked)."""
    return dt.date(day.year, 6, 30) if day.month <= 6 else dt.date(day.year, 12, 31)


def half_year_label(day: dt.date) -> str:
    """``"2025 H1"``: how messages name ``day``'s half-year."""
    return f"{day.year} {'H1' if day.month <= 6 else 'H2'}"
