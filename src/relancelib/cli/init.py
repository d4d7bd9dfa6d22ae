"""``relance init``: write a commented example config (and, with ``--sample``, the sample
portfolio as CSV files)."""

from __future__ import annotations

from pathlib import Path

import click

from relancelib import io
from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.options import DEFAULT_CONFIG, debug_option
from relancelib.config import EXAMPLE_CONFIG, example_config
from relancelib.sample import load_sample, sample_policy

__all__ = ["SAMPLE_FILES", "init_command"]

#: The CSV files ``relance init --sample`` writes (the names the example config reads).
SAMPLE_FILES = ("clients.csv", "factures.csv", "reglements.csv")


@click.command("init")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--sample",
    is_flag=True,
    help="Also write the sample portfolio as CSV files (clients.csv, factures.csv, "
    "reglements.csv) and use its creditor: a config that runs as is.",
)
@debug_option
def init_command(path: Path | None, force: bool, sample: bool) -> None:
    """Write a commented example config to PATH (default ./relance.toml)."""
    target = path or Path(DEFAULT_CONFIG)
    folder = target.parent
    if not folder.is_dir():
        fail(f"{folder}: no such folder", ExitCode.USAGE)
    data_files = [folder / name for name in SAMPLE_FILES] if sample else []
    for file in (target, *data_files):
        if file.exists() and not force:
            fail(f"{file}: already exists (use --force to overwrite it)", ExitCode.USAGE)
    if not sample:
        target.write_text(EXAMPLE_CONFIG, encoding="utf-8")
        click.echo(
            f"Wrote {target}. Edit [creditor] and [sources], then run: relance plan -c {target}"
        )
        return
    portfolio = load_sample()
    clients_file, invoices_file, payments_file = data_files
    io.write_clients_csv(portfolio.clients, clients_file)
    io.write_invoices_csv(portfolio.invoices, invoices_file)
    io.write_payments_csv(portfolio.invoices, payments_file)
    text = example_config(creditor=portfolio.creditor, segments=sample_policy().segments)
    target.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {target} and the sample portfolio: {', '.join(map(str, data_files))}.")
    click.echo(f"Try: relance plan -c {target} --date {portfolio.as_of.isoformat()}")
