"""Benchmark of PostgresJournal against SqliteJournal on the same actions, in one run.

Builds ``benchmarks/engine.py``'s synthetic portfolio (default 10,000 invoices of 2,500
clients), replays its last ``--days`` days into a MemoryJournal (``sample.simulate``: plan
each day, record each action) to get a realistic stream of actions, then for each store —
an SQLite file and a PostgreSQL schema (a throwaway server started like the tests', with
fsync on, or ``--dsn``):

1. ``record()`` of every action, in order, one transaction each: actions per second;
2. the same again, every call answering False (a rerun of the days): calls per second;
3. ``history(as_of)`` and ``records()`` over the whole journal;
4. ``plan()`` of the last day over each journal (its history read once);
5. ``record_many()`` of each day's actions into a new journal (one transaction a day);
6. for PostgreSQL, the same actions recorded by ``--processes`` processes at once, each
   taking every action in its own order (the race the journal arbitrates): calls per second
   and that each action was stored once.

Prints each figure and the ratio PostgreSQL / SQLite.

Run:  .venv/bin/python benchmarks/journal_postgres.py [--invoices N] [--clients N] [--days N]
      [--processes N] [--dsn 'host=… dbname=…']
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import multiprocessing
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE))
sys.path.append(str(HERE.parent / "tests"))
from engine import AS_OF, build_records  # noqa: E402
from postgres import start_server  # noqa: E402  (tests/postgres.py: a throwaway server)
from relancelib import MemoryJournal, ReminderPolicy, SqliteJournal, plan  # noqa: E402
from relancelib.engine import Action  # noqa: E402
from relancelib.journal.postgres import PostgresJournal  # noqa: E402
from relancelib.sample import simulate  # noqa: E402


def timed(run: object) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    result = run()  # type: ignore[operator]
    return time.perf_counter() - start, result


def record_all(journal: object, actions: list[Action]) -> int:
    return sum(bool(journal.record(a)) for a in actions)  # type: ignore[attr-defined]


def _racer(dsn: str, schema: str, actions: list[Action], seed: int, queue: object) -> None:
    mine = list(actions)
    random.Random(seed).shuffle(mine)
    with PostgresJournal(dsn, schema=schema) as journal:
        queue.put("ready")  # type: ignore[attr-defined]
        start = time.perf_counter()
        won = [a.key for a in mine if journal.record(a)]
        queue.put(json.dumps([time.perf_counter() - start, won]))  # type: ignore[attr-defined]


def race(dsn: str, actions: list[Action], processes: int) -> tuple[float, int, bool]:
    """``processes`` processes recording every action: wall time, calls, each stored once."""
    schema = "bench_race"
    with PostgresJournal(dsn, schema=schema) as journal:
        journal._db.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    PostgresJournal(dsn, schema=schema).close()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_racer, args=(dsn, schema, actions, seed, queue))
        for seed in range(processes)
    ]
    for worker in workers:
        worker.start()
    ready = [queue.get(timeout=120) for _ in workers]
    assert ready == ["ready"] * processes
    start = time.perf_counter()
    results = [json.loads(queue.get(timeout=3600)) for _ in workers]
    wall = time.perf_counter() - start
    for worker in workers:
        worker.join()
    wins = [key for _seconds, won in results for key in won]
    with PostgresJournal(dsn, schema=schema) as journal:
        stored = len(journal.records())
        once = sorted(wins) == sorted({a.key for a in actions}) and stored == len(actions)
        once = once and journal.verify().ok
    return wall, processes * len(actions), once


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=2_500)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--dsn", default=None, help="a server to use (else one is started)")
    args = parser.parse_args(argv)

    clients, invoices, _records = build_records(args.invoices, args.clients)
    policy = ReminderPolicy.french_default()
    start = AS_OF - dt.timedelta(days=args.days)
    seconds, done = timed(lambda: simulate(MemoryJournal(), start, AS_OF, invoices=invoices,
                                           clients=clients, policy=policy))  # fmt: skip
    actions = list(done)  # type: ignore[call-overload]
    by_day: dict[dt.date, list[Action]] = {}
    for action in actions:
        by_day.setdefault(action.on, []).append(action)
    pairs = sum(len(a.steps) for a in actions)
    print(f"{args.invoices:,} invoices of {args.clients:,} clients, {args.days} days "
          f"replayed: {len(actions):,} actions ({pairs:,} (invoice, step) pairs) "
          f"in {seconds:.1f} s")  # fmt: skip

    server = None
    dsn = args.dsn
    if dsn is None:
        server = start_server(durable=True)
        dsn = server.dsn
    folder = Path(tempfile.mkdtemp(prefix="relance-bench-"))
    figures: dict[str, dict[str, float]] = {}
    try:
        stores = {
            "sqlite": lambda: SqliteJournal(folder / "journal.sqlite3"),
            "postgres": lambda: PostgresJournal(dsn, schema="bench"),
        }
        for name, opener in stores.items():
            journal = opener()
            if name == "postgres":
                journal._db.execute('DROP SCHEMA IF EXISTS "bench" CASCADE')  # type: ignore[attr-defined]
                journal.close()
                journal = opener()
            row = figures[name] = {}
            seconds, stored = timed(lambda j=journal: record_all(j, actions))
            assert stored == len(actions)
            row["record/s"] = len(actions) / seconds
            seconds, stored = timed(lambda j=journal: record_all(j, actions))
            assert stored == 0
            row["rerun calls/s"] = len(actions) / seconds
            row["history() s"], _ = timed(lambda j=journal: j.history(AS_OF))
            row["records() s"], _ = timed(lambda j=journal: j.records())
            row["plan() of the day s"], _ = timed(
                lambda j=journal: plan(invoices, clients, policy, AS_OF, j)
            )
            row["verify() s"], result = timed(lambda j=journal: j.verify())
            assert result.ok  # type: ignore[attr-defined]
            journal.close()
            # The same days again into a new journal, one record_many() per day.
            batches = {
                "sqlite": lambda: SqliteJournal(folder / "batch.sqlite3"),
                "postgres": lambda: PostgresJournal(dsn, schema="bench_batch"),
            }
            batch = batches[name]
            journal = batch()
            if name == "postgres":
                journal._db.execute('DROP SCHEMA IF EXISTS "bench_batch" CASCADE')  # type: ignore[attr-defined]
                journal.close()
                journal = batch()
            seconds, stored = timed(lambda j=journal: sum(
                sum(j.record_many(day)) for day in by_day.values()))  # fmt: skip
            assert stored == len(actions)
            row["record_many()/s"] = len(actions) / seconds
            journal.close()
        print()
        print(f"{'':24}{'SQLite':>12}{'PostgreSQL':>12}{'PG / SQLite':>13}")
        for figure in figures["sqlite"]:
            lite, pg = figures["sqlite"][figure], figures["postgres"][figure]
            print(f"{figure:24}{lite:12,.2f}{pg:12,.2f}{pg / lite:12.2f}×")
        if args.processes > 1:
            wall, calls, once = race(dsn, actions, args.processes)
            single = figures["postgres"]["record/s"]
            print()
            print(f"{args.processes} processes recording the same {len(actions):,} actions: "
                  f"{calls:,} calls in {wall:.1f} s = {calls / wall:,.0f} calls/s "
                  f"({calls / wall / single:.2f}× one process's record/s); "
                  f"each action stored once, the chain verifies: {once}")  # fmt: skip
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
