"""Benchmark: PDF letters with WeasyPrint — speed per core, memory over many letters, --jobs.

Renders the built-in letters (``lettre_relance``, ``mise_en_demeure``, the QR code as SVG)
of distinct actions and lays them out as PDF:

* **speed**: WeasyPrint as relancelib called it before issue 15 (a new font configuration
  for each letter, WeasyPrint's default) against ``Message.to_pdf()`` now (one font
  configuration for the process), in the same process, CPU time per letter (what one core
  does); and, for comparison, a batch of letters laid out as one document and split into one
  PDF per letter.
* **memory**: the resident set size (RSS, from /proc) every tenth of ``--rss-letters``
  letters laid out one after the other in one process, the old way and the new way.
* **jobs**: ``carry_out(..., jobs=N)`` writing ``--jobs-letters`` letters with 1 and 2
  processes (wall clock: what a run takes).

    python benchmarks/letters.py [--letters 40] [--rss-letters 2000] [--jobs-letters 60]
                                 [--only speed,memory,jobs]
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import re
import tempfile
import time
from pathlib import Path

from relancelib import MemoryJournal, ReminderPolicy
from relancelib.outbox import carry_out
from relancelib.rendering import render
from relancelib.rendering.letters import _shared
from render import CREDITOR, build_actions

STEPS = ("lettre_relance", "mise_en_demeure")


def rss_mib() -> float:
    """The resident set size of this process, in MiB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def htmls(count: int, first: int) -> list[str]:
    """The HTML of ``count`` distinct letters, the QR code inline as SVG."""
    return [render(a, CREDITOR)._inline_qr("svg") for a in build_actions(count, STEPS, first)]


def before_issue_15(html: str) -> bytes:
    """A letter as relancelib laid it out before issue 15: a new font configuration each
    time (WeasyPrint's default)."""
    import weasyprint

    fetcher, _fonts = _shared()
    document: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return document


def now(html: str) -> bytes:
    """A letter as ``Message.to_pdf()`` lays it out: one font configuration per process."""
    from relancelib.rendering.letters import to_pdf

    return to_pdf(html)


def as_one_document(batch: list[str]) -> list[bytes]:
    """The letters of ``batch`` laid out as one document (each from a new page), then split
    into one PDF per letter (its pages)."""
    import weasyprint

    fetcher, fonts = _shared()
    head = re.search(r"(?s)^.*?<body[^>]*>", batch[0])
    assert head is not None
    bodies = [re.sub(r"(?s)^.*?<body[^>]*>|</body>.*$", "", html) for html in batch]
    joined = "".join(
        f'<div id="letter-{k}" style="break-before: page">{body}</div>'
        for k, body in enumerate(bodies)
    )
    document = weasyprint.HTML(
        string=f"{head.group(0)}{joined}</body></html>", url_fetcher=fetcher
    ).render(font_config=fonts)
    # Each letter starts on the page that holds its anchor.
    starts = [
        next(i for i, page in enumerate(document.pages) if f"letter-{k}" in page.anchors)
        for k in range(len(batch))
    ] + [len(document.pages)]
    return [
        document.copy(document.pages[a:b]).write_pdf() for a, b in itertools.pairwise(starts)
    ]


def cpu_per_letter(work: object, items: list[str]) -> float:
    start = time.process_time()
    for html in items:
        work(html)  # type: ignore[operator]
    return (time.process_time() - start) / len(items)


def speed(count: int) -> None:
    print("speed (CPU time, one core):")
    now(htmls(1, 0)[0])  # WeasyPrint start-up, fonts
    before_issue_15(htmls(1, 1)[0])
    old = cpu_per_letter(before_issue_15, htmls(count, 10_000))
    new = cpu_per_letter(now, htmls(count, 20_000))
    for label, seconds in (("before issue 15 (fonts loaded per letter)", old),
                           ("to_pdf() now (fonts loaded once)", new)):  # fmt: skip
        print(f"  {label:<42}{1 / seconds:6.1f} letters/s  {seconds * 1e3:6.1f} ms")
    print(f"  speed-up                                  {old / new:6.2f}×")
    batch = htmls(count, 30_000)
    start = time.process_time()
    pdfs = []
    for k in range(0, count, 10):
        pdfs += as_one_document(batch[k : k + 10])
    one = (time.process_time() - start) / count
    print(
        f"  batches of 10 as one document, split     {1 / one:6.1f} letters/s  {one * 1e3:6.1f} ms"
        f"  ({one / new:.2f}× to_pdf(); {len(pdfs)} PDFs)"
    )


def memory(count: int) -> None:
    print(f"memory (RSS of this process, MiB) over {count} letters, one after the other:")
    for label, work in (("to_pdf() now", now), ("before issue 15", before_issue_15)):
        total = count if work is now else min(count, 1000)  # the old way only grows
        step = max(1, total // 10)
        batch: list[str] = []
        marks = [rss_mib()]
        for n in range(total):
            if not batch:
                batch = htmls(min(step, 100), 10**6 + n)
            work(batch.pop())
            if (n + 1) % step == 0:
                marks.append(rss_mib())
        slope = (marks[-1] - marks[5]) / (total - 5 * step) * 1024
        shown = " ".join(f"{mark:.0f}" for mark in marks)
        print(f"  {label:<16} {shown}  (second half: {slope:+.1f} KiB/letter)", flush=True)


def jobs(count: int) -> None:
    print(f"carry_out of {count} letters (wall clock):")
    actions = build_actions(count, STEPS, 50_000)
    policy = ReminderPolicy.french_default()
    times = {}
    for processes in (1, 2):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            result = carry_out(
                actions, CREDITOR, Path(folder), MemoryJournal(), policy=policy, jobs=processes
            )
            times[processes] = time.perf_counter() - start
            assert len(result.recorded) == count
        print(f"  --jobs {processes}: {count / times[processes]:6.1f} letters/s")
    print(f"  speed-up with 2 processes: {times[1] / times[2]:.2f}× (on {os.cpu_count()} cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--letters", type=int, default=40)
    parser.add_argument("--rss-letters", type=int, default=2000)
    parser.add_argument("--jobs-letters", type=int, default=60)
    parser.add_argument("--only", default="speed,memory,jobs")
    args = parser.parse_args()
    print(f"relancelib letters — Python {platform.python_version()}, {platform.machine()}")
    parts = set(args.only.split(","))
    if "speed" in parts:
        speed(args.letters)
    if "memory" in parts:
        memory(args.rss_letters)
    if "jobs" in parts:
        jobs(args.jobs_letters)


if __name__ == "__main__":
    main()
