"""What a command reads: the config (``--config``, ``$RELANCE_CONFIG``), the journal, the
day's plan."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from relancelib import law
from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.options import DEFAULT_CONFIG
from relancelib.config import Config, load_config
from relancelib.engine import Plan, plan
from relancelib.io import Portfolio
from relancelib.journal import Journal, SqliteJournal

__all__ = [
    "day_rates",
    "open_journal",
    "plan_day",
    "read_config",
    "read_journal",
    "user_rates_path",
]


def read_config(path: Path | None) -> Config:
    """The config at ``path``, else the one ``$RELANCE_CONFIG`` names, else ``./relance.toml``."""
    if path is None:
        path = Path(os.environ.get("RELANCE_CONFIG") or DEFAULT_CONFIG)
    return load_config(path)


def open_journal(config: Config) -> SqliteJournal:
    """The config's journal (created on first use, in a folder that must exist)."""
    folder = config.journal.parent
    if not folder.is_dir():
        fail(f"{config.journal}: the journal's folder {folder} does not exist", ExitCode.DATA)
    return SqliteJournal(config.journal)


def read_journal(config: Config) -> SqliteJournal:
    """The config's existing journal, opened read-only: for the commands that only read it
    (a read-only file works, and nothing is written — not even the switch to WAL)."""
    return SqliteJournal(config.journal, read_only=True)


def plan_day(
    config: Config, portfolio: Portfolio, as_of: dt.date, journal: Journal | None = None
) -> Plan:
    """The plan of ``as_of``; without ``journal``, the config's journal is read if it exists
    (planning never creates it)."""
    if journal is None and config.journal.exists():
        with read_journal(config) as existing:
            return plan_day(config, portfolio, as_of, existing)
    return plan(
        portfolio.invoices,
        portfolio.clients,
        config.policy,
        as_of,
        journal,
        rates=day_rates(config),
    )


def user_rates_path(config: Config) -> Path:
    """The user rates file ``relance rates import`` writes: next to the config file."""
    folder = config.path.parent if config.path is not None else Path.cwd()
    return folder / law.USER_RATES_FILE


def day_rates(config: Config) -> law.Rates | None:
    """The config's rates, extended with the user rates file when there is one."""
    path = user_rates_path(config)
    if not path.exists():
        return config.rates
    rows = law.read_user_rates(path.read_text(encoding="utf-8"), str(path))
    return law.extend_rates(rows, config.rates)
