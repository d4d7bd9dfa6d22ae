"""``relance report``: the insight report, one self-contained HTML page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.loading import read_config, read_journal
from relancelib.cli.options import config_option, date_option, debug_option, today
from relancelib.config import load_portfolio
from relancelib.formatting import format_date
from relancelib.journal import MemoryJournal
from relancelib.reports import insight_report, write_report
from relancelib.sample import load_sample

__all__ = ["DEFAULT_REPORT", "report_command"]

#: The file ``relance report`` writes by default.
DEFAULT_REPORT = "rapport-relances.html"


@click.command("report")
@date_option
@config_option
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(DEFAULT_REPORT),
    show_default=True,
    help="The HTML file to write.",
)
@click.option(
    "--sample",
    is_flag=True,
    help="Report on the embedded sample portfolio (its history replayed; its day, "
    "16 March 2026, unless --date) instead of the config's sources.",
)
@click.option("--weeks", type=click.IntRange(1, 104), default=12, show_default=True,
              help="Weeks of cash-in forecast.")  # fmt: skip
@debug_option
def report_command(
    day: dt.date | None, config_path: Path | None, out: Path, sample: bool, weeks: int
) -> None:
    """Write the receivables report (aged balance, DSO, cash-in forecast, step
    effectiveness, payer profiles) as one HTML page with its charts, ready to print."""
    if sample:
        portfolio = load_sample()
        as_of = day or portfolio.as_of
        journal = MemoryJournal()
        portfolio.replay(journal, end=as_of)
        records = journal.records()
        invoices, clients = portfolio.invoices, portfolio.clients
        creditor: str | None = portfolio.creditor.name
        steps = [step.key for step in portfolio.policy(clients[0]).steps]
    else:
        config = read_config(config_path)
        loaded = load_portfolio(config)
        as_of = today(day)
        records = ()
        if config.journal.exists():
            with read_journal(config) as existing:
                records = existing.records()
        invoices, clients = loaded.invoices, loaded.clients
        creditor = config.creditor.name
        steps = [step.key for step in config.default_policy.steps]
    page = insight_report(
        invoices, clients, records, as_of, creditor=creditor, steps=steps, weeks=weeks
    )
    write_report(out, page)
    click.echo(f"Wrote {out}: the report of {format_date(as_of, style='full')}.")
