"""Business days and French public holidays, on the ``holidays`` package.

A :class:`Calendar` knows which days are business days for one French calendar:
metropolitan France (``"FR"``, Code du travail L3133-1), Alsace-Moselle (``"FR-57"``,
``"FR-67"``, ``"FR-68"``: Good Friday and 26 December, L3134-13), the overseas
departments (``"FR-971"`` Guadeloupe, ``"FR-972"`` Martinique, ``"FR-973"`` Guyane,
``"FR-974"`` La Réunion, ``"FR-976"`` Mayotte: abolition-of-slavery day) and the other
overseas collectivities the ``holidays`` package knows.  Saturdays and Sundays are never
business days.
"""

from __future__ import annotations

import datetime as dt
import functools

import attrs
import holidays as _holidays

from relancelib.checks import check_date
from relancelib.errors import InvalidFieldError, UnknownCalendarError

__all__ = ["CALENDAR_CODES", "LRAR_COLLECTION_DAYS", "Calendar", "check_calendar_code"]

# Our calendar codes (ISO 3166-2 style) mapped to the ``holidays`` package's France subdivisions.
_SUBDIVISIONS: dict[str, str | None] = {
    "FR": None,
    "FR-57": "57",  # Moselle — Code du travail L3134-13
    "FR-67": "6AE",  # Bas-Rhin — L3134-13
    "FR-68": "6AE",  # Haut-Rhin — L3134-13
    "FR-6AE": "6AE",  # Alsace (European collectivity: 67 and 68)
    "FR-971": "971",  # Guadeloupe — loi 83-550, décret 83-1003
    "FR-972": "972",  # Martinique
    "FR-973": "973",  # Guyane
    "FR-974": "974",  # La Réunion
    "FR-976": "976",  # Mayotte
    "FR-BL": "BL",  # Saint-Barthélemy
    "FR-MF": "MF",  # Saint-Martin
    "FR-NC": "NC",  # Nouvelle-Calédonie
    "FR-PF": "PF",  # Polynésie française
    "FR-PM": "PM",  # Saint-Pierre-et-Miquelon
    "FR-TF": "TF",  # Terres australes et antarctiques françaises
    "FR-WF": "WF",  # Wallis-et-Futuna
}

#: The calendar codes :class:`Calendar` accepts.
CALENDAR_CODES: tuple[str, ...] = tuple(sorted(_SUBDIVISIONS))

_MIN_YEAR = 1900
_MAX_YEAR = 2200


def check_calendar_code(value: object, *, field: str = "Calendar.code") -> str:
    """Return ``value`` if it is a calendar code :class:`Calendar` knows, else raise
    :class:`~relancelib.errors.UnknownCalendarError` naming ``field``."""
    if not isinstance(value, str) or value not in _SUBDIVISIONS:
        raise UnknownCalendarError(
            f"is not a known calendar code (known: {', '.join(CALENDAR_CODES)})",
            field=field,
            value=value,
        )
    return value


def _check_code(value: object) -> str:
    return check_calendar_code(value)


def _check_date(value: object, field: str) -> dt.date:
    value = check_date(value, field)
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        raise InvalidFieldError(
            f"is outside the years {_MIN_YEAR}-{_MAX_YEAR} the calendar covers",
            field=field,
            value=value,
        )
    return value


def _check_year(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not _MIN_YEAR <= value <= _MAX_YEAR:
        raise InvalidFieldError(
            f"must be a year between {_MIN_YEAR} and {_MAX_YEAR}", field="year", value=value
        )
    return value


def _check_days(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 36_500:
        raise InvalidFieldError("must be a whole number of days", field=field, value=value)
    return value


@functools.lru_cache(maxsize=1024)
def _holidays_in(code: str, year: int) -> frozenset[dt.date]:
    """The holidays of one calendar and year, cached on the (frozen) key, not on the object."""
    table = _holidays.country_holidays("FR", subdiv=_SUBDIVISIONS[code], years=year, language="fr")
    return frozenset(table)


@attrs.frozen
class Calendar:
    """Business days for one French calendar (see the module docstring for the codes).

    >>> from datetime import date
    >>> Calendar("FR").is_business_day(date(2025, 5, 1))
    False
    >>> Calendar("FR-57").legal_deadline(date(2025, 4, 10), 8)
    datetime.date(2025, 4, 22)
    """

    code: str = attrs.field(default="FR", converter=_check_code)

    @classmethod
    def for_code(cls, code: object) -> Calendar:
        """A shared calendar for ``code`` (calendars are cached: their holiday sets are reused)."""
        return _calendar(_check_code(code))

    def holidays_in(self, year: int) -> frozenset[dt.date]:
        """The public holidays of ``year`` in this calendar."""
        return _holidays_in(self.code, _check_year(year))

    def holiday_name(self, day: dt.date) -> str | None:
        """The French name of the public holiday on ``day``, or ``None`` for an ordinary day."""
        day = _check_date(day, "day")
        if day not in self.holidays_in(day.year):
            return None
        table = _holidays.country_holidays(
            "FR", subdiv=_SUBDIVISIONS[self.code], years=day.year, language="fr"
        )
        return str(table.get(day))

    def is_business_day(self, day: dt.date) -> bool:
        """True unless ``day`` is a Saturday, a Sunday or a public holiday."""
        day = _check_date(day, "day")
        return day.weekday() < 5 and day not in self.holidays_in(day.year)

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day strictly after ``day``."""
        day = _check_date(day, "day")
        return self._roll(day + dt.timedelta(days=1))

    def roll_forward(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a business day, else the next business day."""
        return self._roll(_check_date(day, "day"))

    def add_business_days(self, day: dt.date, days: int) -> dt.date:
        """Move ``days`` business days from ``day`` (backwards when ``days`` is negative).

        ``add_business_days(friday, 1)`` is the following Monday; with ``days=0`` the
        date is returned unchanged even if it is not a business day.
        """
        current = _check_date(day, "day")
        remaining = _check_days(days, "days")
        step = dt.timedelta(days=1 if remaining > 0 else -1)
        while remaining:
            current += step
            if self.is_business_day(current):
                remaining += -1 if remaining > 0 else 1
        return current

    def legal_deadline(self, start: dt.date, days: int) -> dt.date:
        """The last day of a period of ``days`` days that starts with the event on ``start``.

        Code de procédure civile 641: the day of the event does not count, so the period
        ends on ``start + days``; 642: a period that would end on a Saturday, a Sunday or a
        public holiday runs to the next business day.
        """
        start = _check_date(start, "start")
        days = _check_days(days, "days")
        if days < 0:
            raise InvalidFieldError("must not be negative", field="days", value=days)
        return self._roll(start + dt.timedelta(days=days))

    def notice_deadline(
        self, letter_date: dt.date, days: int = 8, *, registered: bool = True
    ) -> dt.date:
        """The last day to pay printed on a formal notice dated ``letter_date``.

        A registered letter takes effect on receipt and may wait :data:`LRAR_COLLECTION_DAYS`
        days at the post office (LAW.md section 10): the date printed leaves those days, then
        the ``days`` given to pay (:meth:`legal_deadline`)."""
        wait = LRAR_COLLECTION_DAYS if registered else 0
        return self.legal_deadline(letter_date, wait + _check_days(days, "days"))

    def _roll(self, day: dt.date) -> dt.date:
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day


#: Days a registered letter may wait at the post office before it is collected.
LRAR_COLLECTION_DAYS = 15


@functools.cache
def _calendar(code: str) -> Calendar:
    return Calendar(code)
