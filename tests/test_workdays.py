"""Tests for relancelib.workdays: business days and French public holidays (LAW.md §8)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relancelib.errors import InvalidFieldError, RelanceError, UnknownCalendarError
from relancelib.workdays import CALENDAR_CODES, Calendar

date = dt.date

FR = Calendar("FR")
MOSELLE = Calendar("FR-57")
ALSACE_MOSELLE = ("FR-57", "FR-67", "FR-68")


# --------------------------------------------------------------------------------------------
# Holidays


def test_good_friday_deadline_fr_versus_alsace_moselle() -> None:
    # LAW.md §8: 8 days from Thursday 10 April 2025 end on Good Friday 18 April 2025 (CPC 641):
    # a working day nationally; a holiday in Alsace-Moselle (L3134-13), and then come Saturday
    # 19, Sunday 20 and Easter Monday 21 April: extended to Tuesday 22 April (CPC 642).
    assert FR.legal_deadline(date(2025, 4, 10), 8) == date(2025, 4, 18)
    for code in ALSACE_MOSELLE:
        assert Calendar(code).legal_deadline(date(2025, 4, 10), 8) == date(2025, 4, 22)


def test_good_friday_is_a_holiday_only_in_alsace_moselle() -> None:
    good_friday = date(2025, 4, 18)
    assert FR.is_business_day(good_friday)
    assert FR.holiday_name(good_friday) is None
    for code in ALSACE_MOSELLE:
        assert not Calendar(code).is_business_day(good_friday)
        assert Calendar(code).holiday_name(good_friday) is not None


def test_deadline_ending_on_the_saturday_before_whit_monday() -> None:
    # 8 days from Friday 30 May 2025 end on Saturday 7 June; Sunday 8 June, Whit Monday
    # 9 June (L3133-1): extended to Tuesday 10 June 2025.
    assert FR.legal_deadline(date(2025, 5, 30), 8) == date(2025, 6, 10)
    assert FR.roll_forward(date(2025, 6, 7)) == date(2025, 6, 10)


@pytest.mark.parametrize(
    "holiday",
    [
        date(2025, 1, 1),  # Jour de l'an (Wednesday)
        date(2025, 4, 21),  # Lundi de Pâques
        date(2025, 5, 1),  # Fête du Travail (Thursday)
        date(2025, 5, 8),  # Victoire 1945 (Thursday)
        date(2025, 5, 29),  # Ascension (Thursday)
        date(2025, 6, 9),  # Lundi de Pentecôte
        date(2025, 7, 14),  # Fête nationale (Monday)
        date(2025, 8, 15),  # Assomption (Friday)
        date(2025, 11, 11),  # Armistice (Tuesday)
        date(2025, 12, 25),  # Noël (Thursday)
    ],
)
def test_national_holidays_are_not_business_days(holiday: dt.date) -> None:
    assert holiday.weekday() < 5  # each falls on a weekday in 2025
    for code in ("FR", "FR-57", "FR-67", "FR-68", "FR-974"):
        assert not Calendar(code).is_business_day(holiday)
    assert FR.holiday_name(holiday)


def test_ascension_2025_name() -> None:
    assert FR.holiday_name(date(2025, 5, 29)) == "Ascension"


def test_26_december_only_in_alsace_moselle() -> None:
    st_stephen = date(2025, 12, 26)  # a Friday
    assert FR.is_business_day(st_stephen)
    assert Calendar("FR-974").is_business_day(st_stephen)
    for code in ALSACE_MOSELLE:
        assert not Calendar(code).is_business_day(st_stephen)


def test_overseas_abolition_day_reunion() -> None:
    # La Réunion: abolition of slavery, 20 December (Friday 20 December 2024).
    abolition = date(2024, 12, 20)
    assert not Calendar("FR-974").is_business_day(abolition)
    assert FR.is_business_day(abolition)
    assert MOSELLE.is_business_day(abolition)
    # 8 days from Thursday 12 December 2024 end on Friday 20 December: extended to Monday 23
    # December in La Réunion only.
    assert Calendar("FR-974").legal_deadline(date(2024, 12, 12), 8) == date(2024, 12, 23)
    assert FR.legal_deadline(date(2024, 12, 12), 8) == date(2024, 12, 20)


def test_weekends_are_not_business_days() -> None:
    assert not FR.is_business_day(date(2025, 6, 7))  # Saturday
    assert not FR.is_business_day(date(2025, 6, 8))  # Sunday
    assert FR.is_business_day(date(2025, 6, 6))  # Friday


def test_holidays_in_a_year() -> None:
    # L3133-1 lists 11 public holidays; Alsace-Moselle adds 2 (Good Friday, 26 December).
    assert len(FR.holidays_in(2025)) == 11
    assert len(MOSELLE.holidays_in(2025)) == 13
    assert MOSELLE.holidays_in(2025) - FR.holidays_in(2025) == {
        date(2025, 4, 18),
        date(2025, 12, 26),
    }


# --------------------------------------------------------------------------------------------
# Codes


@pytest.mark.parametrize("code", ["FR-99", "fr", "DE", "", "FR-75", None, 57, object()])
def test_unknown_code_raises(code: object) -> None:
    with pytest.raises(UnknownCalendarError, match=r"Calendar\.code"):
        Calendar(code)  # type: ignore[arg-type]
    with pytest.raises(UnknownCalendarError):
        Calendar.for_code(code)


def test_unknown_calendar_error_is_a_relance_error_and_a_value_error() -> None:
    with pytest.raises(RelanceError):
        Calendar("XX")
    with pytest.raises(ValueError, match="calendar"):
        Calendar("XX")


def test_every_known_code_builds_a_calendar() -> None:
    assert "FR" in CALENDAR_CODES
    assert list(CALENDAR_CODES) == sorted(CALENDAR_CODES)
    for code in CALENDAR_CODES:
        calendar = Calendar(code)
        assert date(2025, 1, 1) in calendar.holidays_in(2025)  # 1 January everywhere


def test_default_code_is_fr_and_for_code_is_shared() -> None:
    assert Calendar() == FR
    assert Calendar.for_code("FR-57") is Calendar.for_code("FR-57")


# --------------------------------------------------------------------------------------------
# Moving between business days


def test_next_business_day() -> None:
    # Strictly after: Wednesday 30 April 2025 → Friday 2 May (1 May is a holiday).
    assert FR.next_business_day(date(2025, 4, 30)) == date(2025, 5, 2)
    # Friday 9 May → Monday 12 May.
    assert FR.next_business_day(date(2025, 5, 9)) == date(2025, 5, 12)
    # A business day is not its own next business day: Monday 12 May → Tuesday 13 May.
    assert FR.next_business_day(date(2025, 5, 12)) == date(2025, 5, 13)
    # Wednesday 28 May → Friday 30 May (Ascension on Thursday 29 May).
    assert FR.next_business_day(date(2025, 5, 28)) == date(2025, 5, 30)


def test_add_business_days_forward() -> None:
    # Wednesday 30 April 2025 + 1 → Friday 2 May; + 3 → Fri 2, Mon 5, Tue 6 May.
    assert FR.add_business_days(date(2025, 4, 30), 1) == date(2025, 5, 2)
    assert FR.add_business_days(date(2025, 4, 30), 3) == date(2025, 5, 6)
    # From a Saturday: + 1 → Monday.
    assert FR.add_business_days(date(2025, 6, 14), 1) == date(2025, 6, 16)


def test_add_business_days_backward() -> None:
    # Friday 2 May 2025 − 1 → Wednesday 30 April (1 May is a holiday).
    assert FR.add_business_days(date(2025, 5, 2), -1) == date(2025, 4, 30)
    # Monday 12 May − 3: Fri 9 (−1), Wed 7 (−2; Thu 8 May is a holiday), Tue 6 May (−3).
    assert FR.add_business_days(date(2025, 5, 12), -3) == date(2025, 5, 6)


def test_add_zero_business_days_returns_the_day_itself() -> None:
    sunday = date(2025, 6, 8)
    assert FR.add_business_days(sunday, 0) == sunday


def test_roll_forward() -> None:
    assert FR.roll_forward(date(2025, 6, 6)) == date(2025, 6, 6)  # Friday: itself
    assert FR.roll_forward(date(2025, 6, 14)) == date(2025, 6, 16)  # Saturday → Monday
    assert FR.roll_forward(date(2025, 12, 25)) == date(2025, 12, 26)  # Christmas → Friday
    assert MOSELLE.roll_forward(date(2025, 12, 25)) == date(2025, 12, 29)  # 26 Dec too → Monday


def test_legal_deadline_of_zero_days_is_the_day_rolled_forward() -> None:
    assert FR.legal_deadline(date(2025, 6, 6), 0) == date(2025, 6, 6)
    assert FR.legal_deadline(date(2025, 6, 7), 0) == date(2025, 6, 10)


# --------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize("junk", [None, "", "€", float("nan"), -1, 10**100, object(), "2025-01-01"])
def test_junk_dates_raise_relance_error(junk: object) -> None:
    for call in (
        FR.is_business_day,
        FR.next_business_day,
        FR.roll_forward,
        FR.holiday_name,
        lambda d: FR.add_business_days(d, 1),
        lambda d: FR.legal_deadline(d, 8),
    ):
        with pytest.raises(InvalidFieldError):
            call(junk)


@pytest.mark.parametrize("junk", [None, "", "€", float("nan"), 1.5, 10**100, object(), True])
def test_junk_day_counts_raise_relance_error(junk: object) -> None:
    with pytest.raises(InvalidFieldError, match="days"):
        FR.add_business_days(date(2025, 6, 6), junk)  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError, match="days"):
        FR.legal_deadline(date(2025, 6, 6), junk)  # type: ignore[arg-type]


@pytest.mark.parametrize("junk", [None, "2025", 2025.0, True, 1800, 10**9, object()])
def test_junk_years_raise_relance_error(junk: object) -> None:
    with pytest.raises(InvalidFieldError, match="year"):
        FR.holidays_in(junk)  # type: ignore[arg-type]


def test_negative_legal_deadline_is_refused() -> None:
    with pytest.raises(InvalidFieldError, match="negative"):
        FR.legal_deadline(date(2025, 6, 6), -1)


def test_datetime_is_refused() -> None:
    with pytest.raises(InvalidFieldError, match=r"datetime\.date"):
        FR.is_business_day(dt.datetime(2025, 6, 6, 12, 0))


def test_dates_outside_the_covered_years_are_refused() -> None:
    with pytest.raises(InvalidFieldError, match="years"):
        FR.is_business_day(date(1800, 1, 1))


# --------------------------------------------------------------------------------------------
# Properties

days_in_range = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
codes = st.sampled_from(["FR", "FR-57", "FR-67", "FR-974", "FR-971"])


@given(codes, days_in_range, st.integers(min_value=0, max_value=400))
def test_legal_deadline_lands_on_a_business_day_never_before_start_plus_days(
    code: str, start: dt.date, days: int
) -> None:
    calendar = Calendar.for_code(code)
    end = calendar.legal_deadline(start, days)
    assert calendar.is_business_day(end)
    assert end >= start + dt.timedelta(days=days)
    # Only non-business days lie between start + days and the deadline.
    day = start + dt.timedelta(days=days)
    while day < end:
        assert not calendar.is_business_day(day)
        day += dt.timedelta(days=1)


@given(codes, days_in_range, st.integers(min_value=-300, max_value=300).filter(bool))
def test_add_business_days_lands_on_a_business_day(code: str, day: dt.date, n: int) -> None:
    calendar = Calendar.for_code(code)
    result = calendar.add_business_days(day, n)
    assert calendar.is_business_day(result)
    assert (result > day) if n > 0 else (result < day)


@given(codes, days_in_range, st.integers(min_value=-300, max_value=300))
def test_add_business_days_round_trips_from_a_business_day(code: str, day: dt.date, n: int) -> None:
    calendar = Calendar.for_code(code)
    start = calendar.roll_forward(day)
    assert calendar.add_business_days(calendar.add_business_days(start, n), -n) == start


@given(codes, days_in_range)
def test_next_business_day_is_the_roll_forward_of_the_next_day(code: str, day: dt.date) -> None:
    calendar = Calendar.for_code(code)
    following = calendar.next_business_day(day)
    assert following > day
    assert following == calendar.roll_forward(day + dt.timedelta(days=1))
    assert calendar.add_business_days(day, 1) == following
