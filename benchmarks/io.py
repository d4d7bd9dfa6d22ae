"""Benchmark of reading a large French CSV export in bounded memory.

Writes a deterministic cp1252 export of ``--lines`` invoice lines (default 1,000,000) with
French headers, a ``Reste dû`` column (one invoice in three partly paid, so a payment is
built for it) and French amounts, then in a fresh process per measure:

1. ``stream``: iterates :func:`relancelib.io.iter_invoices_csv` over it, counting the
   invoices, and prints rows per second and the process's peak resident memory
   (``ru_maxrss``, which includes the interpreter and the libraries);
2. ``collect``: :func:`relancelib.io.read_invoices_csv`, which holds every invoice (what
   ``relance plan`` needs), for the same figures.

Targets (issue 12): **≤ 300 MB** and **≥ 50,000 rows/s** for a 1M-line export.  The rate
is printed for the wall-clock time and for the process's CPU time: on a shared machine the
second is the one that says what the reader costs.

Run:  .venv/bin/python benchmarks/io.py [--lines N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MB = 300
TARGET_ROWS = 50_000


def write_export(path: Path, lines: int) -> None:
    with path.open("w", encoding="cp1252", newline="") as file:
        file.write("N° pièce;Code client;Date pièce;Échéance;Montant TTC;Reste dû\r\n")
        for i in range(lines):
            day, month = 1 + i % 28, 1 + i % 12
            cents = f"{1000 + i % 90_000},{i % 100:02d}"
            left = cents if i % 3 else f"{500 + i % 500},00"
            file.write(
                f"F{i:08d};C{i % 250_000:06d};{day:02d}/{month:02d}/2025;"
                f"{day:02d}/{month:02d}/2026;{cents};{left}\r\n"
            )


def measure(mode: str, path: Path) -> None:
    from relancelib.io import iter_invoices_csv, read_invoices_csv

    export_date = dt.date(2026, 6, 30)
    start = time.perf_counter()
    cpu = time.process_time()
    if mode == "stream":
        count = sum(1 for _ in iter_invoices_csv(path, export_date=export_date))
    else:
        result = read_invoices_csv(path, export_date=export_date)
        count = len(result.items)
        assert not result.problems, result.problems[:3]
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{mode}\t{count}\t{elapsed:.2f}\t{peak_mb:.0f}\t{cpu:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--measure", choices=["stream", "collect"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.path)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "factures.csv"
        write_export(path, args.lines)
        size = path.stat().st_size / 1e6
        print(f"export: {args.lines:,} lines, {size:.0f} MB, cp1252")
        for mode in ("stream", "collect"):
            out = subprocess.run(
                [sys.executable, __file__, "--measure", mode, "--path", str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            count, elapsed, peak, cpu = int(out[1]), float(out[2]), float(out[3]), float(out[4])
            rate, cpu_rate = count / elapsed, count / cpu
            print(
                f"{mode:8} {count:,} invoices in {elapsed:.1f} s: {rate:,.0f} rows/s "
                f"({rate / TARGET_ROWS:.2f}× the {TARGET_ROWS:,} target; {cpu:.1f} s of CPU, "
                f"{cpu_rate:,.0f} rows/s: {cpu_rate / TARGET_ROWS:.2f}×), peak RSS {peak:.0f} MB "
                f"({peak / TARGET_MB:.2f}× the {TARGET_MB} MB cap)"
            )


if __name__ == "__main__":
    main()
