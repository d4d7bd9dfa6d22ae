"""Benchmark of relancelib.distributed: plan() in one process against the same portfolio
planned partition by partition on a Dask LocalCluster with 1 and 2 worker processes.

Builds ``benchmarks/engine.py``'s synthetic portfolio (default 1,000,000 invoices of 250,000
clients, a third partly paid, with the journal of earlier steps), writes it as Parquet
partitioned by client id (``partition_by_client`` + ``write_parquet``, every cell as text),
then in one run:

1. ``plan()`` in this process over the model objects already built (the baseline);
2. the distributed pipeline (read the Parquet partition, rows to model objects through the
   io readers, ``plan()``, rows out) with Dask's synchronous scheduler in this process;
3. the same on a ``LocalCluster`` of 1, then 2 worker processes (one thread each);
4. the peak memory (``tracemalloc``) of planning one partition, per partition and per
   invoice, and the workers' resident memory after the run.

It checks that every run gives the same actions as ``plan()`` and prints the ratios.

Run:  .venv/bin/python benchmarks/distributed.py [--invoices N] [--clients N] [--partitions N]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

# This script is named like the distributed package: import the package, not the script.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
import distributed  # noqa: E402

sys.path.append(str(HERE))
from engine import AS_OF, build_records  # noqa: E402
from relancelib import ReminderPolicy, plan  # noqa: E402
from relancelib.distributed import (  # noqa: E402
    action_rows,
    partition_by_client,
    plan_frames,
    plan_partition,
    read_parquet,
    write_parquet,
)
from relancelib.distributed._models import frames_from_models  # noqa: E402
from relancelib.journal import index_records  # noqa: E402


class Records:
    """A journal's records and history without the hash chain (a benchmark shortcut)."""

    def __init__(self, records: list) -> None:  # type: ignore[type-arg]
        self._records = records
        self._history = index_records(records)

    def records(self) -> list:  # type: ignore[type-arg]
        return self._records

    def history(self, as_of: object) -> object:
        return self._history


def timed(run: object) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    result = run()  # type: ignore[operator]
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=250_000)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--directory", default=None, help="where to write the Parquet files")
    args = parser.parse_args(argv)
    policy = ReminderPolicy.french_default()

    started = time.perf_counter()
    clients, invoices, records = build_records(args.invoices, args.clients)
    journal = Records(records)
    print(
        f"portfolio: {len(invoices):,} invoices, {len(clients):,} clients, {len(records):,} "
        f"journal records (built in {time.perf_counter() - started:.1f} s)"
    )
    gc.collect()
    start = time.perf_counter()
    expected = plan(invoices, clients, policy, AS_OF, journal)
    one_s = time.perf_counter() - start
    rows = action_rows(expected)
    print(f"plan() in one process: {one_s:.2f} s, {len(rows):,} action rows")

    directory = args.directory or tempfile.mkdtemp(prefix="relance-dask-")
    started = time.perf_counter()
    frames = frames_from_models(clients, invoices, journal)
    write_parquet(partition_by_client(**frames, npartitions=args.partitions), directory)
    del frames, clients, invoices, records, journal, expected
    gc.collect()
    print(f"Parquet in {directory} (written in {time.perf_counter() - started:.1f} s)")

    def distributed_plan(**options: object) -> object:
        portfolio = read_parquet(directory)
        actions, _problems = plan_frames(portfolio, policy, AS_OF).compute(**options)
        return actions

    def same(actions: object) -> bool:
        got = actions.astype(object).where(actions.notna(), None)  # type: ignore[attr-defined]
        if len(got) != len(rows):
            return False
        return list(got["action_key"]) == [r["action_key"] for r in rows] and list(
            got["balance"]
        ) == [r["balance"] for r in rows]

    times = {}
    times["sync"], actions = timed(lambda: distributed_plan(scheduler="sync"))
    print(f"Dask, synchronous, this process: {times['sync']:.2f} s  same plan: {same(actions)}")
    rss = {}
    for workers in (int(n) for n in args.workers.split(",")):
        with (
            distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            times[workers], actions = timed(distributed_plan)
            usage = client.run(lambda: __import__("psutil").Process().memory_info().rss)
            rss[workers] = max(usage.values())
        print(
            f"Dask, LocalCluster, {workers} worker(s): {times[workers]:.2f} s  "
            f"same plan: {same(actions)}  largest worker RSS {rss[workers] / 2**20:,.0f} MiB"
        )

    portfolio = read_parquet(directory)
    parts = [frame.partitions[0].compute() for frame in portfolio.frames().values()]
    names = list(portfolio.frames())
    given = dict(zip(names, parts, strict=True))
    tracemalloc.start()
    plan_partition(
        given["invoices"], given["clients"], given.get("payments"), given.get("journal"),
        policy, AS_OF,
    )  # fmt: skip
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = len(given["invoices"])
    print(
        f"memory: one partition of {size:,} invoices peaks at {peak / 2**20:,.1f} MiB "
        f"({peak / size:,.0f} bytes per invoice)"
    )
    print("ratios:")
    print(f"  Dask sync / plan(): {times['sync'] / one_s:.2f}x (reading rows into models included)")
    for workers in rss:
        print(f"  {workers} worker(s) / plan(): {times[workers] / one_s:.2f}x")
    if 1 in times and 2 in times:
        print(f"  speed-up 1 -> 2 workers: {times[1] / times[2]:.2f}x")
    print(f"  cores: {os.cpu_count()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
