"""Benchmark: a daily plan over a journal that grows for years (issue 15, item 3).

Builds two SQLite journals holding the same history of the day's 20,000 open invoices
(5,000 clients; a third reminded once, a third twice) — one with nothing else, one with
1,000,000 old (invoice, step) rows of invoices long paid (250,000 old records of four pairs,
years back) — then times ``plan()`` of the day over each (best of ``--repeat``), and the
whole-journal read ``history()`` against ``history_for()`` (what ``plan()`` reads: only the
invoices being planned and their clients).  Target: the plan with the old rows takes at most
twice as long as with only its own history.  Also times ``record()`` one by one against
``record_many()`` for the day's actions.

The old rows are written with plain SQL in one transaction (recording a million actions
one by one would take the benchmark longer than the measure); they carry no hash-chain
entries, which ``plan()`` does not read.

Run:  .venv/bin/python benchmarks/journal_growth.py [--open 20000] [--old-pairs 1000000]
      [--repeat 3] [--folder DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from relancelib import Client, Invoice, ReminderPolicy, SqliteJournal, plan

AS_OF = dt.date(2026, 6, 15)  # a Monday
POLICY = ReminderPolicy.french_default()


def portfolio(count: int) -> tuple[list[Client], list[Invoice]]:
    clients = [
        Client(f"C{i:06d}", f"Client {i}", email=f"c{i}@example.fr", phone="+33 1 23 45 67 89")
        for i in range(max(1, count // 4))
    ]
    invoices = []
    for n in range(count):
        due = AS_OF - dt.timedelta(days=10 + n % 60)
        invoices.append(
            Invoice(
                f"FA-{n:07d}",
                clients[n % len(clients)].id,
                due - dt.timedelta(days=30),
                due,
                Decimal("120.00") + n % 500,
            )
        )
    return clients, invoices


def own_history(journal: SqliteJournal, clients: list[Client], invoices: list[Invoice]) -> None:
    """A third of the invoices reminded once, a third twice (as the daily runs left them)."""
    first = [i for n, i in enumerate(invoices) if n % 3 != 0]
    day = AS_OF - dt.timedelta(days=20)
    for action in plan(first, clients, POLICY, day):
        journal.record(action, on=day)
    second = [i for n, i in enumerate(invoices) if n % 3 == 2]
    day = AS_OF - dt.timedelta(days=12)
    actions = list(plan(second, clients, POLICY, day, journal))
    journal.record_many(actions, on=day)


def old_rows(path: Path, pairs: int) -> None:
    """``pairs`` old (invoice, step) rows: records of four pairs, years before the day."""
    db = sqlite3.connect(path)
    steps = ("relance_1", "appel", "relance_2", "lettre_relance")
    with db:
        cursor = db.execute("SELECT COALESCE(MAX(seq), 0) FROM records")
        seq = int(cursor.fetchone()[0])
        records, rows = [], []
        for n in range(pairs // 4):
            seq += 1
            day = (dt.date(2019, 1, 7) + dt.timedelta(days=n % 2000)).isoformat()
            records.append((seq, f"old-{n}", f"OLD{n % 50000:05d}", steps[n % 4], day, "email"))
            rows.extend((seq, p, f"OLD-{n:07d}-{p}", steps[p]) for p in range(4))
        db.executemany(
            "INSERT INTO records (seq, key, client_id, step, on_date, channel)"
            " VALUES (?,?,?,?,?,?)",
            records,
        )
        db.executemany(
            "INSERT INTO record_steps (record_seq, position, invoice_number, step)"
            " VALUES (?,?,?,?)",
            rows,
        )
    db.close()


def best(repeat: int, run: object) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=20_000)
    parser.add_argument("--old-pairs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="relance-growth-"))
    clients, invoices = portfolio(args.open)
    small, big = folder / "own.sqlite", folder / "grown.sqlite"
    start = time.perf_counter()
    with SqliteJournal(small) as journal:
        own_history(journal, clients, invoices)
        own = len(journal.records())
    shutil.copyfile(small, big)
    old_rows(big, args.old_pairs)
    print(
        f"journals: {own:,} records of the open invoices; + {args.old_pairs:,} old pairs "
        f"(built in {time.perf_counter() - start:.1f} s)"
    )
    figures = {}
    for label, path in (("own history", small), ("with old rows", big)):
        with SqliteJournal(path, read_only=True) as journal:
            day_plan = plan(invoices, clients, POLICY, AS_OF, journal)
            numbers = [i.number for i in invoices]
            ids = {c.id for c in clients}
            figures[label] = best(
                args.repeat, lambda j=journal: plan(invoices, clients, POLICY, AS_OF, j)
            )
            whole = best(args.repeat, lambda j=journal: j.history(AS_OF))
            part = best(
                args.repeat,
                lambda j=journal, n=numbers, c=ids: j.history_for(AS_OF, n, c),  # type: ignore[misc]
            )
        print(
            f"[{label}] plan: {figures[label]:.3f} s ({len(day_plan.actions):,} actions); "
            f"history(): {whole:.3f} s; history_for(): {part:.3f} s"
        )
    ratio = figures["with old rows"] / figures["own history"]
    print(f"plan with old rows / plan with its own history: {ratio:.2f}x (target: at most 2x)")
    actions = list(plan(invoices, clients, POLICY, AS_OF, SqliteJournal(small, read_only=True)))
    one, many = folder / "one.sqlite", folder / "many.sqlite"
    shutil.copyfile(small, one)
    shutil.copyfile(small, many)
    with SqliteJournal(one) as journal:
        start = time.perf_counter()
        for action in actions:
            journal.record(action)
        single = time.perf_counter() - start
    with SqliteJournal(many) as journal:
        start = time.perf_counter()
        journal.record_many(actions)
        batch = time.perf_counter() - start
    print(
        f"record {len(actions):,} actions: one by one {single:.3f} s, record_many {batch:.3f} s "
        f"({single / batch:.1f}x)"
    )
    if args.folder is None:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
