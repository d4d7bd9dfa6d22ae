"""Benchmark of the insight measures and of the policy simulation.

1. DSO (count-back and simple, one pass: :func:`relancelib.reports.receivables`) and the
   French aged balance over ``--invoices`` invoices (default 1,000,000; a third partly paid),
   against a floor: a plain loop that reads each invoice's currency, issue date, due date and
   balance and adds the balance to a dict (the least work any aging must do);
2. a simulation of the French default policy over ``--sim-invoices`` invoices (default
   100,000) issued over a year, for ``--sim-days`` days (default 365) — or a shorter span,
   extrapolated to a year (the figure printed says which).

Run:  .venv/bin/python benchmarks/reports.py [--invoices N] [--sim-invoices N] [--sim-days N]

Compare the ratios printed by one run: absolute times vary on small, shared machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from decimal import Decimal

from relancelib import Invoice, Payment, ReminderPolicy
from relancelib.reports import ResponseModel, aging, receivables, simulate_policy
from relancelib.reports.synthetic import synthetic_portfolio

AS_OF = dt.date(2025, 6, 16)


def build(count: int, seed: int = 1) -> list[Invoice]:
    """``count`` invoices issued over the year before AS_OF, a third partly paid."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        issued = AS_OF - dt.timedelta(days=rng.randrange(365))
        amount = Decimal(rng.randrange(5_000, 2_000_000)).scaleb(-2)
        payments = ()
        if n % 3 == 0:
            payments = (
                Payment(issued + dt.timedelta(days=20), (amount / 2).quantize(Decimal("0.01"))),
            )
        out.append(
            Invoice(f"F{n:08d}", f"C{n % (count // 4 + 1):07d}", issued,
                    issued + dt.timedelta(days=30), amount, payments=payments)
        )  # fmt: skip
    return out


def floor(invoices: list[Invoice]) -> dict[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = {}
    for invoice in invoices:
        if invoice.issue_date > AS_OF:
            continue
        balance = invoice.balance(AS_OF)
        if balance:
            key = (invoice.client_id, invoice.currency)
            sums[key] = sums.get(key, Decimal(0)) + balance * ((AS_OF - invoice.due_date).days > 0)
    return sums


def timed(label: str, function, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"{label:<48} {elapsed:8.2f} s")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--sim-invoices", type=int, default=100_000)
    parser.add_argument("--sim-days", type=int, default=365)
    args = parser.parse_args()

    print(f"building {args.invoices:,} invoices…")
    invoices = build(args.invoices)
    snap, t_dso = timed(
        "receivables (DSO count-back + simple, one pass)", receivables, invoices, AS_OF
    )
    print(f"  DSO count-back {snap.dso_count_back()} d, simple {snap.dso_simple()} d, "
          f"best possible {snap.best_possible_dso()} d")  # fmt: skip
    frame, t_aging = timed("aging (French buckets, per client and total)", aging, invoices, AS_OF)
    print(f"  {len(frame):,} rows")
    _sums, t_floor = timed("floor (plain loop: balance into a dict)", floor, invoices)
    print(f"  DSO / floor {t_dso / t_floor:.2f}×, aging / floor {t_aging / t_floor:.2f}×")
    rate_dso, rate_aging = args.invoices / t_dso, args.invoices / t_aging
    print(f"  {rate_dso:,.0f} invoices/s (DSO), {rate_aging:,.0f} (aging)")
    del invoices, frame

    start = dt.date(2025, 1, 6)
    clients, sim_invoices = synthetic_portfolio(args.sim_invoices, start=start, days=365, seed=2)
    model = ResponseModel(
        on_time=0.45,
        after_step={"courtoisie": 0.2, "relance_1": 0.35, "appel": 0.4, "relance_2": 0.35,
                    "lettre_relance": 0.45, "mise_en_demeure": 0.6},
    )  # fmt: skip
    end = start + dt.timedelta(days=args.sim_days)
    result, t_sim = timed(
        f"simulation: {args.sim_invoices:,} invoices, {args.sim_days} days",
        simulate_policy, sim_invoices, clients, ReminderPolicy.french_default(), start, end,
        model=model, seed=1,
    )  # fmt: skip
    print(f"  {len(result.messages):,} messages, {result.collected:,} € collected, "
          f"{t_sim / args.sim_days * 1000:.0f} ms per simulated day")  # fmt: skip
    if args.sim_days < 365:
        print(f"  extrapolated to 365 days: {t_sim * 365 / args.sim_days:.0f} s (linear in days; "
              "the number of open invoices levels off after the first months)")  # fmt: skip


if __name__ == "__main__":
    main()
