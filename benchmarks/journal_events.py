"""What journal events cost: ``history()`` with and without events and cancellations, in the
SQLite and the memory journal, and ``add_event`` (one transaction, fsync'd, each).

    .venv/bin/python benchmarks/journal_events.py [--clients 50000] [--events 5000]

One invoice per client, all overdue: one plan, one action per client, each recorded (the
SQLite file with ``synchronous = OFF`` while it is filled, as a bulk load).  Then events are
added — promises on most, disputes, holds, call outcomes and a cancellation in every ten —
and ``history(as_of)`` is timed again.  Prints the figures and the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from relancelib import Client, Invoice, MemoryJournal, ReminderPolicy, SqliteJournal, plan
from relancelib.events import CallOutcome, Cancellation, Dispute, Event, Hold, PromiseToPay
from relancelib.journal import index_records

AS_OF = dt.date(2025, 6, 16)  # a Monday


def build(count: int) -> tuple[list[Client], list[Invoice]]:
    clients = [Client(f"C{i:07d}", f"Client {i}", email=f"c{i}@example.fr") for i in range(count)]
    invoices = [
        Invoice(
            f"F-{i:07d}",
            client.id,
            AS_OF - dt.timedelta(days=40 + i % 20),
            AS_OF - dt.timedelta(days=10 + i % 20),
            Decimal("1200.00"),
        )
        for i, client in enumerate(clients)
    ]
    return clients, invoices


def best(function: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def events_for(records: list[object], count: int) -> list[Event]:
    day = AS_OF + dt.timedelta(days=1)
    out: list[Event] = []
    for i, record in enumerate(records[:count]):
        number = record.steps[0][0]  # type: ignore[attr-defined]
        key = record.key  # type: ignore[attr-defined]
        kind = i % 10
        if kind == 0:
            out.append(Cancellation(on=day, action_key=key, why="erreur"))
        elif kind == 1:
            out.append(Dispute(on=day, invoice_number=number, reason="prix"))
        elif kind == 2:
            out.append(Hold(on=day, invoice_number=number, until=day + dt.timedelta(days=9)))
        elif kind == 3:
            out.append(CallOutcome(on=day, action_key=key, result="message"))
        else:
            until = day + dt.timedelta(days=10)
            out.append(PromiseToPay(on=day, invoice_number=number, until=until, who="bench"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--fsynced", type=int, default=200, help="add_event calls timed one by one")
    args = parser.parse_args()
    clients, invoices = build(args.clients)
    policy = ReminderPolicy.french_default()
    actions = plan(invoices, clients, policy, AS_OF).actions
    print(f"{len(actions):,} actions, one per client; {args.events:,} events")
    later = AS_OF + dt.timedelta(days=2)

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "journal.sqlite")
        journal = SqliteJournal(path)
        journal._db.execute("PRAGMA synchronous = OFF")  # bulk load
        start = time.perf_counter()
        for action in actions:
            journal.record(action)
        load = time.perf_counter() - start
        print(f"SQLite record(): {load / len(actions) * 1e6:,.0f} µs per action (synchronous off)")
        bare = best(lambda: journal.history(later))
        print(f"SQLite history(), no event:   {bare:.3f} s")
        records = list(journal.records())
        events = events_for(records, args.events)
        start = time.perf_counter()
        for event in events:
            journal.add_event(event)
        bulk = time.perf_counter() - start
        journal._db.execute("PRAGMA synchronous = FULL")
        tail = events_for(records[args.events :], args.fsynced)
        start = time.perf_counter()
        for event in tail:
            journal.add_event(event)
        fsynced = time.perf_counter() - start
        with_events = best(lambda: journal.history(later))
        print(f"SQLite history(), {args.events + args.fsynced:,} events: {with_events:.3f} s "
              f"({with_events / bare:.2f}× without)")
        print(f"SQLite add_event(): {bulk / len(events) * 1e6:,.0f} µs (synchronous off), "
              f"{fsynced / len(tail) * 1e3:,.1f} ms fsync'd")
        verify = best(journal.verify, 1)
        print(f"SQLite verify(): {verify:.2f} s for {len(journal.chain()):,} chain entries")
        journal.close()

    memory = MemoryJournal()
    start = time.perf_counter()
    for action in actions:
        memory.record(action)
    load = time.perf_counter() - start
    print(f"Memory record(): {load / len(actions) * 1e6:,.0f} µs per action")
    live_bare = best(lambda: memory.history(later))
    for event in events:
        memory.add_event(event)
    live = best(lambda: memory.history(later), 1)  # the first call indexes the events
    live_again = best(lambda: memory.history(later))
    replay = best(lambda: index_records(memory.records(), later, events))
    print(f"Memory history() live: {live_bare * 1e6:.1f} µs without events, "
          f"{live:.3f} s on the first call after the events, {live_again * 1e6:.1f} µs then")
    print(f"index_records() replay with the events: {replay:.3f} s")


if __name__ == "__main__":
    main()
