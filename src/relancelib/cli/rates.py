"""``relance rates``: what the rate tables know, through when; ``relance rates import FILE``
reads the official SDMX-CSV series into the user rates file that ``plan`` and ``run`` read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib import law
from relancelib.cli.loading import read_config, user_rates_path
from relancelib.cli.options import config_option, date_option, debug_option, today
from relancelib.cli.output import console

__all__ = ["rates_command"]

#: How long before the tables run out ``relance rates`` starts warning.
WARN_DAYS = 30


def _rows(rates: law.Rates) -> list[tuple[str, law.RateTable, dt.date]]:
    """Each table, and the last day a penalty or interest can be computed with it."""
    mro_last = law.half_year(rates.mro.known_through)[1]
    return [
        ("ECB MRO rate (L441-10 II penalties)", rates.mro, mro_last),
        ("legal interest rate, all other cases", rates.legal, rates.legal.known_through),
        (
            "legal interest rate, private creditor",
            rates.legal_private,
            rates.legal_private.known_through,
        ),
    ]


@click.group("rates", invoke_without_command=True)
@date_option
@config_option
@debug_option
@click.pass_context
def rates_command(ctx: click.Context, day: dt.date | None, config_path: Path | None) -> None:
    """Show what the rate tables know and through when (warns 30 days before they run out)."""
    if ctx.invoked_subcommand is not None:
        return
    config = read_config(config_path)
    rates = config.rates or law.DEFAULT_RATES
    path = user_rates_path(config)
    if path.exists():
        rates = law.extend_rates(
            law.read_user_rates(path.read_text(encoding="utf-8"), str(path)), rates
        )
    as_of = today(day)
    out = console()
    for label, table, usable in _rows(rates):
        last = table.rows[-1]
        out.print(
            f"{label}: {last.rate} % from {last.start.isoformat()}, known through "
            f"{table.known_through.isoformat()}; penalties computable through {usable.isoformat()}",
            markup=False,
            soft_wrap=True,
        )
    err = console(stderr=True)
    for label, _table, usable in _rows(rates):
        left = (usable - as_of).days
        if left <= WARN_DAYS:
            err.print(
                f"warning: the {label} is known through {usable.isoformat()} only "
                f"({'ran out' if left < 0 else f'{left} days left'}): run `relance rates import "
                "FILE` with the ECB / Banque de France SDMX-CSV export, or add a [[law.mro]] / "
                "[[law.legal_interest]] row to relance.toml",
                markup=False,
                soft_wrap=True,
            )


@rates_command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@debug_option
def import_command(file: Path, config_path: Path | None) -> None:
    """Read an SDMX-CSV export (ECB MRO series FM.B.U2.EUR.4F.KR.MRR_FR.LEV, Banque de France
    legal interest rates) into the user rates file next to relance.toml."""
    config = read_config(config_path)
    found = law.read_sdmx_csv(file.read_text(encoding="utf-8-sig"), file.name)
    path = user_rates_path(config)
    known = (
        law.read_user_rates(path.read_text(encoding="utf-8"), str(path)) if path.exists() else []
    )
    merged = {(row.kind, row.start): row for row in (*known, *found)}
    path.write_text(law.write_user_rates(list(merged.values())), encoding="utf-8")
    click.echo(f"{len(found)} figure(s) imported from {file.name} into {path}")
