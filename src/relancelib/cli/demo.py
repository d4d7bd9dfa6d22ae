"""``relance demo``: the whole daily flow on the embedded sample portfolio."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.text import Text

from relancelib.cli.options import date_option, debug_option
from relancelib.cli.output import console, plan_table, print_problems, print_summary
from relancelib.cli.progress import write_messages
from relancelib.engine import plan
from relancelib.formatting import format_date
from relancelib.journal import SqliteJournal
from relancelib.sample import load_sample

__all__ = ["DEFAULT_DEMO_DIR", "DEMO_JOURNAL", "demo_command"]

#: The folder ``relance demo`` writes to by default.
DEFAULT_DEMO_DIR = "relance-demo"
#: The journal file of the demo, inside its folder (recreated on every demo).
DEMO_JOURNAL = "relance-demo-journal.sqlite"


@click.command("demo")
@date_option
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(DEFAULT_DEMO_DIR),
    show_default=True,
    help="The folder the demo writes its journal and messages to.",
)
@debug_option
def demo_command(day: dt.date | None, out: Path) -> None:
    """Run on the embedded sample portfolio: replay its history, show the day's plan and
    write the day's messages (the day is the sample's, 16 March 2026, unless --date)."""
    sample = load_sample()
    as_of = day or sample.as_of
    screen = console()
    err = console(stderr=True)
    out.mkdir(parents=True, exist_ok=True)
    journal_path = out / DEMO_JOURNAL
    for suffix in ("", "-wal", "-shm"):
        Path(f"{journal_path}{suffix}").unlink(missing_ok=True)
    screen.print(
        Text(
            f"relancelib demo — {sample.creditor.name}: {len(sample.clients)} clients, "
            f"{len(sample.invoices)} invoices (fictitious sample portfolio)",
            style="bold",
        )
    )
    with SqliteJournal(journal_path) as journal:
        history = sample.replay(journal, end=as_of)
        if history:
            first, last = history[0].on, history[-1].on
            screen.print(
                f"Replayed the reminders of {format_date(first)} to {format_date(last)}: "
                f"{len(history)} actions recorded in {journal_path}."
            )
        day_plan = plan(sample.invoices, sample.clients, sample.policy, as_of, journal)
        if day_plan.actions:
            screen.print(plan_table(day_plan))
        else:
            screen.print(f"Nothing is due on {format_date(as_of, style='full')}.")
        print_problems(screen, day_plan.problems, "Problems in the plan:")
        result = write_messages(
            day_plan.actions, sample.creditor, out, journal, policy=sample.policy, screen=err
        )
    print_summary(screen, result)
    if result.written:
        screen.print(
            "Open the .eml files with a mail client and the .pdf letters with a PDF reader."
        )
