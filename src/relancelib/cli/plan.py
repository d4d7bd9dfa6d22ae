"""``relance plan``: the day's plan, as a table, JSON or CSV."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from relancelib.cli.exits import strict_exit
from relancelib.cli.loading import plan_day, read_config
from relancelib.cli.options import (
    config_option,
    date_option,
    debug_option,
    format_option,
    strict_option,
    today,
)
from relancelib.cli.output import (
    console,
    credits_json,
    plan_json,
    plan_table,
    print_columns,
    print_credits,
    print_problems,
)
from relancelib.config import load_portfolio
from relancelib.formatting import format_date
from relancelib.io import plan_to_csv

__all__ = ["plan_command"]


@click.command("plan")
@date_option
@config_option
@format_option
@strict_option
@debug_option
def plan_command(day: dt.date | None, config_path: Path | None, output: str, strict: bool) -> None:
    """Show the day's plan: who to remind, about which invoices, through which channel."""
    config = read_config(config_path)
    portfolio = load_portfolio(config)
    as_of = today(day)
    day_plan = plan_day(config, portfolio, as_of)
    if output == "json":
        shown = {**plan_json(day_plan, portfolio.problems), "credits": credits_json(portfolio)}
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
    elif output == "csv":
        plan_to_csv(day_plan, sys.stdout)
    else:
        out = console()
        if day_plan.actions:
            out.print(plan_table(day_plan))
        else:
            out.print(f"Nothing is due on {format_date(as_of, style='full')}.")
        print_credits(out, portfolio)
    err = console(stderr=True)
    print_columns(err, portfolio)
    print_problems(err, portfolio.warnings, "Warnings on import (nothing left out):")
    if output == "table":
        print_problems(err, day_plan.problems, "Problems in the plan:")
    print_problems(err, portfolio.problems, "Rows that could not be imported:")
    strict_exit(strict, day_plan, portfolio)
