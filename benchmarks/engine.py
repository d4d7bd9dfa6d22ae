"""Benchmark of relancelib.plan() against the least work any engine must do.

Builds a synthetic portfolio (default: 1,000,000 open invoices for 250,000 clients, a
third with partial payments, a journal holding earlier steps), then in one run:

1. times ``plan()`` (best of ``--repeat`` runs) and prints invoices per second;
2. times the *floor*: a plain loop over the same ``Invoice`` objects that reads their
   fields, computes the balance from the payments, skips held, disputed and paid
   invoices, looks up the last step and the client's last contact in dicts, applies the
   due and gap tests and groups tuples by client — and prints engine time / floor time;
3. measures with ``tracemalloc`` the peak memory ``plan()`` allocates beyond its inputs,
   per invoice.

Then the same three measurements on the **heavy day** (issue 15): every client due — by
default 200,000 invoices of 50,000 clients, all overdue at various steps, a third already
reminded once (``relance_1`` recorded), a third with a partial payment, 45 % of clients
without a telephone number — against the same floor over its own ``Invoice`` objects.

Run:  .venv/bin/python benchmarks/engine.py [--invoices N] [--clients N] [--repeat N]
      [--heavy-invoices N] [--heavy-clients N] [--day quiet|heavy|both]
      [--profile] [--gc-experiment]

``--profile`` runs ``plan()`` once more under cProfile on each day measured and prints where
the time goes (building the actions, the warnings, the law's checks, the next-step rule) and,
without the profiler, the time Python's cyclic garbage collector spends during ``plan()``.
``--gc-experiment`` times ``plan()`` as it is, with ``gc.freeze()`` called once after the
portfolio is built, and with the collector disabled during the call (an experiment for the
lead: the library itself changes nothing of the collector).

Compare the ratios printed by one run: absolute times vary on small, shared machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import sys
import time
import tracemalloc
from collections import defaultdict
from decimal import Decimal

from relancelib import (
    Address,
    Client,
    ClientKind,
    Invoice,
    MemoryJournal,
    Payment,
    Record,
    ReminderPolicy,
    action_key,
    plan,
)
from relancelib.engine import History

AS_OF = dt.date(2025, 6, 16)  # a Monday, H1 2025: rate tables cover it


def build(
    n_invoices: int, n_clients: int, seed: int = 20250616
) -> tuple[list[Client], list[Invoice], MemoryJournal]:
    """A deterministic synthetic portfolio and a journal of earlier steps consistent with it."""
    clients, invoices, records = build_records(n_invoices, n_clients, seed)
    journal = MemoryJournal()
    for record in records:
        journal._store(record)  # bulk load: the records are consistent by construction
    return clients, invoices, journal


def build_records(
    n_invoices: int, n_clients: int, seed: int = 20250616
) -> tuple[list[Client], list[Invoice], list[Record]]:
    """:func:`build`'s portfolio, with the journal's records as a plain list."""
    rng = random.Random(seed)
    policy = ReminderPolicy.french_default()
    steps = policy.steps
    address = Address(("12 rue de la République",), "69002", "Lyon")
    clients = [
        Client(
            f"C{i:07d}",
            f"Client {i}",
            email=f"compta{i}@example.fr",
            phone="+33 1 23 45 67 89",
            address=address,
            kind=ClientKind.BUSINESS if i % 10 else ClientKind.CONSUMER,
        )
        for i in range(n_clients)
    ]
    invoices: list[Invoice] = []
    history: dict[tuple[str, dt.date], list[tuple[str, str]]] = defaultdict(list)
    for n in range(n_invoices):
        client = clients[n % n_clients]
        # Due dates from 60 days ahead to 120 days behind the plan's day.
        due = AS_OF + dt.timedelta(days=rng.randint(-120, 60))
        issue = due - dt.timedelta(days=30)
        amount = Decimal(rng.randint(5_000, 500_000)).scaleb(-2)
        payments: tuple[Payment, ...] = ()
        if n % 3 == 0:
            paid = (amount * Decimal(rng.randint(10, 60)) / 100).quantize(Decimal("0.01"))
            payments = (Payment(issue + dt.timedelta(days=rng.randint(0, 40)), paid),)
        invoices.append(
            Invoice(
                f"F{n:08d}",
                client.id,
                issue,
                due,
                amount,
                payments=payments,
                disputed=n % 97 == 0,
                hold_until=AS_OF + dt.timedelta(days=3) if n % 89 == 0 else None,
                sent_on=issue,
            )
        )
        # Earlier steps, recorded on their date: a daily run kept most invoices up to date
        # (every step whose date has passed); one in five lags one step behind.
        overdue = (AS_OF - due).days
        eligible = [s for s in steps if s.offset_days < overdue]
        done = len(eligible) - (1 if eligible and rng.random() < 0.2 else 0)
        for step in eligible[:done]:
            history[(client.id, due + dt.timedelta(days=step.offset_days))].append(
                (f"F{n:08d}", step.key)
            )
    records = [
        Record(action_key(client_id, pairs), client_id, tuple(pairs), on, steps[0].channel)
        for (client_id, on), pairs in sorted(history.items())
    ]
    return clients, invoices, records


def build_heavy(
    n_invoices: int, n_clients: int, seed: int = 20250617
) -> tuple[list[Client], list[Invoice], MemoryJournal]:
    """The heavy day: every client due on ``AS_OF`` (see the module docstring)."""
    rng = random.Random(seed)
    steps = ReminderPolicy.french_default().steps
    first = next(s for s in steps if s.offset_days > 0)  # relance_1
    address = Address(("12 rue de la République",), "69002", "Lyon")
    clients = [
        Client(
            f"H{i:07d}",
            f"Client {i}",
            email=f"compta{i}@example.fr",
            phone=None if i % 20 < 9 else "+33 1 23 45 67 89",
            address=address,
            kind=ClientKind.BUSINESS if i % 10 else ClientKind.CONSUMER,
        )
        for i in range(n_clients)
    ]
    invoices: list[Invoice] = []
    history: dict[tuple[str, dt.date], list[tuple[str, str]]] = defaultdict(list)
    for n in range(n_invoices):
        client = clients[n % n_clients]
        # Overdue by 10 to 120 days: every step from relance_1 to mise_en_demeure is reached,
        # and a reminder recorded at due + 1 is at least 9 days old (the 5-day gap has passed).
        due = AS_OF - dt.timedelta(days=rng.randint(10, 120))
        issue = due - dt.timedelta(days=30)
        amount = Decimal(rng.randint(5_000, 500_000)).scaleb(-2)
        payments: tuple[Payment, ...] = ()
        if n % 3 == 0:
            paid = (amount * Decimal(rng.randint(10, 60)) / 100).quantize(Decimal("0.01"))
            payments = (Payment(issue + dt.timedelta(days=rng.randint(0, 9)), paid),)
        number = f"H{n:08d}"
        invoices.append(Invoice(number, client.id, issue, due, amount, payments=payments,
                                sent_on=issue))  # fmt: skip
        if n % 3 == 1:
            history[(client.id, due + dt.timedelta(days=first.offset_days))].append(
                (number, first.key)
            )
    journal = MemoryJournal()
    for (client_id, on), pairs in sorted(history.items()):
        record = Record(action_key(client_id, pairs), client_id, tuple(pairs), on, first.channel)
        journal._store(record)
    return clients, invoices, journal


def floor(
    invoices: list[Invoice], history: History, offsets: dict[str, int], gap: int
) -> dict[str, list[tuple[Invoice, int, Decimal]]]:
    """The least work an engine must do per invoice (see the module docstring)."""
    as_of = AS_OF
    last_step = {number: entries[-1][0] for number, entries in history.steps.items()}
    contacts = history.contacts
    order = list(offsets)
    grouped: dict[str, list[tuple[Invoice, int, Decimal]]] = {}
    for invoice in invoices:
        balance = invoice.amount
        for payment in invoice.payments:
            if payment.on <= as_of:
                balance -= payment.amount
        if (
            balance <= 0
            or invoice.disputed
            or (invoice.hold_until is not None and invoice.hold_until >= as_of)
        ):
            continue
        last = last_step.get(invoice.number)
        position = 0 if last is None else order.index(last) + 1
        if position >= len(order):
            continue
        if (as_of - invoice.due_date).days < offsets[order[position]]:
            continue
        contact = contacts.get(invoice.client_id)
        if contact is not None and (as_of - contact).days < gap:
            continue
        grouped.setdefault(invoice.client_id, []).append((invoice, position, balance))
    return grouped


def best_of(repeat: int, run: object) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def measure(
    label: str, clients: list[Client], invoices: list[Invoice], journal: MemoryJournal, repeat: int
) -> dict[str, float]:
    """Time plan() and its floor on one portfolio, and plan()'s peak memory per invoice."""
    policy = ReminderPolicy.french_default()
    result = plan(invoices, clients, policy, AS_OF, journal)
    items = sum(len(a.items) for a in result.actions)
    due_clients = len({a.client.id for a in result.actions})
    print(
        f"[{label}] plan: {len(result.actions):,} actions ({due_clients / len(clients):.0%} of "
        f"clients), {items:,} items, {len(result.problems):,} problems"
    )
    del result
    offsets = {s.key: s.offset_days for s in policy.steps}
    history = journal.history(AS_OF)
    engine_s = best_of(repeat, lambda: plan(invoices, clients, policy, AS_OF, journal))
    floor_s = best_of(repeat, lambda: floor(invoices, history, offsets, policy.min_gap_days))
    print(f"[{label}] engine: {engine_s:.3f} s  {len(invoices) / engine_s:,.0f} invoices/s")
    print(f"[{label}] floor:  {floor_s:.3f} s  {len(invoices) / floor_s:,.0f} invoices/s")
    print(f"[{label}] engine/floor: {engine_s / floor_s:.2f}x  (target: at most 3x)")

    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    kept = plan(invoices, clients, policy, AS_OF, journal)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    extra = (peak - base) / len(invoices)
    print(
        f"[{label}] memory: peak {(peak - base) / 2**20:,.1f} MiB beyond the inputs, "
        f"{extra:,.0f} bytes per invoice  (target: at most 1,536)"
    )
    del kept
    return {"engine": engine_s, "floor": floor_s, "ratio": engine_s / floor_s, "bytes": extra}


#: Engine functions whose cumulative time the profile reports, with what each stands for.
PROFILED = {
    "build_action": "building the actions (items, penalties, keys; relancelib.assembly)",
    "_action_key": "  of which: idempotency keys",
    "claim": "  of which: law.claim (penalties, indemnity)",
    "action_warnings": "warnings on the actions (no phone, no proof of sending)",
    "_law_checks": "the law's per-invoice checks (prescription, terms)",
    "_next_due_step": "rules 1-3: the next step of each invoice",
    "steer": "the journal's events (relancelib.steering)",
    "_unique_invoices": "duplicate numbers",
}


def gc_time(run: object) -> tuple[float, float, int]:
    """(wall time, time inside the cyclic collector, collections) of one ``run()``."""
    spent = [0.0]
    started = [0.0]
    count = [0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - started[0]
            count[0] += 1

    gc.collect()
    gc.callbacks.append(watch)
    try:
        begin = time.perf_counter()
        run()  # type: ignore[operator]
        wall = time.perf_counter() - begin
    finally:
        gc.callbacks.remove(watch)
    return wall, spent[0], count[0]


def profile(
    label: str, clients: list[Client], invoices: list[Invoice], journal: MemoryJournal
) -> None:
    import cProfile
    import pstats

    policy = ReminderPolicy.french_default()
    wall, in_gc, collections = gc_time(lambda: plan(invoices, clients, policy, AS_OF, journal))
    print(
        f"[{label}] gc: {in_gc:.3f} s of {wall:.3f} s in the cyclic collector "
        f"({in_gc / wall:.0%}, {collections} collections)"
    )
    profiler = cProfile.Profile()
    gc.collect()
    gc.disable()  # the collector's time is measured above; keep it out of the profile
    try:
        profiler.runcall(plan, invoices, clients, policy, AS_OF, journal)
    finally:
        gc.enable()
    stats = pstats.Stats(profiler)
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    by_name: dict[str, float] = defaultdict(float)
    for (_file, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if name in PROFILED:
            by_name[name] = max(by_name[name], cumulative)
    print(f"[{label}] profile (collector off, {total:.3f} s under cProfile):")
    for name, what in PROFILED.items():
        print(f"[{label}]   {by_name[name] / total:6.1%}  {name}: {what}")
    stats.sort_stats("tottime").print_stats(12)


class _KeepCollecting:
    """Stands for the ``gc`` module inside relancelib.engine: ``disable()`` does nothing, so
    plan() runs with the collector on, as it did before it paused it (issue 15)."""

    def __getattr__(self, name: str) -> object:
        return getattr(gc, name)

    def disable(self) -> None:
        pass

    def isenabled(self) -> bool:
        return False


def gc_experiment(
    label: str, clients: list[Client], invoices: list[Invoice], journal: MemoryJournal, repeat: int
) -> None:
    import relancelib.engine as engine_module

    policy = ReminderPolicy.french_default()

    def run() -> None:
        plan(invoices, clients, policy, AS_OF, journal)

    def disabled() -> None:
        gc.disable()
        try:
            run()
        finally:
            gc.enable()

    plain = best_of(repeat, run)
    figures = [f"as is {plain:.3f} s"]
    if getattr(engine_module, "gc", None) is gc:
        # The engine pauses the collector itself: measure plan() with it kept on.
        engine_module.gc = _KeepCollecting()  # type: ignore[assignment]
        try:
            on = best_of(repeat, run)
            _wall, in_gc, collections = gc_time(run)
        finally:
            engine_module.gc = gc
        figures.append(
            f"collector kept on {on:.3f} s ({in_gc:.3f} s in {collections} collections; "
            f"pausing it makes plan() {on / plain:.2f}x faster)"
        )
    else:
        figures.append(f"collector disabled around plan() {best_of(repeat, disabled):.3f} s")
    if getattr(engine_module, "gc", None) is gc:
        engine_module.gc = _KeepCollecting()  # type: ignore[assignment]
    gc.collect()
    gc.freeze()  # the portfolio and journal move to the permanent generation
    try:
        frozen = min(gc_time(run)[0] for _ in range(repeat))
    finally:
        gc.unfreeze()
        engine_module.gc = gc
    figures.append(f"collector on, gc.freeze() after building {frozen:.3f} s")
    print(f"[{label}] gc experiment: " + "; ".join(figures))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=250_000)
    parser.add_argument("--heavy-invoices", type=int, default=200_000)
    parser.add_argument("--heavy-clients", type=int, default=50_000)
    parser.add_argument("--day", choices=("quiet", "heavy", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--gc-experiment", action="store_true")
    args = parser.parse_args(argv)

    results = {}
    days = {
        "quiet": (build, args.invoices, args.clients),
        "heavy": (build_heavy, args.heavy_invoices, args.heavy_clients),
    }
    for label, (builder, n_invoices, n_clients) in days.items():
        if args.day not in (label, "both"):
            continue
        started = time.perf_counter()
        clients, invoices, journal = builder(n_invoices, n_clients)
        print(
            f"[{label}] portfolio: {len(invoices):,} invoices, {len(clients):,} clients, "
            f"{len(journal):,} journal records (built in {time.perf_counter() - started:.1f} s)"
        )
        results[label] = measure(label, clients, invoices, journal, args.repeat)
        if args.profile:
            profile(label, clients, invoices, journal)
        if args.gc_experiment:
            gc_experiment(label, clients, invoices, journal, args.repeat)
        del clients, invoices, journal
    for label, figures in results.items():
        print(
            f"summary [{label}]: engine/floor {figures['ratio']:.2f}x, "
            f"{figures['bytes']:,.0f} bytes per invoice"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
