"""``relance run`` and ``relance send``: carry the day's actions out — claim each in the
journal, write it into a folder or send it, then confirm it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.console import Console

from relancelib.cli.exits import ExitCode, strict_exit
from relancelib.cli.loading import open_journal, plan_day, read_config
from relancelib.cli.options import (
    config_option,
    date_option,
    debug_option,
    jobs_option,
    strict_option,
    today,
)
from relancelib.cli.output import (
    console,
    print_columns,
    print_credits,
    print_problems,
    warn,
)
from relancelib.cli.progress import print_run_summary, write_messages
from relancelib.cli.send import smtp_sender
from relancelib.config import load_portfolio
from relancelib.outbox import CarryOutResult, SmtpSender
from relancelib.policy import Channel

__all__ = ["run_command", "send_command"]


def _options(function: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(
        (
            date_option,
            click.option(
                "--out",
                "-o",
                type=click.Path(file_okay=False, path_type=Path),
                required=True,
                help="The folder the messages are written to (created if needed).",
            ),
            click.option(
                "--dry-run",
                is_flag=True,
                help="Write the files (named *.dry-run.*) but send and record nothing.",
            ),
            click.option(
                "--manual",
                multiple=True,
                type=click.Choice([channel.value for channel in Channel]),
                help="Write the actions of this channel but leave them to 'relance record' "
                "once done (e.g. --manual phone: each call is recorded when it was made). "
                "Repeatable.",
            ),
            jobs_option,
            config_option,
            strict_option,
            debug_option,
        )
    ):
        function = option(function)
    return function


@click.command("run")
@_options
@click.option(
    "--send",
    is_flag=True,
    help="Send the e-mails through the [smtp] server of the config (a copy of each is kept "
    "in the folder); without it they are written as .eml files.",
)
def run_command(
    day: dt.date | None,
    out: Path,
    dry_run: bool,
    manual: tuple[str, ...],
    jobs: int,
    config_path: Path | None,
    strict: bool,
    send: bool,
) -> None:
    """Carry out every due action: claim it in the journal, write it into a folder (or send
    it, with --send), then record it.

    E-mails are .eml files (or sent, with --send), letters .pdf files, calls and SMS .txt
    scripts.  Running twice the same day writes nothing new; a run that was killed is
    finished by the next one (docs/reliability.md).  --jobs N renders in N processes (big
    runs); without a terminal (cron) the run prints a start line, a progress line now and
    then, and its summary.
    """
    _carry(day, out, dry_run, manual, config_path, strict, send, jobs)


@click.command("send")
@_options
def send_command(
    day: dt.date | None,
    out: Path,
    dry_run: bool,
    manual: tuple[str, ...],
    jobs: int,
    config_path: Path | None,
    strict: bool,
) -> None:
    """``relance run --send``: send the due e-mails through the [smtp] server, write the
    other messages into the folder, record each once done."""
    _carry(day, out, dry_run, manual, config_path, strict, True, jobs)


def _carry(
    day: dt.date | None,
    out: Path,
    dry_run: bool,
    manual: tuple[str, ...],
    config_path: Path | None,
    strict: bool,
    send: bool,
    jobs: int = 1,
) -> None:
    config = read_config(config_path)
    portfolio = load_portfolio(config)
    as_of = today(day)
    err = console(stderr=True)
    # Each client's available credit (credit notes, payments on account): its messages say so.
    credits = {c.client_id: portfolio.credits_of(c.client_id) for c in portfolio.credits}
    if dry_run:
        # Reads the journal if there is one, never creates nor writes it; never sends.
        day_plan = plan_day(config, portfolio, as_of)
        result = write_messages(
            day_plan.actions, config.creditor, out, None, policy=config.policy, config=config,
            screen=err, jobs=jobs, credits=credits,
        )  # fmt: skip
    else:
        sender: SmtpSender | None = smtp_sender(config) if send else None
        try:
            with open_journal(config) as journal, journal.exclusive():
                day_plan = plan_day(config, portfolio, as_of, journal)
                result = write_messages(
                    day_plan.actions, config.creditor, out, journal, policy=config.policy,
                    config=config, screen=err, manual=[Channel(value) for value in manual],
                    email=sender, jobs=jobs, credits=credits,
                )  # fmt: skip
        finally:
            if sender is not None:
                sender.close()
    print_run_summary(console(), result)
    print_credits(console(), portfolio)
    _print_claims(err, result)
    print_columns(err, portfolio)
    print_problems(err, portfolio.warnings, "Warnings on import (nothing left out):")
    print_problems(err, day_plan.problems, "Problems in the plan:")
    print_problems(err, portfolio.problems, "Rows that could not be imported:")
    if result.still_due:
        raise click.exceptions.Exit(ExitCode.RENDER)
    if result.uncertain:
        raise click.exceptions.Exit(ExitCode.PROBLEMS)
    strict_exit(strict, day_plan, portfolio)


def _print_claims(err: Console, result: CarryOutResult) -> None:
    """What the run made of earlier runs' claims, and what a person must check."""
    for resolved in result.resolved:
        claim = resolved.claim
        err.print(
            f"an earlier run stopped while carrying out {claim.key} ({claim.record.client_id}, "
            f"{claim.record.step}): {resolved.outcome}"
        )
    for uncertain in result.uncertain:
        claim = uncertain.claim
        warn(
            err,
            f"uncertain — check and confirm or cancel: {claim.key} ({claim.record.client_id}, "
            f"{claim.record.step}, {claim.record.reference}): {uncertain.reason}. Once checked: "
            f"relance claim confirm {claim.key} (it was received) or relance claim cancel "
            f"{claim.key} (it was not: the next run sends it)",
        )
