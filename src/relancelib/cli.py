"""The ``relance`` command: daily dunning runs from cron, on a ``relance.toml`` config.

``relance plan`` shows the day's plan, ``relance run`` writes the day's messages (.eml
e-mails, .pdf letters, .txt call scripts) and records them in the journal, ``relance
record`` records an action done by hand, ``relance history`` shows the journal, ``relance
init`` writes an example config and ``relance demo`` runs on the embedded sample portfolio.
See ``docs/cli.md``.

This is the application layer: it is the only part of relancelib that reads the clock
(``--date`` defaults to today), the environment (``RELANCE_CONFIG``) and the terminal.

Exit codes (:class:`ExitCode`): 0 ok; 1 problems found, with ``--strict``; 2 usage or
configuration error; 3 data error (a source file or the journal cannot be read); 4 some
actions could not be rendered or written (nothing was recorded for them; the others were
done); 5 internal error (a bug: run again with ``--debug`` for the traceback).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import attrs
import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from relancelib import __version__
from relancelib.config import EXAMPLE_CONFIG, Config, example_config, load_config
from relancelib.engine import Action, Plan, PolicyLike, plan
from relancelib.errors import (
    ConfigError,
    DataImportError,
    JournalError,
    RelanceError,
)
from relancelib.formatting import format_amount, format_date
from relancelib.journal import Journal, Record, SqliteJournal
from relancelib.model import Client, Creditor, Invoice
from relancelib.policy import Channel, ReminderPolicy

__all__ = ["ExitCode", "cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])

#: The config file used when neither ``--config`` nor ``RELANCE_CONFIG`` names one.
DEFAULT_CONFIG = "relance.toml"
#: The folder ``relance demo`` writes to by default.
DEFAULT_DEMO_DIR = "relance-demo"
#: The journal file of the demo, inside its folder (recreated on every demo).
DEMO_JOURNAL = "relance-demo-journal.sqlite"
#: The CSV files ``relance init --sample`` writes (the names the example config reads).
SAMPLE_FILES = ("clients.csv", "factures.csv", "reglements.csv")
#: From this many actions on, ``run`` shows a progress bar (on a terminal only).
PROGRESS_FROM = 10


class ExitCode(enum.IntEnum):
    """The exit status of ``relance`` (documented in ``docs/cli.md``)."""

    OK = 0
    PROBLEMS = 1
    USAGE = 2
    DATA = 3
    RENDER = 4
    INTERNAL = 5


class _Failure(Exception):
    """A clean stop: one line on stderr and an exit code."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# ---------------------------------------------------------------------------------------------
# Consoles and errors.


def _console(*, stderr: bool = False) -> Console:
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        # Files and pipes (cron mails, tests): wide enough that tables are not folded.
        console = Console(stderr=stderr, highlight=False, width=160, no_color=True)
    return console


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", "; ", text.strip())


def _fail(message: str, code: ExitCode) -> NoReturn:
    raise _Failure(message, code)


_ERROR_CODES: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (ConfigError, ExitCode.USAGE),
    (DataImportError, ExitCode.DATA),
    (JournalError, ExitCode.DATA),
    (RelanceError, ExitCode.DATA),
    (OSError, ExitCode.DATA),
)


class _Group(click.Group):
    """Turns every error into one line on stderr and a documented exit code (``--debug``:
    the traceback instead)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except _Failure as failure:
            if ctx.meta.get("relance.debug"):
                raise
            _error(failure.message)
            ctx.exit(failure.code)
        except KeyboardInterrupt:
            _error("interrupted")
            ctx.exit(130)
        except Exception as exc:
            if ctx.meta.get("relance.debug"):
                raise
            for kind, code in _ERROR_CODES:
                if isinstance(exc, kind):
                    _error(_describe(exc))
                    ctx.exit(code)
            _error(
                f"internal error: {type(exc).__name__}: {_one_line(str(exc))} "
                "(run again with --debug for the traceback, and report it)"
            )
            ctx.exit(ExitCode.INTERNAL)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    return _one_line(str(exc))


def _error(message: str) -> None:
    click.echo(f"relance: error: {_one_line(message)}", err=True)


def _warn(console: Console, message: str) -> None:
    console.print(Text(f"warning: {_one_line(message)}", style="yellow"))


# ---------------------------------------------------------------------------------------------
# Options.


class DateType(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """A day as ``2026-03-16`` (ISO) or ``16/03/2026`` (French)."""

    name = "date"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        found = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        try:
            if found:
                day, month, year = (int(part) for part in found.groups())
                return dt.date(year, month, day)
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return dt.date.fromisoformat(text)
        except ValueError as exc:
            self.fail(f"{text!r} is not a valid date ({exc})", param, ctx)
        return self.fail(f"{text!r} is not a date: use YYYY-MM-DD or DD/MM/YYYY", param, ctx)


DATE = DateType()


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta["relance.debug"] = True
    return value


def _debug_option(function: F) -> F:
    return click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_debug,
        help="Show the full traceback of an error.",
    )(function)


def _config_option(function: F) -> F:
    return click.option(
        "--config",
        "-c",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"The config file (default: $RELANCE_CONFIG, else ./{DEFAULT_CONFIG}).",
    )(function)


def _date_option(function: F) -> F:
    return click.option(
        "--date",
        "-d",
        "day",
        type=DATE,
        default=None,
        help="The day to plan, YYYY-MM-DD or DD/MM/YYYY (default: today).",
    )(function)


def _strict_option(function: F) -> F:
    return click.option(
        "--strict",
        is_flag=True,
        help="Exit with status 1 when rows could not be imported or invoices were left out.",
    )(function)


def _today(day: dt.date | None) -> dt.date:
    # The application layer is where "today" is decided; the library never reads the clock.
    return day if day is not None else dt.date.today()


# ---------------------------------------------------------------------------------------------
# Loading the config, the data and the journal.


@attrs.frozen
class Portfolio:
    """What the config's sources hold: clients, invoices, and the rows that could not be read."""

    clients: tuple[Client, ...]
    invoices: tuple[Invoice, ...]
    problems: tuple[str, ...] = ()


def _config(path: Path | None) -> Config:
    if path is None:
        path = Path(os.environ.get("RELANCE_CONFIG") or DEFAULT_CONFIG)
    return load_config(path)


def _portfolio(config: Config) -> Portfolio:
    """Read the invoices the config's ``[sources]`` name (CSV files, Factur-X folder)."""
    from relancelib import io

    sources = config.sources
    if sources.is_empty:
        where = config.path or DEFAULT_CONFIG
        _fail(
            f"{where}: sources: names no invoices; set sources.invoices (CSV) or "
            "sources.facturx (a folder of Factur-X invoices)",
            ExitCode.USAGE,
        )
    clients: dict[str, Client] = {}
    invoices: list[Invoice] = []
    problems: list[str] = []
    if sources.invoices is not None and sources.clients is not None:
        for path in (sources.clients, sources.invoices, sources.payments):
            if path is not None and not path.is_file():
                _fail(
                    f"{path}: no such file (named in {config.path or 'the config'})", ExitCode.DATA
                )
        read = io.read_portfolio(
            clients=sources.clients,
            invoices=sources.invoices,
            payments=sources.payments,
            encoding=sources.encoding,
        )
        clients.update((client.id, client) for client in read.clients)
        invoices.extend(read.invoices)
        problems.extend(str(problem) for problem in read.problems)
    elif sources.clients is not None:
        # Clients alone complete the buyers of Factur-X invoices (an e-mail, a segment...).
        if not sources.clients.is_file():
            _fail(f"{sources.clients}: no such file (sources.clients)", ExitCode.DATA)
        known = io.read_clients_csv(sources.clients, encoding=sources.encoding)
        clients.update((client.id, client) for client in known.items)
        problems.extend(str(problem) for problem in known.problems)
    if sources.facturx is not None:
        if not sources.facturx.is_dir():
            _fail(f"{sources.facturx}: no such folder (sources.facturx)", ExitCode.DATA)
        files = sorted(
            path
            for path in sources.facturx.iterdir()
            if path.is_file() and path.suffix.lower() in (".pdf", ".xml")
        )
        result = io.read_facturx_files(files)
        problems.extend(str(problem) for problem in result.problems)
        for found in result.items:
            if config.creditor.siren and found.seller_siren not in (None, config.creditor.siren):
                problems.append(
                    f"{found.source}: issued by SIREN {found.seller_siren}, not by "
                    f"{config.creditor.name} ({config.creditor.siren}); the invoice is left out"
                )
                continue
            problems.extend(f"{found.source}: {warning}" for warning in found.warnings)
            clients.setdefault(found.buyer.id, found.buyer)  # the clients file comes first
            invoices.append(found.invoice)
    return Portfolio(tuple(clients.values()), tuple(invoices), tuple(problems))


def _plan_day(
    config: Config, portfolio: Portfolio, as_of: dt.date, journal: Journal | None = None
) -> Plan:
    """The plan of ``as_of``; without ``journal``, the config's journal is read if it exists
    (planning never creates it)."""
    if journal is None and config.journal.exists():
        with _journal(config) as existing:
            return _plan_day(config, portfolio, as_of, existing)
    return plan(
        portfolio.invoices, portfolio.clients, config.policy, as_of, journal, rates=config.rates
    )


def _journal(config: Config) -> SqliteJournal:
    folder = config.journal.parent
    if not folder.is_dir():
        _fail(f"{config.journal}: the journal's folder {folder} does not exist", ExitCode.DATA)
    return SqliteJournal(config.journal)


# ---------------------------------------------------------------------------------------------
# Showing plans and records.

_CHANNEL_NAMES = {
    Channel.EMAIL: "e-mail",
    Channel.PHONE: "phone call",
    Channel.SMS: "SMS",
    Channel.LETTER: "letter",
    Channel.REGISTERED_LETTER: "registered letter (LRAR)",
}


def _amounts(amounts: Iterable[tuple[str, Decimal]]) -> str:
    return " + ".join(format_amount(amount, currency) for currency, amount in amounts)


def plan_table(day_plan: Plan, *, title: str | None = None) -> Table:
    """The plan as a rich table: client, step, channel, invoices, total, key."""
    table = Table(title=title or f"Plan for {format_date(day_plan.as_of, style='full')}")
    table.add_column("Client")
    table.add_column("Step")
    table.add_column("Channel")
    table.add_column("Invoices")
    table.add_column("Total", justify="right")
    table.add_column("Claimed", justify="right")
    table.add_column("Key", no_wrap=True)
    for action in day_plan.actions:
        invoices = ", ".join(
            number if step == action.step.key else f"{number} ({step})"
            for number, step in action.steps
        )
        table.add_row(
            f"{action.client.id} {action.client.name}",
            action.step.key,
            _CHANNEL_NAMES[action.channel],
            invoices,
            _amounts(action.totals.items()),
            _amounts(action.claimed.items()),
            action.key,
        )
    return table


def _print_problems(console: Console, problems: Iterable[str], heading: str) -> int:
    listed = list(problems)
    if listed:
        console.print(Text(heading, style="bold yellow"))
        for problem in listed:
            console.print(Text(f"  {problem}", style="yellow"))
    return len(listed)


def _plan_json(day_plan: Plan, import_problems: Sequence[str]) -> dict[str, Any]:
    return {
        "date": day_plan.as_of.isoformat(),
        "actions": [
            {
                "key": action.key,
                "client_id": action.client.id,
                "client_name": action.client.name,
                "step": action.step.key,
                "channel": action.channel.value,
                "totals": {cur: str(amount) for cur, amount in action.totals.items()},
                "claimed": {cur: str(amount) for cur, amount in action.claimed.items()},
                "items": [
                    {
                        "invoice": item.invoice.number,
                        "step": item.step.key,
                        "balance": str(item.balance),
                        "currency": item.currency,
                        "days_overdue": item.days_overdue,
                        "penalties": None if item.penalties is None else str(item.penalties.amount),
                        "indemnity": str(item.indemnity),
                    }
                    for item in action.items
                ],
            }
            for action in day_plan.actions
        ],
        "problems": [
            {"invoice": p.invoice_number, "severity": p.severity.value, "message": p.message}
            for p in day_plan.problems
        ],
        "import_problems": list(import_problems),
    }


def _records_table(records: Sequence[Record], title: str) -> Table:
    table = Table(title=title)
    for name in ("Date", "Client", "Step", "Channel", "Invoices", "Reference", "Key"):
        table.add_column(name, no_wrap=name == "Key")
    for record in records:
        table.add_row(
            record.on.isoformat(),
            record.client_id,
            record.step or "",
            _CHANNEL_NAMES[record.channel],
            ", ".join(f"{number} ({step})" for number, step in record.steps),
            record.reference or "",
            record.key,
        )
    return table


# ---------------------------------------------------------------------------------------------
# Writing the day's messages.


@attrs.frozen
class Written:
    """An action whose message was written: where, and whether this run recorded it."""

    action: Action
    path: Path
    reference: str
    recorded: bool


@attrs.frozen
class NotWritten:
    """An action that could not be rendered or written: nothing was recorded for it."""

    action: Action
    reason: str
    #: False when another run recorded the action meanwhile: it is done, not due.
    stays_due: bool = True


_SUFFIXES = {
    Channel.EMAIL: ".eml",
    Channel.PHONE: ".txt",
    Channel.SMS: ".txt",
    Channel.LETTER: ".pdf",
    Channel.REGISTERED_LETTER: ".pdf",
}


def _file_name(action: Action) -> str:
    client = re.sub(r"[^A-Za-z0-9_\-]+", "_", action.client.id).strip("_") or "client"
    return f"{action.on.isoformat()}_{client}_{action.step.key}{_SUFFIXES[action.channel]}"


def _payload(
    action: Action, creditor: Creditor, config: Config | None, calendar: str
) -> tuple[bytes, str | None]:
    """Render ``action``: the file's bytes and the Message-ID of an e-mail."""
    from relancelib.rendering import render

    message = render(
        action,
        creditor,
        templates=None if config is None else config.templates,
        calendar=calendar,
    )
    channel = action.channel
    if channel is Channel.EMAIL:
        return message.to_email().as_bytes(), message.message_id
    if channel.is_postal:
        return message.to_pdf(), None
    return message.text.encode("utf-8"), None


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it: a reader (or a
    crash) never sees half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def carry_out(
    actions: Sequence[Action],
    creditor: Creditor,
    out: Path,
    journal: Journal | None,
    *,
    policy: PolicyLike,
    config: Config | None = None,
    progress: Console | None = None,
    manual: Iterable[Channel] = (),
) -> tuple[list[Written], list[NotWritten]]:
    """Render each action, write its file into ``out``, then record it in ``journal``.

    In that order: an action that fails to render or to be written records nothing and
    stays due.  ``journal=None`` is a dry run; actions of the ``manual`` channels are
    written but not recorded (a person records them once done).  When the journal says
    another run recorded the action meanwhile, the file just written is removed.
    """
    by_hand = frozenset(manual)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Written] = []
    failed: list[NotWritten] = []
    resolve = policy if not isinstance(policy, ReminderPolicy) else (lambda _c: policy)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=progress,
        transient=True,
        disable=progress is None or not progress.is_terminal or len(actions) < PROGRESS_FROM,
    )
    with bar:
        task = bar.add_task("Writing messages", total=len(actions))
        for action in actions:
            try:
                calendar = resolve(action.client).holidays
                data, message_id = _payload(action, creditor, config, calendar)
                path = out / _file_name(action)
                _write_atomically(path, data)
            except (RelanceError, OSError) as exc:
                failed.append(NotWritten(action, _describe(exc)))
                bar.advance(task)
                continue
            reference = message_id or path.name
            recorded = False
            if journal is not None and action.channel not in by_hand:
                try:
                    recorded = journal.record(action, on=action.on, reference=reference)
                except BaseException:
                    # Not recorded, so not written either: the next run writes it again.
                    path.unlink(missing_ok=True)
                    raise
                if not recorded:
                    path.unlink(missing_ok=True)
                    failed.append(
                        NotWritten(
                            action,
                            "already recorded by another run (file removed)",
                            stays_due=False,
                        )
                    )
                    bar.advance(task)
                    continue
            written.append(Written(action, path, reference, recorded))
            bar.advance(task)
    return written, failed


def _summary(
    console: Console,
    written: Sequence[Written],
    failed: Sequence[NotWritten],
    out: Path,
    *,
    dry_run: bool,
) -> None:
    kinds: dict[str, int] = {}
    for item in written:
        name = {".eml": "e-mails", ".pdf": "letters", ".txt": "call scripts"}[item.path.suffix]
        kinds[name] = kinds.get(name, 0) + 1
    detail = ", ".join(f"{count} {name}" for name, count in kinds.items())
    if written:
        console.print(f"Wrote {len(written)} file(s) to {out}/ ({detail}).")
        for item in written:
            console.print(f"  {item.path}")
    elif failed:
        console.print("No file written.")
    else:
        console.print("Nothing to write: no action is due.")
    if dry_run:
        console.print("Dry run: nothing was recorded in the journal.")
    elif written:
        console.print(f"Recorded {sum(1 for w in written if w.recorded)} action(s) in the journal.")
        for item in written:
            if not item.recorded:
                console.print(
                    f"  to record once done: relance record {item.action.key} "
                    f"--date {item.action.on.isoformat()} --reference '...'  "
                    f"({item.action.client.id}, {item.action.step.key})"
                )
    for miss in failed:
        consequence = "; nothing recorded, it stays due" if miss.stays_due else ""
        _warn(
            console,
            f"not written: {miss.action.client.id} {miss.action.step.key} "
            f"({', '.join(n for n, _s in miss.action.steps)}): {miss.reason}{consequence}",
        )


# ---------------------------------------------------------------------------------------------
# Commands.


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="relance")
@_debug_option
def cli() -> None:
    """relance — French invoice dunning: whom to remind, about which invoices, today.

    Exit codes: 0 ok, 1 problems found (with --strict), 2 usage or configuration error,
    3 data error, 4 some actions could not be rendered, 5 internal error.
    """


@cli.command("plan")
@_date_option
@_config_option
@click.option(
    "--format",
    "-f",
    "output",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table for people, json or csv for programs.",
)
@_strict_option
@_debug_option
def plan_command(day: dt.date | None, config_path: Path | None, output: str, strict: bool) -> None:
    """Show the day's plan: who to remind, about which invoices, through which channel."""
    config = _config(config_path)
    portfolio = _portfolio(config)
    as_of = _today(day)
    day_plan = _plan_day(config, portfolio, as_of)
    if output == "json":
        click.echo(
            json.dumps(_plan_json(day_plan, portfolio.problems), ensure_ascii=False, indent=2)
        )
    elif output == "csv":
        from relancelib.io import plan_to_csv

        plan_to_csv(day_plan, sys.stdout)
    else:
        out = _console()
        if day_plan.actions:
            out.print(plan_table(day_plan))
        else:
            out.print(f"Nothing is due on {format_date(as_of, style='full')}.")
    err = _console(stderr=True)
    if output == "table":
        _print_problems(err, (str(p) for p in day_plan.problems), "Problems in the plan:")
    _print_problems(err, portfolio.problems, "Rows that could not be imported:")
    _strict_exit(strict, day_plan, portfolio)


def _strict_exit(strict: bool, day_plan: Plan, portfolio: Portfolio) -> None:
    if strict and (portfolio.problems or day_plan.errors):
        raise click.exceptions.Exit(ExitCode.PROBLEMS)


@cli.command("run")
@_date_option
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
@_config_option
@_strict_option
@_debug_option
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
    config = _config(config_path)
    portfolio = _portfolio(config)
    as_of = _today(day)
    out_console = _console()
    err = _console(stderr=True)
    if dry_run:
        # Reads the journal if there is one, never creates nor writes it.
        day_plan = _plan_day(config, portfolio, as_of)
        written, failed = carry_out(
            day_plan.actions, config.creditor, out, None, policy=config.policy, config=config,
            progress=err,
        )  # fmt: skip
    else:
        with _journal(config) as journal:
            day_plan = _plan_day(config, portfolio, as_of, journal)
            written, failed = carry_out(
                day_plan.actions, config.creditor, out, journal, policy=config.policy,
                config=config, progress=err, manual=[Channel(value) for value in manual],
            )  # fmt: skip
    _summary(out_console, written, failed, out, dry_run=dry_run)
    _print_problems(err, (str(p) for p in day_plan.problems), "Problems in the plan:")
    _print_problems(err, portfolio.problems, "Rows that could not be imported:")
    if any(miss.stays_due for miss in failed):
        raise click.exceptions.Exit(ExitCode.RENDER)
    _strict_exit(strict, day_plan, portfolio)


@cli.command("record")
@click.argument("key")
@click.option(
    "--reference",
    "-r",
    required=True,
    help="What proves it was done: an LRAR number, a note on the call.",
)
@_date_option
@_config_option
@_debug_option
def record_command(key: str, reference: str, day: dt.date | None, config_path: Path | None) -> None:
    """Record an action done by hand (a call made, a letter posted), by its KEY.

    KEY is the action's key in the plan of that day (``relance plan`` shows it).
    """
    config = _config(config_path)
    portfolio = _portfolio(config)
    as_of = _today(day)
    with _journal(config) as journal:
        day_plan = _plan_day(config, portfolio, as_of, journal)
        action = next((a for a in day_plan.actions if a.key == key), None)
        if action is None:
            done = next((r for r in journal.records() if r.key == key), None)
            if done is not None:
                click.echo(
                    f"Already recorded on {done.on.isoformat()}"
                    + (f" (reference {done.reference})." if done.reference else ".")
                )
                return
            _fail(
                f"no action with key {key!r} is due on {as_of.isoformat()}; "
                f"'relance plan --date {as_of.isoformat()}' lists the keys",
                ExitCode.USAGE,
            )
        stored = journal.record(action, on=as_of, reference=reference)
    if stored:
        click.echo(
            f"Recorded {action.step.key} for {action.client.id} {action.client.name} on "
            f"{as_of.isoformat()} (reference {reference})."
        )
    else:
        click.echo("Already recorded (by another run).")


@cli.command("history")
@click.argument("client", required=False)
@_config_option
@click.option(
    "--format",
    "-f",
    "output",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@_debug_option
def history_command(client: str | None, config_path: Path | None, output: str) -> None:
    """Show the journal: every action recorded (of one CLIENT id when given), oldest first."""
    config = _config(config_path)
    if not config.journal.exists():
        _fail(f"{config.journal}: no journal yet (it is created by 'relance run')", ExitCode.DATA)
    with _journal(config) as journal:
        records = journal.records(client)
    if output == "json":
        click.echo(json.dumps([_record_json(r) for r in records], ensure_ascii=False, indent=2))
    elif output == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(["date", "client_id", "step", "channel", "invoices", "reference", "key"])
        for record in records:
            writer.writerow(
                [
                    record.on.isoformat(),
                    _safe_cell(record.client_id),
                    record.step or "",
                    record.channel.value,
                    _safe_cell(" ".join(f"{n}:{s}" for n, s in record.steps)),
                    _safe_cell(record.reference or ""),
                    record.key,
                ]
            )
    elif records:
        title = f"Journal {config.journal}" + (f" — client {client}" if client else "")
        _console().print(_records_table(records, title))
    else:
        click.echo("No action recorded" + (f" for client {client!r}." if client else "."))


def _safe_cell(text: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _record_json(record: Record) -> dict[str, Any]:
    return {
        "date": record.on.isoformat(),
        "client_id": record.client_id,
        "step": record.step,
        "channel": record.channel.value,
        "steps": [{"invoice": number, "step": step} for number, step in record.steps],
        "reference": record.reference,
        "key": record.key,
    }


@cli.command("init")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--sample",
    is_flag=True,
    help="Also write the sample portfolio as CSV files (clients.csv, factures.csv, "
    "reglements.csv) and use its creditor: a config that runs as is.",
)
@_debug_option
def init_command(path: Path | None, force: bool, sample: bool) -> None:
    """Write a commented example config to PATH (default ./relance.toml)."""
    target = path or Path(DEFAULT_CONFIG)
    folder = target.parent
    if not folder.is_dir():
        _fail(f"{folder}: no such folder", ExitCode.USAGE)
    data_files = [folder / name for name in SAMPLE_FILES] if sample else []
    for file in (target, *data_files):
        if file.exists() and not force:
            _fail(f"{file}: already exists (use --force to overwrite it)", ExitCode.USAGE)
    if not sample:
        target.write_text(EXAMPLE_CONFIG, encoding="utf-8")
        click.echo(
            f"Wrote {target}. Edit [creditor] and [sources], then run: relance plan -c {target}"
        )
        return
    from relancelib import io
    from relancelib.sample import load_sample, sample_policy

    portfolio = load_sample()
    clients_file, invoices_file, payments_file = data_files
    io.write_clients_csv(portfolio.clients, clients_file)
    io.write_invoices_csv(portfolio.invoices, invoices_file)
    io.write_payments_csv(portfolio.invoices, payments_file)
    text = example_config(creditor=portfolio.creditor, segments=sample_policy().segments)
    target.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {target} and the sample portfolio: {', '.join(map(str, data_files))}.")
    click.echo(f"Try: relance plan -c {target} --date {portfolio.as_of.isoformat()}")


@cli.command("demo")
@_date_option
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(DEFAULT_DEMO_DIR),
    show_default=True,
    help="The folder the demo writes its journal and messages to.",
)
@_debug_option
def demo_command(day: dt.date | None, out: Path) -> None:
    """Run on the embedded sample portfolio: replay its history, show the day's plan and
    write the day's messages (the day is the sample's, 16 March 2026, unless --date)."""
    from relancelib.sample import load_sample

    sample = load_sample()
    as_of = day or sample.as_of
    console = _console()
    err = _console(stderr=True)
    out.mkdir(parents=True, exist_ok=True)
    journal_path = out / DEMO_JOURNAL
    for suffix in ("", "-wal", "-shm"):
        Path(f"{journal_path}{suffix}").unlink(missing_ok=True)
    console.print(
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
            console.print(
                f"Replayed the reminders of {format_date(first)} to {format_date(last)}: "
                f"{len(history)} actions recorded in {journal_path}."
            )
        day_plan = plan(sample.invoices, sample.clients, sample.policy, as_of, journal)
        if day_plan.actions:
            console.print(plan_table(day_plan))
        else:
            console.print(f"Nothing is due on {format_date(as_of, style='full')}.")
        _print_problems(console, (str(p) for p in day_plan.problems), "Problems in the plan:")
        written, failed = carry_out(
            day_plan.actions,
            sample.creditor,
            out,
            journal,
            policy=sample.policy,
            progress=err,
        )
    _summary(console, written, failed, out, dry_run=False)
    if written:
        console.print(
            "Open the .eml files with a mail client and the .pdf letters with a PDF reader."
        )


def main(argv: Sequence[str] | None = None) -> None:
    """The console script's entry point (``relance``)."""
    # Cron may run with an ASCII locale: a "€" must not turn a run into a crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    cli.main(args=list(argv) if argv is not None else None, prog_name="relance")


if __name__ == "__main__":  # pragma: no cover
    main()
