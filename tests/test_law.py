"""Tests for relancelib.law: every expected figure is worked out by hand in a comment.

Notation: ``a × r × d / 36500`` is ``amount × rate% × days / 365``.  Penalties are rounded once,
to the cent, half-up, from the sum of the unrounded period amounts.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import make_invoice
from relancelib import law
from relancelib.errors import (
    DataImportError,
    InvalidFieldError,
    RateUnknownError,
    RelanceError,
)
from relancelib.law import (
    DEFAULT_RATES,
    Granularity,
    Penalties,
    Period,
    RateRow,
    Rates,
    RateTable,
    check_payment_terms,
    commercial_penalty_rate,
    late_penalties,
    legal_interest,
    legal_interest_rate,
    payment_terms_limit,
    prescription_date,
    recovery_indemnity,
)
from relancelib.model import Client, ClientKind, Invoice, Payment

D = Decimal
date = dt.date


def ratio(numerator: int, denominator: int) -> Decimal:
    """``numerator / denominator`` to the 34 significant digits relancelib computes with."""
    with decimal.localcontext(decimal.Context(prec=34)):
        return D(numerator) / D(denominator)


# --------------------------------------------------------------------------------------------
# Rate tables against LAW.md


# LAW.md §1 "Resulting default rates" (MRO on 1 January / 1 July + 10 points).
DEFAULT_RATE_TABLE = [
    (date(2022, 1, 1), D("10.00")),  # MRO on 2022-01-01: 0.00 (since 2016-03-16)
    (date(2022, 7, 1), D("10.00")),  # MRO on 2022-07-01: 0.00 (0.50 only from 2022-07-27)
    (date(2023, 1, 1), D("12.50")),  # MRO 2.50 from 2022-12-21
    (date(2023, 7, 1), D("14.00")),  # MRO 4.00 from 2023-06-21
    (date(2024, 1, 1), D("14.50")),  # MRO 4.50 from 2023-09-20
    (date(2024, 7, 1), D("14.25")),  # MRO 4.25 from 2024-06-12
    (date(2025, 1, 1), D("13.15")),  # MRO 3.15 from 2024-12-18
    (date(2025, 7, 1), D("12.15")),  # MRO 2.15 from 2025-06-11
    (date(2026, 1, 1), D("12.15")),  # MRO 2.15, unchanged through 2026-02-05
]


@pytest.mark.parametrize(("start", "expected"), DEFAULT_RATE_TABLE)
def test_commercial_penalty_rate_matches_law_md(start: dt.date, expected: Decimal) -> None:
    assert commercial_penalty_rate(start) == expected
    # Every day of the half-year has the rate fixed on its first day.
    assert commercial_penalty_rate(start + dt.timedelta(days=100)) == expected
    last = date(start.year, 6, 30) if start.month == 1 else date(start.year, 12, 31)
    assert commercial_penalty_rate(last) == expected


# LAW.md §2: (half-year start, private creditor, all other cases).
LEGAL_RATE_TABLE = [
    (date(2022, 1, 1), D("3.13"), D("0.76")),
    (date(2022, 7, 1), D("3.15"), D("0.77")),
    (date(2023, 1, 1), D("4.47"), D("2.06")),
    (date(2023, 7, 1), D("6.82"), D("4.22")),
    (date(2024, 1, 1), D("8.01"), D("5.07")),
    (date(2024, 7, 1), D("8.16"), D("4.92")),
    (date(2025, 1, 1), D("7.21"), D("3.71")),
    (date(2025, 7, 1), D("6.65"), D("2.76")),
    (date(2026, 1, 1), D("6.67"), D("2.62")),
]


@pytest.mark.parametrize(("start", "private", "other"), LEGAL_RATE_TABLE)
def test_legal_interest_rate_matches_law_md(
    start: dt.date, private: Decimal, other: Decimal
) -> None:
    middle = start + dt.timedelta(days=90)
    assert legal_interest_rate(middle) == other
    assert legal_interest_rate(middle, private_creditor=False) == other
    assert legal_interest_rate(middle, private_creditor=True) == private


def test_shipped_tables_state_their_known_through_dates() -> None:
    assert DEFAULT_RATES.mro.known_through == date(2026, 2, 5)
    assert DEFAULT_RATES.legal.known_through == date(2026, 6, 30)
    assert DEFAULT_RATES.legal_private.known_through == date(2026, 6, 30)
    assert DEFAULT_RATES.mro.known_from == date(2016, 3, 16)
    assert DEFAULT_RATES.legal.known_from == date(2022, 1, 1)
    # 19 MRO changes in LAW.md §1, 9 half-years in §2; each row carries its source.
    assert len(DEFAULT_RATES.mro.rows) == 19
    assert len(DEFAULT_RATES.legal.rows) == 9
    assert all(row.source for row in DEFAULT_RATES.mro.rows + DEFAULT_RATES.legal.rows)
    assert DEFAULT_RATES.mro.rate_on(date(2024, 9, 17)) == D("4.25")
    assert DEFAULT_RATES.mro.rate_on(date(2024, 9, 18)) == D("3.65")


def test_rates_default_to_the_shipped_tables() -> None:
    assert Rates() == DEFAULT_RATES


def test_2026_h2_default_rate_is_unknown() -> None:
    # The MRO table is known through 2026-02-05; 2026 H2 needs the rate on 2026-07-01.
    with pytest.raises(RateUnknownError, match=r"2026-07-01") as info:
        commercial_penalty_rate(date(2026, 7, 1))
    assert "with_mro(date(2026, 7, 1)" in str(info.value)
    with pytest.raises(RateUnknownError, match=r"2026 H2"):
        commercial_penalty_rate(date(2026, 12, 31))


def test_2026_s2_legal_rate_is_unknown() -> None:
    with pytest.raises(RateUnknownError, match=r"2026-07-01.*2026-06-30"):
        legal_interest_rate(date(2026, 7, 1))
    with pytest.raises(RateUnknownError, match=r"2026-09-15"):
        legal_interest_rate(date(2026, 9, 15), private_creditor=True)


def test_rate_before_the_first_row_is_unknown() -> None:
    # The MRO table starts 2016-03-16, so 2016 H1 (MRO on 2016-01-01) is not known.
    with pytest.raises(RateUnknownError, match=r"2016-01-01"):
        commercial_penalty_rate(date(2016, 5, 1))
    # 2016 H2 is: MRO 0.00 on 2016-07-01, + 10.
    assert commercial_penalty_rate(date(2016, 8, 1)) == D("10.00")
    with pytest.raises(RateUnknownError, match=r"2021-12-31"):
        legal_interest_rate(date(2021, 12, 31))


def test_rate_unknown_error_is_a_relance_error() -> None:
    with pytest.raises(RelanceError):
        commercial_penalty_rate(date(2030, 1, 1))


def test_late_penalties_past_the_tables_raise_rate_unknown() -> None:
    # Due 2026-06-20: the days from 1 July 2026 need the 2026 H2 rate.
    with pytest.raises(RateUnknownError):
        late_penalties(D("1000.00"), date(2026, 6, 20), date(2026, 7, 10))
    # Not split: only the rate of 2026 H1 (the due date's half-year) is needed.
    # 1000 × 12.15 × 20 / 36500 = 243000 / 36500 = 6.6575… → 6.66
    assert late_penalties(
        D("1000.00"), date(2026, 6, 20), date(2026, 7, 10), split=False
    ).amount == D("6.66")


def test_extending_the_mro_table_makes_2026_h2_work() -> None:
    # A hypothetical MRO of 2.40 % on 1 July 2026 (a test figure, not a fact).
    rates = DEFAULT_RATES.with_mro(date(2026, 7, 1), D("2.40"), source="test figure")
    assert rates.mro.known_through == date(2026, 7, 1)
    assert DEFAULT_RATES.mro.known_through == date(2026, 2, 5)  # the default is untouched
    assert commercial_penalty_rate(date(2026, 9, 1), rates=rates) == D("12.40")
    # Due 2026-06-20, until 2026-07-10: 10 days (21–30 June) at 12.15, 10 days (1–10 July) at 12.40.
    # 1000 × 12.15 × 10 / 36500 = 121500 / 36500 = 3.3287671…
    # 1000 × 12.40 × 10 / 36500 = 124000 / 36500 = 3.3972602…
    # total 6.7260273… → 6.73
    result = late_penalties(D("1000.00"), date(2026, 6, 20), date(2026, 7, 10), rates=rates)
    assert result.amount == D("6.73")
    assert [(p.start, p.end, p.days, p.rate) for p in result.periods] == [
        (date(2026, 6, 21), date(2026, 6, 30), 10, D("12.15")),
        (date(2026, 7, 1), date(2026, 7, 10), 10, D("12.40")),
    ]


def test_extending_the_legal_table_makes_2026_s2_work() -> None:
    rates = DEFAULT_RATES.with_legal_rate(
        date(2026, 7, 1), D("2.50"), private_creditor_rate=D("6.50"), source="test figures"
    )
    assert rates.legal.known_through == date(2026, 12, 31)
    assert legal_interest_rate(date(2026, 11, 1), rates=rates) == D("2.50")
    assert legal_interest_rate(date(2026, 11, 1), private_creditor=True, rates=rates) == D("6.50")
    # The 2026 S2 legal rate also gives the floor of a contractual rate due in 2026 S2:
    # 3 × 2.50 = 7.50, so 7.49 is refused and 7.50 accepted.
    with pytest.raises(InvalidFieldError, match=r"7\.50"):
        late_penalties(D("100.00"), date(2026, 8, 1), date(2026, 8, 2), rate=D("7.49"), rates=rates)
    # 36500 × 7.50 × 1 / 36500 = 7.50
    assert late_penalties(
        D("36500.00"), date(2026, 8, 1), date(2026, 8, 2), rate=D("7.50"), rates=rates
    ).amount == D("7.50")


def test_extended_rows_must_be_newer_and_well_formed() -> None:
    mro = DEFAULT_RATES.mro
    with pytest.raises(InvalidFieldError, match="after the last row"):
        mro.extended(date(2025, 6, 11), D("2.00"), source="x")
    with pytest.raises(InvalidFieldError, match="1 January or 1 July"):
        DEFAULT_RATES.legal.extended(date(2026, 8, 1), D("2.00"), source="x")
    with pytest.raises(InvalidFieldError):
        mro.extended(date(2026, 3, 1), 2.0, source="x")  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError):
        mro.extended(date(2026, 3, 1), D("2.00"), source="")
    # An explicit known_through confirms a rate unchanged up to a later day.
    longer = mro.extended(date(2026, 3, 18), D("2.15"), source="x", known_through=date(2026, 7, 31))
    assert longer.known_through == date(2026, 7, 31)
    assert longer.rate_on(date(2026, 7, 1)) == D("2.15")


def test_a_custom_table_can_cover_older_dates() -> None:
    older = RateTable(
        "custom MRO",
        (RateRow(date(2015, 1, 1), D("0.05"), "test figure"), *DEFAULT_RATES.mro.rows),
        DEFAULT_RATES.mro.known_through,
    )
    rates = Rates(mro=older)
    # 0.05 + 10 = 10.05
    assert commercial_penalty_rate(date(2016, 1, 1), rates=rates) == D("10.05")


def test_rate_table_refuses_unsorted_rows() -> None:
    rows = (RateRow(date(2020, 1, 1), D("1"), "a"), RateRow(date(2019, 1, 1), D("2"), "b"))
    with pytest.raises(InvalidFieldError, match="increasing"):
        RateTable("t", rows, date(2021, 1, 1))
    with pytest.raises(InvalidFieldError, match="before the last row"):
        RateTable("t", rows[:1], date(2019, 1, 1))


def test_rate_table_reads_csv() -> None:
    text = "# known_through: 2020-12-31\nstart,rate,source\n2020-01-01,1.50,somewhere\n"
    table = RateTable.from_csv(text, name="t")
    assert table.rate_on(date(2020, 6, 1)) == D("1.50")
    assert table.known_through == date(2020, 12, 31)
    with pytest.raises(DataImportError, match="known_through"):
        RateTable.from_csv("start,rate,source\n2020-01-01,1.50,x\n", name="t")
    with pytest.raises(DataImportError, match="line 3"):
        RateTable.from_csv(
            "# known_through: 2020-12-31\nstart,rate,source\n2020-01-01,abc,x\n", name="t"
        )
    with pytest.raises(DataImportError, match="line 3"):
        RateTable.from_csv(
            "# known_through: 2020-12-31\nstart,rate,source\n2020-02-30,1,x\n", name="t"
        )
    half = RateTable.from_csv(
        "# known_through: 2020-06-30\nstart,other,source\n2020-01-01,0.87,x\n",
        name="t",
        column="other",
        granularity=Granularity.HALF_YEAR,
    )
    assert half.rate_on(date(2020, 3, 1)) == D("0.87")


# --------------------------------------------------------------------------------------------
# Late-payment penalties (Code de commerce L441-10 II)


def test_law_md_example_21_62() -> None:
    # LAW.md §1: 1 000,00 € due 15 March 2025, paid 14 May 2025: 60 days at 13,15 %.
    # 1000 × 13.15 × 60 / 36500 = 789000 / 36500 = 21.6164383… → 21.62
    result = late_penalties(D("1000.00"), date(2025, 3, 15), date(2025, 5, 14))
    assert result.amount == D("21.62")
    assert result.days == 60
    assert result.rate == D("13.15")
    assert result.periods == (
        Period(
            date(2025, 3, 16),
            date(2025, 5, 14),
            60,
            D("13.15"),
            D("1000.00"),
            ratio(789000, 36500),
            365,
        ),
    )


# A due date in each half-year of 2024 and 2025, 30 days late, 1 000,00 €.
HALF_YEAR_CASES = [
    # 2024 H1, 14.50 %: 10 Feb → 11 Mar 2024 = 19 (Feb, leap) + 11 = 30 days.
    # 1000 × 14.50 × 30 / 36500 = 435000 / 36500 = 11.9178… → 11.92
    (date(2024, 2, 10), date(2024, 3, 11), D("14.50"), D("11.92")),
    # 2024 H2, 14.25 %: 1 Sep → 1 Oct 2024 = 30 days.
    # 1000 × 14.25 × 30 / 36500 = 427500 / 36500 = 11.7123… → 11.71
    (date(2024, 9, 1), date(2024, 10, 1), D("14.25"), D("11.71")),
    # 2025 H1, 13.15 %: 1 Feb → 3 Mar 2025 = 27 + 3 = 30 days.
    # 1000 × 13.15 × 30 / 36500 = 394500 / 36500 = 10.8082… → 10.81
    (date(2025, 2, 1), date(2025, 3, 3), D("13.15"), D("10.81")),
    # 2025 H2, 12.15 %: 1 Oct → 31 Oct 2025 = 30 days.
    # 1000 × 12.15 × 30 / 36500 = 364500 / 36500 = 9.98630… → 9.99
    (date(2025, 10, 1), date(2025, 10, 31), D("12.15"), D("9.99")),
]


@pytest.mark.parametrize(("due", "until", "rate", "expected"), HALF_YEAR_CASES)
def test_late_penalties_in_each_half_year(
    due: dt.date, until: dt.date, rate: Decimal, expected: Decimal
) -> None:
    for split in (True, False):
        result = late_penalties(D("1000.00"), due, until, split=split)
        assert result.amount == expected
        assert result.days == 30
        assert result.rate == rate
        assert len(result.periods) == 1


def test_period_crossing_1_july() -> None:
    # Due 15 June 2025, until 15 July 2025: 30 days.
    # Split: 16–30 June = 15 days at 13.15, 1–15 July = 15 days at 12.15.
    #   1000 × 13.15 × 15 / 36500 = 197250 / 36500 = 5.4041095…
    #   1000 × 12.15 × 15 / 36500 = 182250 / 36500 = 4.9931506…
    #   total 10.3972602… → 10.40
    split = late_penalties(D("1000.00"), date(2025, 6, 15), date(2025, 7, 15))
    assert split.amount == D("10.40")
    assert split.days == 30
    assert split.rate is None
    assert [(p.start, p.end, p.days, p.rate) for p in split.periods] == [
        (date(2025, 6, 16), date(2025, 6, 30), 15, D("13.15")),
        (date(2025, 7, 1), date(2025, 7, 15), 15, D("12.15")),
    ]
    assert [p.amount for p in split.periods] == [ratio(197250, 36500), ratio(182250, 36500)]
    # Not split: 30 days at 13.15 (the half-year of the due date).
    #   1000 × 13.15 × 30 / 36500 = 394500 / 36500 = 10.8082… → 10.81
    whole = late_penalties(D("1000.00"), date(2025, 6, 15), date(2025, 7, 15), split=False)
    assert whole.amount == D("10.81")
    assert whole.rate == D("13.15")
    assert len(whole.periods) == 1


def test_period_crossing_1_january() -> None:
    # Due 1 Dec 2024, until 31 Jan 2025: 61 days.
    # Split: 2–31 Dec = 30 days at 14.25, 1–31 Jan = 31 days at 13.15.
    #   2000 × 14.25 × 30 / 36500 = 855000 / 36500 = 23.4246575…
    #   2000 × 13.15 × 31 / 36500 = 815300 / 36500 = 22.3369863…
    #   total 45.7616438… → 45.76
    split = late_penalties(D("2000.00"), date(2024, 12, 1), date(2025, 1, 31))
    assert split.amount == D("45.76")
    assert split.days == 61
    assert [(p.days, p.rate) for p in split.periods] == [(30, D("14.25")), (31, D("13.15"))]
    # Not split: 61 days at 14.25.
    #   2000 × 14.25 × 61 / 36500 = 1738500 / 36500 = 47.6301369… → 47.63
    whole = late_penalties(D("2000.00"), date(2024, 12, 1), date(2025, 1, 31), split=False)
    assert whole.amount == D("47.63")
    assert whole.days == 61


def test_half_years_with_the_same_rate_form_one_period() -> None:
    # 2022 H1 and H2 are both 10.00 %: due 1 June 2022, until 31 July 2022 = 60 days.
    # 1000 × 10 × 60 / 36500 = 600000 / 36500 = 16.4383… → 16.44
    result = late_penalties(D("1000.00"), date(2022, 6, 1), date(2022, 7, 31))
    assert result.amount == D("16.44")
    assert len(result.periods) == 1
    assert result.rate == D("10.00")


def test_leap_year_period() -> None:
    # Due 15 Feb 2024, until 16 Mar 2024: 16–29 Feb = 14 days + 1–16 Mar = 16 days = 30 days,
    # 2024 H1 at 14.50 %.
    # basis 365: 1000 × 14.50 × 30 / 36500 = 435000 / 36500 = 11.9178… → 11.92
    # basis 366: 1000 × 14.50 × 30 / 36600 = 435000 / 36600 = 11.8852… → 11.89
    leap365 = late_penalties(D("1000.00"), date(2024, 2, 15), date(2024, 3, 16))
    leap366 = late_penalties(D("1000.00"), date(2024, 2, 15), date(2024, 3, 16), basis=366)
    assert (leap365.days, leap365.amount) == (30, D("11.92"))
    assert (leap366.days, leap366.amount) == (30, D("11.89"))
    assert leap366.periods[0].basis == 366


def test_basis_366_divides_only_leap_year_days_by_366() -> None:
    # Due 16 Dec 2023, until 15 Jan 2024: 17–31 Dec 2023 = 15 days at 14.00 (2023 H2),
    # 1–15 Jan 2024 = 15 days at 14.50 (2024 H1).
    # basis 366: 1000 × 14 × 15 / 36500 = 210000 / 36500 = 5.7534246…
    #            1000 × 14.5 × 15 / 36600 = 217500 / 36600 = 5.9426229…  total 11.6960475… → 11.70
    # basis 365: 5.7534246… + 217500 / 36500 = 5.9589041…  total 11.7123287… → 11.71
    mixed = late_penalties(D("1000.00"), date(2023, 12, 16), date(2024, 1, 15), basis=366)
    assert mixed.amount == D("11.70")
    assert [p.basis for p in mixed.periods] == [365, 366]
    plain = late_penalties(D("1000.00"), date(2023, 12, 16), date(2024, 1, 15))
    assert plain.amount == D("11.71")


def test_partial_payment_in_the_middle() -> None:
    # 3000 due 30 Sep 2025; 1000 paid 20 Oct 2025; until 19 Nov 2025; 2025 H2 at 12.15 %.
    # 1–20 Oct = 20 days on 3000 (the payment counts from the day after it):
    #   3000 × 12.15 × 20 / 36500 = 729000 / 36500 = 19.9726027…
    # 21 Oct–19 Nov = 11 + 19 = 30 days on 2000:
    #   2000 × 12.15 × 30 / 36500 = 729000 / 36500 = 19.9726027…
    # total 39.9452054… → 39.95
    result = late_penalties(
        D("3000.00"),
        date(2025, 9, 30),
        date(2025, 11, 19),
        payments=[Payment(date(2025, 10, 20), D("1000.00"))],
    )
    assert result.amount == D("39.95")
    assert result.days == 50
    assert [(p.start, p.end, p.base) for p in result.periods] == [
        (date(2025, 10, 1), date(2025, 10, 20), D("3000.00")),
        (date(2025, 10, 21), date(2025, 11, 19), D("2000.00")),
    ]


def test_payment_on_or_before_the_due_date_reduces_the_base_from_the_start() -> None:
    # 1000 due 15 Mar 2025, 400 paid on the due date, 200 paid before it (a deposit);
    # 60 days at 13.15 on 400: 400 × 13.15 × 60 / 36500 = 315600 / 36500 = 8.6465753… → 8.65
    result = late_penalties(
        D("1000.00"),
        date(2025, 3, 15),
        date(2025, 5, 14),
        payments=[Payment(date(2025, 3, 15), D("400.00")), Payment(date(2025, 1, 2), D("200.00"))],
    )
    assert result.amount == D("8.65")
    assert result.periods[0].base == D("400.00")


def test_interest_stops_when_the_balance_is_paid() -> None:
    # Paid in full on 14 May 2025 (the LAW.md example), computed until 30 June: still 21.62 and
    # 60 days, no period on a nil balance.
    result = late_penalties(
        D("1000.00"),
        date(2025, 3, 15),
        date(2025, 6, 30),
        payments=[Payment(date(2025, 5, 14), D("1000.00"))],
    )
    assert (result.amount, result.days, result.end) == (D("21.62"), 60, date(2025, 5, 14))


def test_paid_balance_needs_no_unknown_rate() -> None:
    # Paid in full before 2026 H2: the unknown 2026 H2 rate is never needed.
    result = late_penalties(
        D("1000.00"),
        date(2026, 5, 31),
        date(2026, 9, 30),
        payments=[Payment(date(2026, 6, 30), D("1000.00"))],
    )
    # 30 days (1–30 June) at 12.15: 1000 × 12.15 × 30 / 36500 = 364500 / 36500 = 9.9863… → 9.99
    assert (result.amount, result.days) == (D("9.99"), 30)


def test_payments_above_the_amount_are_refused() -> None:
    with pytest.raises(InvalidFieldError, match="payments"):
        late_penalties(
            D("100.00"),
            date(2025, 3, 15),
            date(2025, 5, 14),
            payments=[Payment(date(2025, 4, 1), D("60.00")), Payment(date(2025, 4, 2), D("60.00"))],
        )


def test_until_equal_to_due_date_is_zero() -> None:
    assert late_penalties(D("1000.00"), date(2025, 3, 15), date(2025, 3, 15)) == Penalties.zero()
    # No rate is needed for zero days, even where none is known (2026 H2, contractual rate).
    assert (
        late_penalties(D("1000.00"), date(2026, 9, 1), date(2026, 9, 1), rate=D("20"))
        == Penalties.zero()
    )
    assert Penalties.zero().amount == D("0.00")
    assert Penalties.zero().rate is None


def test_until_before_due_date_is_refused() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"until.*2025, 3, 14.*before the due date 2025-03-15"
    ):
        late_penalties(D("1000.00"), date(2025, 3, 15), date(2025, 3, 14))
    with pytest.raises(InvalidFieldError, match="until"):
        legal_interest(D("1000.00"), date(2025, 3, 15), date(2025, 3, 14))


def test_contractual_rate_below_the_floor_is_refused() -> None:
    # 2024 H1: floor 3 × 5.07 = 15.21, above the default rate 14.50; 15.00 is refused.
    with pytest.raises(InvalidFieldError, match=r"15\.00.*15\.21") as info:
        late_penalties(D("1000.00"), date(2024, 3, 15), date(2024, 5, 14), rate=D("15.00"))
    assert info.value.field == "rate"
    # The default rate still stands in 2024 H1 (the floor binds contractual rates only):
    # 16–31 Mar = 16 days + April 30 + 1–14 May 14 = 60 days;
    # 1000 × 14.50 × 60 / 36500 = 870000 / 36500 = 23.8356… → 23.84
    assert late_penalties(D("1000.00"), date(2024, 3, 15), date(2024, 5, 14)).amount == D("23.84")


def test_contractual_rate_above_the_floor_applies_to_every_day() -> None:
    # 2025 H1 floor: 3 × 3.71 = 11.13.  12.00 % over 15 June → 15 July 2025 (30 days, across
    # 1 July, one period): 1000 × 12 × 30 / 36500 = 360000 / 36500 = 9.8630… → 9.86
    result = late_penalties(D("1000.00"), date(2025, 6, 15), date(2025, 7, 15), rate=D("12.00"))
    assert result.amount == D("9.86")
    assert result.rate == D("12.00")
    assert len(result.periods) == 1
    # Exactly the floor is allowed: 36500 × 11.13 × 1 / 36500 = 11.13
    assert late_penalties(
        D("36500.00"), date(2025, 3, 15), date(2025, 3, 16), rate=D("11.13")
    ).amount == D("11.13")
    # An int rate is exact and accepted: 1000 × 20 × 60 / 36500 = 1200000 / 36500 = 32.876… → 32.88
    assert late_penalties(D("1000.00"), date(2025, 3, 15), date(2025, 5, 14), rate=20).amount == D(
        "32.88"
    )


def test_contractual_rate_floor_needs_a_known_legal_rate() -> None:
    # Due in 2021: the legal rate table starts in 2022, the floor cannot be checked.
    with pytest.raises(RateUnknownError, match="2021-07-01"):
        late_penalties(D("1000.00"), date(2021, 6, 30), date(2022, 1, 31), rate=D("20"))


def test_rounding_is_half_up() -> None:
    # 1 day in 2022 H1 at 10.00 %: 18.25 × 10 × 1 / 36500 = 182.5 / 36500 = 0.005 exactly
    # → 0.01 half-up (half-even would give 0.00).
    assert late_penalties(D("18.25"), date(2022, 3, 1), date(2022, 3, 2)).amount == D("0.01")


def test_rounding_happens_once_on_the_sum_of_the_periods() -> None:
    # 14.61 due 27 Feb 2022, 0.01 paid 28 Feb, until 1 Mar 2022, 2022 H1 at 10.00 %:
    #   28 Feb on 14.61: 14.61 × 10 × 1 / 36500 = 146.1 / 36500 = 0.0040027…
    #   1 Mar on 14.60:  14.60 × 10 × 1 / 36500 = 146 / 36500   = 0.004
    # sum 0.0080027… → 0.01, whereas rounding each period first would give 0.00 + 0.00.
    once = late_penalties(
        D("14.61"),
        date(2022, 2, 27),
        date(2022, 3, 1),
        payments=[Payment(date(2022, 2, 28), D("0.01"))],
    )
    assert [p.base for p in once.periods] == [D("14.61"), D("14.60")]
    assert once.periods[1].amount == D("0.004")
    assert all(p.amount < D("0.005") for p in once.periods)
    assert once.amount == D("0.01")
    # 31 Dec 2022 at 10.00 % and 1 Jan 2023 at 12.50 %, on 14.60:
    #   14.60 × 10 × 1 / 36500 = 146 / 36500 = 0.004
    #   14.60 × 12.5 × 1 / 36500 = 182.5 / 36500 = 0.005
    # the unrounded sum is exactly 0.009 → 0.01
    two = late_penalties(D("14.60"), date(2022, 12, 30), date(2023, 1, 1))
    assert [p.amount for p in two.periods] == [D("0.004"), D("0.005")]
    assert two.unrounded == D("0.009")
    assert two.amount == D("0.01")


def test_decimal_context_of_the_caller_does_not_matter() -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        assert late_penalties(D("1000.00"), date(2025, 3, 15), date(2025, 5, 14)).amount == D(
            "21.62"
        )


# --------------------------------------------------------------------------------------------
# Consumers: legal interest after a formal notice (Code civil 1231-6, 1344-1)


def test_consumer_legal_interest_after_formal_notice() -> None:
    # Notice on 10 June 2025; until 20 July 2025: 40 days from 11 June.
    # 11–30 June = 20 days at 3.71 (2025 S1): 1500 × 3.71 × 20 / 36500 = 111300 / 36500 = 3.0493150…
    # 1–20 July = 20 days at 2.76 (2025 S2): 1500 × 2.76 × 20 / 36500 = 82800 / 36500 = 2.2684931…
    # total 5.3178082… → 5.32
    result = legal_interest(D("1500.00"), date(2025, 6, 10), date(2025, 7, 20))
    assert result.amount == D("5.32")
    assert result.days == 40
    assert [(p.days, p.rate) for p in result.periods] == [(20, D("3.71")), (20, D("2.76"))]


def test_consumer_legal_interest_with_a_payment() -> None:
    # 1000, notice 31 Jan 2025, 500 paid 10 Feb, until 2 Mar 2025: 30 days, 2025 S1 at 3.71.
    # 1–10 Feb = 10 days on 1000: 1000 × 3.71 × 10 / 36500 = 37100 / 36500 = 1.0164383…
    # 11–28 Feb = 18 days + 1–2 Mar = 2 days = 20 days on 500:
    #   500 × 3.71 × 20 / 36500 = 37100 / 36500 = 1.0164383…
    # total 2.0328767… → 2.03
    result = legal_interest(
        D("1000.00"),
        date(2025, 1, 31),
        date(2025, 3, 2),
        payments=(Payment(date(2025, 2, 10), D("500.00")),),
    )
    assert result.days == 30
    assert result.amount == D("2.03")


def test_legal_interest_on_the_notice_day_is_zero() -> None:
    assert legal_interest(D("1500.00"), date(2025, 6, 10), date(2025, 6, 10)) == Penalties.zero()


def test_legal_interest_past_the_table_is_unknown() -> None:
    with pytest.raises(RateUnknownError, match="2026-07-01"):
        legal_interest(D("1500.00"), date(2026, 6, 10), date(2026, 7, 20))


# --------------------------------------------------------------------------------------------
# Indemnity, payment terms, prescription


def test_recovery_indemnity() -> None:
    business = Client("B1", "Boulangerie Martin")
    consumer = Client("P1", "Jeanne Lefèvre", kind=ClientKind.CONSUMER)
    assert recovery_indemnity(business) == D("40.00")
    assert recovery_indemnity(consumer) == D("0.00")


def test_payment_terms_limit_law_md_example() -> None:
    # Invoice 15 Jan 2025: 60 days → 16 Mar; (A) 31 Jan + 45 → 17 Mar; (B) 1 Mar → 31 Mar.
    assert payment_terms_limit(date(2025, 1, 15)) == date(2025, 3, 17)
    assert payment_terms_limit(date(2025, 1, 15), "A") == date(2025, 3, 17)
    assert payment_terms_limit(date(2025, 1, 15), "B") == date(2025, 3, 31)


def test_payment_terms_limit_sixty_days_can_win() -> None:
    # Invoice 1 Jan 2025: 60 days → 2 Mar; (A) 31 Jan + 45 → 17 Mar; (B) 15 Feb → 28 Feb.
    assert payment_terms_limit(date(2025, 1, 1), "A") == date(2025, 3, 17)
    assert payment_terms_limit(date(2025, 1, 1), "B") == date(2025, 3, 2)


def test_payment_terms_limit_refuses_unknown_reading() -> None:
    with pytest.raises(InvalidFieldError, match="reading"):
        payment_terms_limit(date(2025, 1, 15), "C")  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError):
        payment_terms_limit(date(2025, 1, 15), "a")  # type: ignore[arg-type]


def test_check_payment_terms() -> None:
    issue = date(2025, 1, 15)
    assert check_payment_terms(issue, date(2025, 3, 16)) is None  # 60 days
    assert check_payment_terms(issue, date(2025, 3, 17)) is None  # reading A
    assert check_payment_terms(issue, date(2025, 3, 31)) is None  # reading B
    # 15 Jan → 1 Apr = 16 + 28 + 31 + 1 = 76 days.
    message = check_payment_terms(issue, date(2025, 4, 1))
    assert message is not None
    for part in ("76 days", "L441-10", "2025-03-16", "2025-03-17", "2025-03-31"):
        assert part in message
    with pytest.raises(InvalidFieldError, match="due_date"):
        check_payment_terms(issue, date(2025, 1, 14))


def _invoice(due: dt.date, client_id: str = "B1") -> Invoice:
    return make_invoice("F-1", client_id, due=due, amount="100.00", sent_on=None)


def test_prescription_date() -> None:
    business = Client("B1", "Boulangerie Martin")
    consumer = Client("B1", "Jeanne Lefèvre", kind=ClientKind.CONSUMER)
    assert prescription_date(_invoice(date(2025, 3, 15)), business) == date(2030, 3, 15)
    # A consumer's: 2 years from the delivery date, else the issue date (due date - 30 days).
    assert prescription_date(_invoice(date(2025, 3, 15)), consumer) == date(2027, 2, 13)
    delivered = attrs.evolve(_invoice(date(2025, 3, 15)), delivered_on=date(2024, 2, 29))
    assert prescription_date(delivered, consumer) == date(2026, 2, 28)
    # 29 February → 28 February.
    assert prescription_date(_invoice(date(2024, 2, 29)), business) == date(2029, 2, 28)
    with pytest.raises(InvalidFieldError, match="client"):
        prescription_date(_invoice(date(2025, 3, 15), "OTHER"), business)


def test_prescription_too_close_to_the_end_of_the_calendar() -> None:
    business = Client("B1", "Boulangerie Martin")
    with pytest.raises(InvalidFieldError):
        prescription_date(_invoice(date(9998, 6, 1)), business)


# --------------------------------------------------------------------------------------------
# Bad input


def test_float_amount_is_refused_with_a_hint() -> None:
    with pytest.raises(InvalidFieldError, match="floats are refused") as info:
        late_penalties(1000.0, date(2025, 3, 15), date(2025, 5, 14))  # type: ignore[arg-type]
    assert info.value.field == "amount"
    assert info.value.value == 1000.0


@pytest.mark.parametrize(
    "amount", [D("-0.01"), D("NaN"), D("sNaN"), D("Infinity"), D("1e16"), 1000]
)
def test_bad_amounts_are_refused(amount: object) -> None:
    with pytest.raises(InvalidFieldError, match="amount"):
        late_penalties(amount, date(2025, 3, 15), date(2025, 5, 14))  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError, match="amount"):
        legal_interest(amount, date(2025, 3, 15), date(2025, 5, 14))  # type: ignore[arg-type]


@pytest.mark.parametrize("rate", [1.5, D("-1"), D("100.01"), D("NaN"), True, "15"])
def test_bad_rates_are_refused(rate: object) -> None:
    with pytest.raises(InvalidFieldError, match="rate"):
        late_penalties(D("1000.00"), date(2025, 3, 15), date(2025, 5, 14), rate=rate)  # type: ignore[arg-type]


@pytest.mark.parametrize("basis", [364, 360, True, 365.0, "365", None])
def test_bad_basis_is_refused(basis: object) -> None:
    with pytest.raises(InvalidFieldError, match="basis"):
        late_penalties(D("1000.00"), date(2025, 3, 15), date(2025, 5, 14), basis=basis)  # type: ignore[arg-type]


def test_datetime_is_not_a_date() -> None:
    with pytest.raises(InvalidFieldError, match="due_date"):
        late_penalties(D("1.00"), dt.datetime(2025, 3, 15), date(2025, 5, 14))


JUNK = [None, "", "€", float("nan"), -1, 10**100, D("1e999"), object()]
# Free-text arguments, for which "€" is a fine value.
TEXT_ARGUMENTS = {"source", "name"}
VALID_CLIENT = Client("B1", "Boulangerie Martin")
VALID_INVOICE = _invoice(date(2025, 3, 15))

# (callable, valid keyword arguments, arguments for which None is a valid value)
PUBLIC_FUNCTIONS: list[tuple[Callable[..., object], dict[str, object], set[str]]] = [
    (law.commercial_penalty_rate, {"on": date(2025, 3, 1), "rates": None}, {"rates"}),
    (
        law.legal_interest_rate,
        {"on": date(2025, 3, 1), "private_creditor": False, "rates": None},
        {"rates"},
    ),
    (
        law.late_penalties,
        {
            "amount": D("1000.00"),
            "due_date": date(2025, 3, 15),
            "until": date(2025, 5, 14),
            "rate": None,
            "payments": (),
            "split": True,
            "basis": 365,
            "rates": None,
        },
        {"rate", "rates"},
    ),
    (
        law.legal_interest,
        {
            "amount": D("1000.00"),
            "from_date": date(2025, 3, 15),
            "until": date(2025, 5, 14),
            "payments": (),
            "rates": None,
        },
        {"rates"},
    ),
    (law.recovery_indemnity, {"client": VALID_CLIENT}, set()),
    (law.payment_terms_limit, {"issue_date": date(2025, 1, 15), "reading": "A"}, set()),
    (
        law.check_payment_terms,
        {"issue_date": date(2025, 1, 15), "due_date": date(2025, 2, 15)},
        set(),
    ),
    (law.prescription_date, {"invoice": VALID_INVOICE, "client": VALID_CLIENT}, set()),
    (law.half_year, {"day": date(2025, 3, 1)}, set()),
    (DEFAULT_RATES.mro.rate_on, {"day": date(2025, 3, 1)}, set()),
    (DEFAULT_RATES.mro.row_on, {"day": date(2025, 3, 1)}, set()),
    (
        DEFAULT_RATES.mro.extended,
        {"start": date(2026, 3, 18), "rate": D("2.00"), "source": "x", "known_through": None},
        {"known_through"},
    ),
    (
        DEFAULT_RATES.with_mro,
        {"start": date(2026, 3, 18), "rate": D("2.00"), "source": "x", "known_through": None},
        {"known_through"},
    ),
    (
        DEFAULT_RATES.with_legal_rate,
        {
            "start": date(2026, 7, 1),
            "rate": D("2.00"),
            "source": "x",
            "private_creditor_rate": None,
        },
        {"private_creditor_rate"},
    ),
    (
        RateTable.from_csv,
        {"text": "# known_through: 2020-12-31\nstart,rate,source\n2020-01-01,1,x\n", "name": "t"},
        set(),
    ),
    (RateRow, {"start": date(2020, 1, 1), "rate": D("1"), "source": "x"}, set()),
    (Rates, {"mro": DEFAULT_RATES.mro}, set()),
    (law.check_rates, {"rates": DEFAULT_RATES}, {"rates"}),
    (
        law.claim,
        {
            "invoice": VALID_INVOICE,
            "client": VALID_CLIENT,
            "as_of": date(2025, 5, 14),
            "notified_on": None,
            "rates": None,
        },
        {"notified_on", "rates"},
    ),
    (
        law.prescription_warning,
        {"invoice": VALID_INVOICE, "client": VALID_CLIENT, "as_of": date(2025, 5, 14)},
        set(),
    ),
    (
        law.payment_terms_warning,
        {"issue_date": date(2025, 1, 15), "due_date": date(2025, 2, 15)},
        set(),
    ),
    (
        law.time_barred,
        {"invoice": VALID_INVOICE, "client": VALID_CLIENT, "as_of": date(2025, 5, 14)},
        set(),
    ),
]


def _junk_cases() -> list[tuple[Callable[..., object], dict[str, object], str, object]]:
    cases = []
    for function, valid, nullable in PUBLIC_FUNCTIONS:
        for name in valid:
            for junk in JUNK:
                if (junk is None and name in nullable) or (junk == "€" and name in TEXT_ARGUMENTS):
                    continue
                cases.append((function, valid, name, junk))
    return cases


def test_every_public_function_is_checked_with_junk() -> None:
    covered = {getattr(f, "__name__", None) for f, _v, _n in PUBLIC_FUNCTIONS}
    # The SDMX-CSV and user-rates-file readers take text and are tested on junk files in
    # tests/test_law_rates_import.py.
    files = {"read_sdmx_csv", "read_user_rates", "write_user_rates", "extend_rates"}
    public_functions = {
        name for name in law.__all__ if callable(getattr(law, name)) and name[0].islower()
    }
    assert public_functions - files <= covered


@pytest.mark.parametrize(("function", "valid", "name", "junk"), _junk_cases())
def test_junk_raises_relance_error(
    function: Callable[..., object], valid: dict[str, object], name: str, junk: object
) -> None:
    function(**valid)  # the valid call works
    with pytest.raises(RelanceError):
        function(**{**valid, name: junk})


# --------------------------------------------------------------------------------------------
# Properties


# The days every shipped table covers: legal rates from 2022 S1, both through 2026 H1.
FIRST = date(2022, 1, 1)
LAST = date(2026, 6, 30)
Claim = tuple[Decimal, dt.date, dt.date, tuple[Payment, ...]]


@st.composite
def claims(draw: st.DrawFn) -> Claim:
    """An amount, a due date and an ``until`` within the shipped tables, and payments
    whose total does not exceed the amount."""
    cents = draw(st.integers(min_value=1, max_value=10**9))
    due = draw(st.dates(min_value=FIRST, max_value=LAST))
    until = draw(st.dates(min_value=due, max_value=LAST))
    payments = []
    left = cents
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        if left == 0:
            break
        paid = draw(st.integers(min_value=1, max_value=left))
        left -= paid
        on = draw(st.dates(min_value=due - dt.timedelta(days=30), max_value=LAST))
        payments.append(Payment(on, D(paid).scaleb(-2)))
    return D(cents).scaleb(-2), due, until, tuple(payments)


# Contractual rates above every floor of the shipped legal table (max 3 × 5.07 = 15.21).
options = st.fixed_dictionaries(
    {
        "rate": st.one_of(
            st.none(), st.decimals(min_value=D("15.21"), max_value=D("40"), places=2)
        ),
        "basis": st.sampled_from([365, 366]),
    }
)


@given(claims(), st.data(), options, st.booleans())
@settings(max_examples=200)
def test_penalties_never_decrease_as_until_grows(
    claim: Claim, data: st.DataObject, opts: dict[str, Any], split: bool
) -> None:
    amount, due, until, payments = claim
    later = data.draw(st.dates(min_value=until, max_value=LAST))
    before = late_penalties(amount, due, until, payments=payments, split=split, **opts)
    after = late_penalties(amount, due, later, payments=payments, split=split, **opts)
    assert after.unrounded >= before.unrounded
    assert after.amount >= before.amount
    assert after.days >= before.days


@given(claims(), st.data(), options)
def test_penalties_are_zero_when_paid_in_full_on_or_before_the_due_date(
    claim: Claim, data: st.DataObject, opts: dict[str, Any]
) -> None:
    amount, due, until, _payments = claim
    paid_on = data.draw(st.dates(min_value=due - dt.timedelta(days=60), max_value=due))
    result = late_penalties(amount, due, until, payments=[Payment(paid_on, amount)], **opts)
    assert result == Penalties.zero()


@given(claims(), st.data(), st.sampled_from([365, 366]))
@settings(max_examples=200)
def test_penalties_equal_the_sum_of_their_parts_split_at_any_day(
    claim: Claim, data: st.DataObject, basis: int
) -> None:
    amount, due, until, payments = claim
    middle = data.draw(st.dates(min_value=due, max_value=until))
    whole = late_penalties(amount, due, until, payments=payments, basis=basis)
    first = late_penalties(amount, due, middle, payments=payments, basis=basis)
    second = late_penalties(amount, middle, until, payments=payments, basis=basis)
    # Unrounded sums: equal up to the last of 34 significant digits (a division by 36500 is not
    # exact, so one merged period and two split ones may differ in that digit).
    assert abs(whole.unrounded - (first.unrounded + second.unrounded)) < D("1e-20")
    assert whole.days == first.days + second.days


@given(claims())
def test_days_are_counted_from_the_day_after_the_due_date(claim: Claim) -> None:
    amount, due, until, _payments = claim
    result = late_penalties(amount, due, until)
    assert result.days == (until - due).days
    assert sum(p.days for p in result.periods) == result.days
    if result.periods:
        assert result.periods[0].start == due + dt.timedelta(days=1)
        assert result.periods[-1].end == until


@given(claims(), st.data())
@settings(max_examples=200)
def test_legal_interest_never_decreases_as_until_grows(claim: Claim, data: st.DataObject) -> None:
    amount, notice, until, payments = claim
    later = data.draw(st.dates(min_value=until, max_value=LAST))
    before = legal_interest(amount, notice, until, payments=payments)
    after = legal_interest(amount, notice, later, payments=payments)
    assert after.unrounded >= before.unrounded
    assert after.amount >= before.amount


@given(claims())
def test_penalties_amount_is_the_unrounded_sum_rounded_once(claim: Claim) -> None:
    amount, due, until, payments = claim
    result = late_penalties(amount, due, until, payments=payments)
    assert result.amount == result.unrounded.quantize(D("0.01"), rounding=decimal.ROUND_HALF_UP)
    assert all(period.base > 0 for period in result.periods)
