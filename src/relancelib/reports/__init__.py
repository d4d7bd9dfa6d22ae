"""Receivables insight: aged balance, DSO, payer profiles, expected payments, step
effectiveness, policy simulation, plots and the HTML report (see ``docs/insight.md``).

Every measure is a pure function of invoices (with their payments), the journal's records
and a day: nothing reads the clock.  pandas (``relancelib[pandas]``) is needed only when a
measure is computed, matplotlib (``relancelib[plot]``) only when a plot is drawn.

Modules: ``aging`` (:func:`aging` in French buckets; :func:`aged_balance`, release 0.1's
English-labelled form, kept), ``dso``, ``payers`` (step effectiveness, payer profiles),
``forecast`` (expected payment dates, weekly cash-in), ``response`` (the payment-response
model), ``simulation``, ``synthetic`` (a synthetic portfolio), ``plots`` and ``html`` (the
self-contained report).
"""

from __future__ import annotations

from relancelib.reports.aging import AGED_BUCKETS, AGING_BUCKETS, aged_balance, aging
from relancelib.reports.dso import (
    Receivables,
    best_possible_dso,
    dso_count_back,
    dso_over_time,
    dso_simple,
    receivables,
    weighted_days_late,
)
from relancelib.reports.forecast import cash_forecast, expected_payments
from relancelib.reports.html import insight_report, write_report
from relancelib.reports.payers import payer_profiles, step_effectiveness
from relancelib.reports.response import ResponseModel, fit_response_model
from relancelib.reports.simulation import (
    Costs,
    SimulationResult,
    compare_policies,
    simulate_policy,
)
from relancelib.reports.synthetic import synthetic_portfolio

__all__ = [
    "AGED_BUCKETS",
    "AGING_BUCKETS",
    "Costs",
    "Receivables",
    "ResponseModel",
    "SimulationResult",
    "aged_balance",
    "aging",
    "best_possible_dso",
    "cash_forecast",
    "compare_policies",
    "dso_count_back",
    "dso_over_time",
    "dso_simple",
    "expected_payments",
    "fit_response_model",
    "insight_report",
    "payer_profiles",
    "receivables",
    "simulate_policy",
    "step_effectiveness",
    "synthetic_portfolio",
    "weighted_days_late",
    "write_report",
]
