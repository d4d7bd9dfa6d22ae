"""``relance run``: write the day's messages into a folder and record them in the journal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.exits import ExitCode, strict_exit
from relancelib.cli.loading import open_journal, plan_day, read_config
from relancelib.cli.options import config_option, date_option, debug_option, strict_option, today
from relancelib.cli.output import console, print_problems, print_summary
from relancelib.cli.progress import write_messages
from relancelib.config import load_portfolio
from relancelib.policy import Channel

__all__ = ["run_command"]


@click.command("run")
@date_option
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder the messages are written to (created if needed).",
)
@click.option("--dry-run", is_flag=True, help="Write the files but record nothing in the journal.")
@click.option(
    "--manual",
    multiple=True,
    type=click.Choice([channel.value for channel in Channel]),
    help="Write the actions of this channel but leave them to 'relance record' once done "
    "(e.g. --manual phone: each call is recorded when it was made). Repeatable.",
)
@config_option
@strict_option
@debug_option
def run_command(
    day: dt.date | None,
    out: Path,
    dry_run: bool,
    manual: tuple[str, ...],
    config_path: Path | None,
    strict: bool,
) -> None:
    """Write every due action into a folder and record it in the journal.

    E-mails are .eml files (send them with your mail tool), letters .pdf files, calls and
    SMS .txt scripts.  Each action is rendered, written, then recorded (with its
    Message-ID or file name as reference); running twice the same day writes nothing new.
    """
    config = read_config(config_path)
    portfolio = load_portfolio(config)
    as_of = today(day)
    err = console(stderr=True)
    if dry_run:
        # Reads the journal if there is one, never creates nor writes it.
        day_plan = plan_day(config, portfolio, as_of)
        result = write_messages(
            day_plan.actions, config.creditor, out, None, policy=config.policy, config=config,
            screen=err,
        )  # fmt: skip
    else:
        with open_journal(config) as journal:
            day_plan = plan_day(config, portfolio, as_of, journal)
            result = write_messages(
                day_plan.actions, config.creditor, out, journal, policy=config.policy,
                config=config, screen=err, manual=[Channel(value) for value in manual],
            )  # fmt: skip
    print_summary(console(), result)
    print_problems(err, day_plan.problems, "Problems in the plan:")
    print_problems(err, portfolio.problems, "Rows that could not be imported:")
    if result.still_due:
        raise click.exceptions.Exit(ExitCode.RENDER)
    strict_exit(strict, day_plan, portfolio)
