"""``relance explain``: why an invoice is, or is not, chased on a day, rule by rule."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import click

from relancelib.cli.loading import plan_day, read_config
from relancelib.cli.options import config_option, date_option, debug_option, format_option, today
from relancelib.config import load_portfolio
from relancelib.io import neutralise_formula

__all__ = ["explain_command"]


@click.command("explain")
@click.argument("invoice")
@date_option
@config_option
@format_option
@debug_option
def explain_command(
    invoice: str, day: dt.date | None, config_path: Path | None, output: str
) -> None:
    """Say why INVOICE is or is not chased on the day (today by default), rule by rule:
    balance, dispute, hold, promise, instalments, business day, gap since the client's last
    action, formal notice, next step and its day, channel."""
    config = read_config(config_path)
    portfolio = load_portfolio(config)
    explanation = plan_day(config, portfolio, today(day)).explain(invoice)
    if output == "json":
        click.echo(json.dumps(explanation.to_dict(), ensure_ascii=False, indent=2))
    elif output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["rule", "passed", "text"])
        for rule in explanation.rules:
            passed = "" if rule.passed is None else str(rule.passed).lower()
            writer.writerow([rule.name, passed, neutralise_formula(rule.text)])
    else:
        click.echo(str(explanation))
