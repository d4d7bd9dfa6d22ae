"""What ``relance`` prints: consoles, the plan and journal tables, JSON, the run's summary."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import click
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from relancelib.engine import Action, Plan
from relancelib.formatting import format_amount, format_date
from relancelib.io import Portfolio
from relancelib.journal import Record
from relancelib.outbox import CarryOutResult
from relancelib.outbox.results import one_line
from relancelib.policy import Channel

__all__ = [
    "CHANNEL_NAMES",
    "KEY_WIDTH",
    "NARROW_CLIENT",
    "NARROW_NAME",
    "NO_KEYS",
    "PlanTable",
    "console",
    "credits_json",
    "cut_name",
    "error",
    "plan_json",
    "plan_table",
    "print_columns",
    "print_credits",
    "print_problems",
    "print_summary",
    "record_json",
    "records_table",
    "warn",
]

#: How each channel is named in tables.
CHANNEL_NAMES: Mapping[Channel, str] = MappingProxyType(
    {
        Channel.EMAIL: "e-mail",
        Channel.PHONE: "phone call",
        Channel.SMS: "SMS",
        Channel.LETTER: "letter",
        Channel.REGISTERED_LETTER: "registered letter (LRAR)",
    }
)

#: How the summary counts the files of each suffix.
#: Each kind of file a run writes, in the singular and the plural.
_FILE_KINDS = {
    ".eml": ("e-mail", "e-mails"),
    ".pdf": ("letter", "letters"),
    ".txt": ("call script", "call scripts"),
}


def console(*, stderr: bool = False) -> Console:
    """A console on stdout (or stderr): colours on a terminal, plain and wide elsewhere."""
    found = Console(stderr=stderr, highlight=False)
    if not found.is_terminal:
        # Files and pipes (cron mails, tests): wide enough that tables are not folded.
        found = Console(stderr=stderr, highlight=False, width=160, no_color=True)
    return found


def error(message: str) -> None:
    """``relance: error: <message>`` on one line of stderr."""
    click.echo(f"relance: error: {one_line(message)}", err=True)


def warn(out: Console, message: str) -> None:
    out.print(Text(f"warning: {one_line(message)}", style="yellow"))


def _amounts(amounts: Iterable[tuple[str, Decimal]]) -> str:
    """One amount a line (one line per currency): an amount is never broken."""
    return "\n".join(format_amount(amount, currency) for currency, amount in amounts)


#: The console width from which the plan table shows the action keys (below it, the key
#: column goes: ``relance plan --format json`` or ``csv`` list them).
KEY_WIDTH = 120
#: In a narrower table, a client's name is cut to this many characters (with "…").
NARROW_NAME = 40
#: In a narrower table, the client column keeps at least this many characters.
NARROW_CLIENT = 14
#: The borders and padding of the narrow table's five columns.
_NARROW_FRAME = 16
#: What a narrow table says under it.
NO_KEYS = "Keys not shown at this width: relance plan --format json lists them."


def cut_name(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters, at a word where one ends in the second half."""
    if len(text) <= length:
        return text
    kept = text[: length - 1]
    space = kept.rfind(" ")
    return (kept[:space] if space > length // 2 else kept).rstrip(" ,-") + "…"


class PlanTable:
    """The plan as a table that fits the width it is printed at.

    From :data:`KEY_WIDTH` columns: client, step, channel, invoices, total, claimed and the
    action's key.  Narrower: the key column goes (:data:`NO_KEYS` says so under the table),
    the channel goes under the step, and client names are cut to :data:`NARROW_NAME`
    characters.  Amounts are never broken over lines (one currency a line); an invoice
    number or a step key only when nothing else can give way; names and lists wrap.
    """

    def __init__(self, day_plan: Plan, title: str | None = None) -> None:
        self.day_plan = day_plan
        self.title = title or f"Plan for {format_date(day_plan.as_of, style='full')}"

    def table(self, width: int) -> Table:
        """The table laid out for ``width`` columns."""
        if width >= KEY_WIDTH:
            return self._wide()
        rows = [
            (
                f"{action.client.id} {cut_name(action.client.name, NARROW_NAME)}",
                f"{action.step.key}\n{CHANNEL_NAMES[action.channel]}",
                "\n".join(self._invoices(action)),
                _amounts(action.totals.items()),
                _amounts(action.claimed.items()),
            )
            for action in self.day_plan.actions
        ]
        # The amounts take what they need, the step its longest key (a channel name wraps at
        # its words); the invoices what is left once the client has NARROW_CLIENT columns.
        step, total, claimed, longest = (
            max((len(line) for row in rows for line in row[i].split("\n")), default=0)
            for i in (1, 3, 4, 2)
        )
        step = max(step, len("registered"), len("Step,"))
        total, claimed = max(total, len("Total")), max(claimed, len("Claimed"))
        free = width - _NARROW_FRAME - step - total - claimed
        invoices = max(min(longest, free - NARROW_CLIENT), len("Invoices"))
        table = Table(title=self.title, caption=NO_KEYS)
        table.add_column("Client", overflow="fold")
        table.add_column("Step, channel", overflow="fold", width=step)
        table.add_column("Invoices", overflow="fold", width=invoices)
        table.add_column("Total", justify="right", no_wrap=True, width=total)
        table.add_column("Claimed", justify="right", no_wrap=True, width=claimed)
        for row in rows:
            table.add_row(*row)
        return table

    def _wide(self) -> Table:
        table = Table(title=self.title)
        for name in ("Client", "Step", "Channel", "Invoices"):
            table.add_column(name)
        table.add_column("Total", justify="right", no_wrap=True)
        table.add_column("Claimed", justify="right", no_wrap=True)
        table.add_column("Key", no_wrap=True)
        for action in self.day_plan.actions:
            table.add_row(
                f"{action.client.id} {action.client.name}",
                action.step.key,
                CHANNEL_NAMES[action.channel],
                ", ".join(self._invoices(action)),
                _amounts(action.totals.items()),
                _amounts(action.claimed.items()),
                action.key,
            )
        return table

    @staticmethod
    def _invoices(action: Action) -> list[str]:
        """Each invoice's number, with its own step when it is not the action's."""
        return [
            number if step == action.step.key else f"{number} ({step})"
            for number, step in action.steps
        ]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)


def plan_table(day_plan: Plan, *, title: str | None = None) -> PlanTable:
    """The plan as a table that fits the console it is printed on (:class:`PlanTable`)."""
    return PlanTable(day_plan, title)


def print_problems(out: Console, problems: Iterable[object], heading: str) -> int:
    """Print ``heading`` then each problem (when there is one); return how many."""
    listed = [str(problem) for problem in problems]
    if listed:
        out.print(Text(heading, style="bold yellow"))
        for problem in listed:
            out.print(Text(f"  {problem}", style="yellow"))
    return len(listed)


def print_columns(out: Console, portfolio: Portfolio) -> None:
    """Each file's columns no field uses, once, with a "did you mean" for a near miss."""
    for source, columns in portfolio.ignored_columns.items():
        if not columns:
            continue
        hints = portfolio.suggestions.get(source, {})
        listed = ", ".join(
            f"{column!r} (did you mean {hints[column]!r}?)" if column in hints else repr(column)
            for column in columns
        )
        out.print(Text(f"{source}: columns not read: {listed}", style="yellow"))


def print_credits(out: Console, portfolio: Portfolio) -> None:
    """The unallocated credit of each client (credit notes, payments on account)."""
    if not portfolio.credits:
        return
    names = {client.id: client.name for client in portfolio.clients}
    out.print(Text("Unallocated credit (avoir disponible), per client:", style="bold"))
    for credit in sorted(portfolio.credits, key=lambda c: (c.client_id, c.on)):
        out.print(
            f"  {credit.client_id} {names.get(credit.client_id, '')}: "
            f"{format_amount(credit.amount, credit.currency)} — {credit.reference} "
            f"({format_date(credit.on)})"
        )


def credits_json(portfolio: Portfolio) -> list[dict[str, Any]]:
    """The unallocated credits as ``relance plan --format json`` prints them."""
    return [
        {
            "client_id": credit.client_id,
            "amount": str(credit.amount),
            "currency": credit.currency,
            "date": credit.on.isoformat(),
            "reference": credit.reference,
        }
        for credit in portfolio.credits
    ]


def plan_json(day_plan: Plan, import_problems: Iterable[object]) -> dict[str, Any]:
    """The plan as ``relance plan --format json`` prints it (``docs/cli.md``)."""
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
        "import_problems": [str(problem) for problem in import_problems],
    }


def records_table(records: Sequence[Record], title: str) -> Table:
    """The journal's records as a rich table, oldest first."""
    table = Table(title=title)
    for name in ("Date", "Client", "Step", "Channel", "Invoices", "Reference", "Key"):
        table.add_column(name, no_wrap=name == "Key")
    for record in records:
        table.add_row(
            record.on.isoformat(),
            record.client_id,
            record.step or "",
            CHANNEL_NAMES[record.channel],
            ", ".join(f"{number} ({step})" for number, step in record.steps),
            record.reference or "",
            record.key,
        )
    return table


def record_json(record: Record) -> dict[str, Any]:
    """A record as ``relance history --format json`` prints it."""
    return {
        "date": record.on.isoformat(),
        "client_id": record.client_id,
        "step": record.step,
        "channel": record.channel.value,
        "steps": [{"invoice": number, "step": step} for number, step in record.steps],
        "reference": record.reference,
        "key": record.key,
    }


def print_summary(out: Console, result: CarryOutResult) -> None:
    """What a run wrote and recorded, what is left to record by hand, what failed."""
    written, failed = result.written, result.failed
    kinds: dict[tuple[str, str], int] = {}
    for item in written:
        name = _FILE_KINDS[item.path.suffix]
        kinds[name] = kinds.get(name, 0) + 1
    detail = ", ".join(f"{count} {name[count > 1]}" for name, count in kinds.items())
    if written:
        out.print(f"Wrote {len(written)} file(s) to {result.out}/ ({detail}).")
        for item in written:
            out.print(f"  {item.path}")
    elif failed:
        out.print("No file written.")
    else:
        out.print("Nothing to write: no action is due.")
    if result.dry_run:
        out.print("Dry run: nothing was recorded in the journal.")
    elif written:
        out.print(f"Recorded {len(result.recorded)} action(s) in the journal.")
        for item in result.to_record:
            out.print(
                f"  to record once done: relance record {item.action.key} "
                f"--date {item.action.on.isoformat()} --reference '...'  "
                f"({item.action.client.id}, {item.action.step.key})"
            )
    for miss in failed:
        consequence = "; nothing recorded, it stays due" if miss.stays_due else ""
        warn(
            out,
            f"not written: {miss.action.client.id} {miss.action.step.key} "
            f"({', '.join(n for n, _s in miss.action.steps)}): {miss.reason}{consequence}",
        )
