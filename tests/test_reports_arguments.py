"""Junk given to the reports is a RelanceError naming the argument and the value, never a
KeyError or an AttributeError from deep inside pandas (defects the fuzz found: issue 10)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from relancelib import RelanceError
from relancelib.reports import (
    ResponseModel,
    cash_forecast,
    compare_policies,
    dso_over_time,
    expected_payments,
    insight_report,
    write_report,
)

pytest.importorskip("pandas")

DAY = dt.date(2026, 3, 31)


def message(call: Callable[[], object]) -> str:
    with pytest.raises(RelanceError) as caught:
        call()
    return str(caught.value)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"default": "x"}, "ResponseModel.default: 'x' must be a probability between 0 and 1"),
        ({"default": True}, "ResponseModel.default: True must be a probability between 0 and 1"),
        ({"on_time": Decimal("NaN")}, "ResponseModel.on_time: Decimal('NaN') must be a probability between 0 and 1"),
        ({"after_step": {"relance_1": 1.5}}, "ResponseModel.after_step['relance_1']: 1.5 must be a probability between 0 and 1"),
        ({"after_step": [("relance_1", 0.5)]}, "ResponseModel.after_step: [('relance_1', 0.5)] must be a mapping of names to probabilities"),
        ({"after_step": {1: 0.5}}, "ResponseModel.after_step: 1 must be keyed by text"),
        ({"by_segment": {"pme": None}}, "ResponseModel.by_segment['pme']: None must be a mapping of names to probabilities"),
        ({"on_time_by_segment": ""}, "ResponseModel.on_time_by_segment: '' must be a mapping of names to probabilities"),
        ({"within_days": 0}, "ResponseModel.within_days: 0 must be at least 1 day"),
        ({"within_days": 1.0}, "ResponseModel.within_days: 1.0 must be a whole number, not float"),
    ],
)
def test_a_response_model_refuses_junk(arguments: dict[str, object], expected: str) -> None:
    assert message(lambda: ResponseModel(**arguments)) == expected  # type: ignore[arg-type]


def test_a_response_model_takes_decimals_and_integers() -> None:
    model = ResponseModel(after_step={"relance_1": Decimal("0.25")}, default=1, on_time=0)
    assert model.probability("relance_1", "standard") == 0.25
    assert model.probability("relance_2", "standard") == 1.0


def test_cash_forecast_wants_the_expected_payments_frame() -> None:
    import pandas as pd

    assert message(lambda: cash_forecast(None, DAY)) == (  # type: ignore[arg-type]
        "expected: None must be the expected_payments() frame"
    )
    frame = pd.DataFrame({"balance": []})
    assert message(lambda: cash_forecast(frame, DAY)) == (
        "expected: ['balance'] must be the expected_payments() frame (no column 'client_id')"
    )
    assert message(lambda: cash_forecast(expected_payments([], DAY), "2026-03-31")) == (  # type: ignore[arg-type]
        "as_of: '2026-03-31' must be a datetime.date, not str"
    )


def test_dso_over_time_wants_a_sequence_of_days() -> None:
    assert message(lambda: dso_over_time([], None)) == (  # type: ignore[arg-type]
        "dates: None must be a sequence of date"
    )
    assert message(lambda: dso_over_time([], [dt.datetime(2026, 3, 31, 12)])) == (
        "dates: datetime.datetime(2026, 3, 31, 12, 0) must be a datetime.date, not datetime"
    )
    assert message(lambda: dso_over_time(None, [DAY])) == (  # type: ignore[arg-type]
        "invoices: None must be a sequence of Invoice"
    )


def test_compare_policies_wants_simulation_results() -> None:
    assert message(lambda: compare_policies([1])) == (  # type: ignore[list-item]
        "results: 1 must hold only SimulationResult objects"
    )
    assert message(lambda: compare_policies({"a": "b"})) == (  # type: ignore[dict-item]
        "results['a']: 'b' must be a SimulationResult"
    )


def test_insight_report_checks_each_argument() -> None:
    assert message(lambda: insight_report([], [], [None], DAY)) == (  # type: ignore[list-item]
        "records: None must hold only journal Record objects"
    )
    assert message(lambda: insight_report([], [Decimal(1)], [], DAY)) == (  # type: ignore[list-item]
        "clients: Decimal('1') must hold only Client objects"
    )
    assert message(lambda: insight_report([], [], [], DAY, title="a\nb")) == (
        "title: 'a\\nb' must be a non-empty single line of text (no control characters or "
        "line breaks)"
    )
    assert message(lambda: insight_report([], [], [], DAY, comparison=[1])) == (  # type: ignore[arg-type]
        "comparison: [1] must be a mapping of names to results"
    )


def test_write_report_names_a_path_it_cannot_write(tmp_path: Path) -> None:
    assert message(lambda: write_report(tmp_path, "<html></html>")) == (
        f"path: PosixPath('{tmp_path}') cannot be written (Is a directory)"
    )
    assert message(lambda: write_report(3, "<html></html>")) == (  # type: ignore[arg-type]
        "path: 3 must be a file path"
    )
    assert message(lambda: write_report(tmp_path / "r.html", None)) == (  # type: ignore[arg-type]
        "page: None must be the report's HTML text"
    )
    written = write_report(tmp_path / "r.html", "<html>é</html>")
    assert written.read_text(encoding="utf-8") == "<html>é</html>"


def test_write_report_names_a_path_holding_a_nul(tmp_path: Path) -> None:
    assert message(lambda: write_report(f"{tmp_path}/a\x00b.html", "<html></html>")) == (
        f"path: '{tmp_path}/a\\x00b.html' cannot be written (embedded null byte)"
    )


def test_days_and_weeks_that_leave_the_calendar_are_named() -> None:
    from relancelib import Invoice
    from relancelib.reports import dso_count_back, receivables

    invoices = [Invoice("F-1", "C1", dt.date(2026, 1, 1), dt.date(2026, 1, 31), Decimal("120.00"))]
    assert message(lambda: receivables(invoices, DAY, days=10**30)) == (
        "days: 1000000000000000000000000000000 reaches back before 1 January of year 1 "
        "from 2026-03-31"
    )
    assert message(lambda: dso_count_back(invoices, dt.date(1, 9, 1))) == (
        "months: 24 reaches back before 1 January of year 1 from 0001-09-01"
    )
    assert dso_count_back(invoices, dt.date(9999, 12, 31)) == Decimal("730.0")
    assert message(lambda: expected_payments(invoices, dt.date(9999, 12, 1))) == (
        "fallback_days: 30 takes 9999-12-01 out of the calendar (years 1 to 9999)"
    )
    assert message(lambda: expected_payments(invoices, DAY, fallback_days=-5)) == (
        "fallback_days: -5 must not be negative"
    )
    assert message(lambda: expected_payments(invoices, DAY, low="x")) == (  # type: ignore[arg-type]
        "low: 'x' must be a probability between 0 and 1"
    )
    assert message(lambda: expected_payments(invoices, DAY, low=0.9, high=0.1)) == (
        "low: 0.9 must not be above high (0.1)"
    )
    expected = expected_payments(invoices, DAY)
    assert message(lambda: cash_forecast(expected, DAY, weeks=10**7)) == (
        "weeks: 10000000 takes 2026-03-30 out of the calendar (years 1 to 9999)"
    )
    assert message(lambda: cash_forecast(expected, DAY, weeks=0)) == (
        "weeks: 0 must be at least 1 week"
    )


def test_the_measures_check_their_counts_and_steps() -> None:
    from relancelib.reports import (
        fit_response_model,
        payer_profiles,
        step_effectiveness,
        synthetic_portfolio,
    )

    assert message(lambda: step_effectiveness([], [], DAY, within_days=-3)) == (
        "within_days: -3 must be at least 1 day"
    )
    assert message(lambda: payer_profiles([], [], DAY, steps=None)) == (  # type: ignore[arg-type]
        "steps: None must be a sequence of step key"
    )
    assert message(lambda: step_effectiveness([], [], DAY, steps=[1])) == (  # type: ignore[list-item]
        "steps: 1 must hold only step key objects"
    )
    assert message(lambda: fit_response_model([], [None], [], DAY)) == (  # type: ignore[list-item]
        "clients: None must hold only Client objects"
    )
    assert message(lambda: fit_response_model([], [], [], DAY, within_days=0)) == (
        "within_days: 0 must be at least 1 day"
    )
    assert message(lambda: synthetic_portfolio(3, start=dt.date(9999, 12, 1))) == (
        "days: 365 takes 9999-12-01 out of the calendar (years 1 to 9999)"
    )
    assert message(lambda: synthetic_portfolio(3, clients=0, start=DAY)) == (
        "clients: 0 must be at least 1"
    )
    assert message(lambda: synthetic_portfolio(-1, start=DAY)) == (
        "invoices: -1 must not be negative"
    )


def test_a_probability_too_large_for_a_float_is_refused() -> None:
    assert message(lambda: ResponseModel(default=10**400)).endswith(
        "must be a probability between 0 and 1"
    )
