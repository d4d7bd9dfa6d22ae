"""The measures, worked by hand on a tiny portfolio, and the compatibility of aged_balance."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from relancelib import Channel, Invoice, MemoryJournal, Payment, Record
from relancelib.io import aged_balance as io_aged_balance
from relancelib.reports import (
    AGED_BUCKETS,
    AGING_BUCKETS,
    aged_balance,
    aging,
    best_possible_dso,
    cash_forecast,
    dso_count_back,
    dso_over_time,
    dso_simple,
    expected_payments,
    payer_profiles,
    receivables,
    step_effectiveness,
    weighted_days_late,
)
from relancelib.reports.forecast import BASIS_BEYOND, BASIS_CLIENT, BASIS_PORTFOLIO

pd = pytest.importorskip("pandas")

D = Decimal
AS_OF = dt.date(2026, 3, 31)

# The tiny portfolio, on 31 March 2026 (all EUR):
#   F1  A  issued 15/01/2026, due 14/02, 1 000,00, unpaid          → 45 days late: 31–60
#   F2  A  issued 20/02/2026, due 22/03,   600,00, 200 paid 10/03  → 400 left, 9 days: 1–30
#   F3  B  issued 10/03/2026, due 09/04, 1 200,00, unpaid          → not due: non échu
#   F4  B  issued 01/12/2025, due 31/12,   500,00, paid 20/01/2026 → settled, 20 days late
#   F5  B  issued 01/11/2025, due 01/12,   300,00, unpaid          → 120 days late: > 90
# Receivables 1 000 + 400 + 1 200 + 300 = 2 900,00.
# Aging: A 400 (1–30) + 1 000 (31–60) = 1 400; B 1 200 (non échu) + 300 (> 90) = 1 500.
#
# Count-back DSO (calendar months back from 31/03): sales of (28/02, 31/03] = 1 200 (F3),
# 31 days; (31/01, 28/02] = 600 (F2), 28 days; (31/12, 31/01] = 1 000 (F1), 31 days;
# (30/11, 31/12] = 500 (F4), 31 days.  2 900 − 1 200 = 1 700 → 31 d; − 600 = 1 100 → 59 d;
# − 1 000 = 100 → 90 d; 100 / 500 of December's 31 days = 6.2 → 96.2 days.
# Simple DSO over 90 days ((31/12/2025, 31/03/2026]): sales 1 000 + 600 + 1 200 = 2 800,
# 2 900 / 2 800 × 90 = 93.21 → 93.2 days.  Best possible: not due 1 200 / 2 800 × 90 =
# 38.57 → 38.6 days.  Weighted days late: (1 000×45 + 400×9 + 300×120) / 1 700 = 84 600 /
# 1 700 = 49.76 → 49.8 days.


def _portfolio() -> list[Invoice]:
    return [
        Invoice("F1", "A", dt.date(2026, 1, 15), dt.date(2026, 2, 14), D("1000.00")),
        Invoice(
            "F2", "A", dt.date(2026, 2, 20), dt.date(2026, 3, 22), D("600.00"),
            payments=(Payment(dt.date(2026, 3, 10), D("200.00")),),
        ),
        Invoice("F3", "B", dt.date(2026, 3, 10), dt.date(2026, 4, 9), D("1200.00")),
        Invoice(
            "F4", "B", dt.date(2025, 12, 1), dt.date(2025, 12, 31), D("500.00"),
            payments=(Payment(dt.date(2026, 1, 20), D("500.00")),),
        ),
        Invoice("F5", "B", dt.date(2025, 11, 1), dt.date(2025, 12, 1), D("300.00")),
    ]  # fmt: skip


def _records() -> list[Record]:
    # relance_1 for F4 on 02/01 (paid 18 days later), F1 on 15/02 (never paid), F5 on 25/03
    # (6 days before the report: too recent for a 14-day window).
    return [
        Record("k1", "B", (("F4", "relance_1"),), dt.date(2026, 1, 2), Channel.EMAIL),
        Record("k2", "A", (("F1", "relance_1"),), dt.date(2026, 2, 15), Channel.EMAIL),
        Record("k3", "B", (("F5", "relance_1"),), dt.date(2026, 3, 25), Channel.EMAIL),
    ]


def test_aging_by_hand() -> None:
    frame = aging(_portfolio(), AS_OF)
    assert list(frame.columns) == [*AGING_BUCKETS, "total"]
    assert list(frame.loc[("A", "EUR")]) == [
        D("0.00"),
        D("400.00"),
        D("1000.00"),
        D("0.00"),
        D("0.00"),
        D("1400.00"),
    ]
    assert list(frame.loc[("B", "EUR")]) == [
        D("1200.00"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
        D("300.00"),
        D("1500.00"),
    ]
    assert list(frame.loc[("Total", "EUR")]) == [
        D("1200.00"),
        D("400.00"),
        D("1000.00"),
        D("0.00"),
        D("300.00"),
        D("2900.00"),
    ]


def test_aged_balance_is_aging_under_the_english_labels_of_0_1() -> None:
    french = aging(_portfolio(), AS_OF)
    english = aged_balance(_portfolio(), AS_OF)
    assert list(english.columns) == [*AGED_BUCKETS, "total"]
    assert english.to_numpy().tolist() == french.to_numpy().tolist()
    assert list(english.index) == list(french.index)
    assert io_aged_balance is aged_balance


def test_aging_of_nothing_is_an_empty_frame() -> None:
    frame = aging([], AS_OF)
    assert frame.empty
    assert list(frame.columns) == [*AGING_BUCKETS, "total"]


def test_dso_by_hand() -> None:
    invoices = _portfolio()
    assert dso_count_back(invoices, AS_OF) == D("96.2")
    assert dso_simple(invoices, AS_OF) == D("93.2")
    assert best_possible_dso(invoices, AS_OF) == D("38.6")
    assert weighted_days_late(invoices, AS_OF) == D("49.8")
    snap = receivables(invoices, AS_OF)
    assert (snap.total, snap.overdue, snap.not_due, snap.sales) == (
        D("2900.00"), D("1700.00"), D("1200.00"), D("2800.00"),
    )  # fmt: skip
    assert snap.monthly_sales[:5] == (
        D("1200.00"),
        D("600.00"),
        D("1000.00"),
        D("500.00"),
        D("300.00"),
    )
    assert snap.month_days[:4] == (31, 28, 31, 31)


def test_dso_without_sales_or_receivables() -> None:
    assert dso_simple([], AS_OF) is None
    assert best_possible_dso([], AS_OF) is None
    assert dso_count_back([], AS_OF) == D("0.0")
    assert weighted_days_late([], AS_OF) is None
    # Another currency is left out.
    usd = [Invoice("U1", "A", dt.date(2026, 3, 1), dt.date(2026, 3, 2), D("10.00"), currency="USD")]
    assert dso_count_back(usd, AS_OF) == D("0.0")
    assert dso_count_back(usd, AS_OF, currency="USD") > 0


def test_dso_over_time_has_one_row_per_date() -> None:
    dates = [dt.date(2026, 2, 28), AS_OF]
    frame = dso_over_time(_portfolio(), dates)
    assert list(frame.index) == dates
    assert frame.loc[AS_OF, "dso_count_back"] == D("96.2")
    assert frame.loc[AS_OF, "receivables"] == D("2900.00")


def test_step_effectiveness_by_hand() -> None:
    frame = step_effectiveness(_portfolio(), _records(), AS_OF, steps=["courtoisie", "relance_1"])
    assert list(frame.index) == ["courtoisie", "relance_1"]
    # 14 days: F4 (paid after 18 days) and F1 (unpaid) count, neither within; F5 pending.
    assert frame.loc["relance_1", ["sent", "paid_within", "pending"]].tolist() == [2, 0, 1]
    assert frame.loc["relance_1", "share_paid"] == 0.0
    assert math.isnan(frame.loc["courtoisie", "share_paid"])
    month = step_effectiveness(_portfolio(), _records(), AS_OF, within_days=30)
    assert month.loc["relance_1", ["sent", "paid_within", "pending"]].tolist() == [2, 1, 1]
    assert month.loc["relance_1", "share_paid"] == 0.5
    assert month.loc["relance_1", "amount_paid"] == D("500.00")


def test_payer_profiles_by_hand() -> None:
    frame = payer_profiles(_portfolio(), _records(), AS_OF, steps=["relance_1"])
    b = frame.loc["B"]
    assert (b["invoices"], b["paid"], b["open"]) == (3, 1, 2)
    assert b["mean_days_late"] == 20.0  # F4: paid 20/01, due 31/12
    assert math.isnan(b["std_days_late"])  # one paid invoice: no spread
    assert b["paid_relance_1"] == 1.0
    assert b["paid_sans relance"] == 0.0
    a = frame.loc["A"]
    assert (a["paid"], a["open"]) == (0, 2)
    assert math.isnan(a["mean_days_late"])


def test_expected_payments_by_hand() -> None:
    frame = expected_payments(_portfolio(), AS_OF, min_history=1)
    assert list(frame.index) == ["F1", "F2", "F3", "F5"]
    # B's own history: F4 paid 20 days late.  F3 (due 09/04) → 29/04.
    assert frame.loc["F3", "expected_date"] == dt.date(2026, 4, 29)
    assert frame.loc["F3", "basis"] == BASIS_CLIENT
    # A has no history: the portfolio's (20 days).  F2 (due 22/03) → 11/04.
    assert frame.loc["F2", "expected_date"] == dt.date(2026, 4, 11)
    assert frame.loc["F2", "basis"] == BASIS_PORTFOLIO
    # F1 (45 days late) and F5 (120) are later than any invoice ever was.
    assert frame.loc["F1", "basis"] == frame.loc["F5", "basis"] == BASIS_BEYOND
    assert (frame["expected_date"] >= AS_OF).all()
    assert (frame["earliest"] <= frame["expected_date"]).all()
    assert (frame["expected_date"] <= frame["latest"]).all()


def test_cash_forecast_adds_up_to_the_open_balance() -> None:
    expected = expected_payments(_portfolio(), AS_OF, min_history=1)
    weekly = cash_forecast(expected, AS_OF, weeks=8)
    assert weekly.index[0] == dt.date(2026, 3, 30)  # the Monday of 31/03
    total = sum(weekly["expected"], D(0)) + weekly.attrs["later"]
    assert total == D("2900.00")
    # F3 on 29/04 (1 200), F1 and F5 guessed at 30/04 (30 days on, no comparable history).
    assert weekly.loc[dt.date(2026, 4, 27), "expected"] == D("2500.00")
    assert weekly.loc[dt.date(2026, 4, 27), "without_history"] == D("1300.00")
    assert weekly.loc[dt.date(2026, 4, 6), "expected"] == D("400.00")  # F2 on 11/04


def test_measures_read_no_clock_and_refuse_a_datetime() -> None:
    from relancelib import RelanceError

    with pytest.raises(RelanceError):
        aging(_portfolio(), dt.datetime(2026, 3, 31, 12, 0))  # type: ignore[arg-type]
    with pytest.raises(RelanceError):
        receivables(_portfolio(), AS_OF, days=0)


def test_journal_records_are_read_as_of_the_day() -> None:
    journal = MemoryJournal(_records())
    before = step_effectiveness(
        _portfolio(), journal.records(), dt.date(2026, 3, 1), within_days=30
    )
    assert before.loc["relance_1", "pending"] == 1  # F1's, 14 days before
    assert "F5" not in str(before)  # the record of 25/03 is not seen on 01/03
