"""What the event commands share (``relance promise``, ``instalments``, ``dispute``,
``resolve``, ``hold``, ``release``, ``outcome``, ``cancel``): their options, finding the
invoice or client they name in the configured portfolio, storing the event in the journal
and saying what was recorded in French-accounting words (or as JSON)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import click

from relancelib.cli.exits import ExitCode, fail
from relancelib.cli.loading import open_journal, read_config, read_journal
from relancelib.cli.options import DATE, config_option, debug_option, today
from relancelib.config import Config, load_portfolio
from relancelib.errors import InvalidFieldError
from relancelib.events import (
    CallOutcome,
    CallResult,
    Cancellation,
    Dispute,
    DisputeResolved,
    Event,
    Hold,
    HoldReleased,
    InstalmentPlan,
    PromiseToPay,
)
from relancelib.formatting import format_amount, format_date
from relancelib.io import Portfolio
from relancelib.journal import Record
from relancelib.model import Client, Invoice
from relancelib.outbox.results import describe_error

__all__ = [
    "NAMES",
    "Built",
    "Target",
    "describe",
    "event_options",
    "find_invoice",
    "find_record",
    "find_target",
    "journal_events",
    "journal_records",
    "make",
    "record_label",
    "store",
]

F = TypeVar("F", bound=Callable[..., Any])
E = TypeVar("E", bound=Event)

#: What each event is called, and whether the word is feminine (for "enregistré(e)").
NAMES: dict[str, tuple[str, bool]] = {
    PromiseToPay.kind: ("promesse de paiement", True),
    InstalmentPlan.kind: ("échéancier", False),
    Dispute.kind: ("litige", False),
    DisputeResolved.kind: ("fin de litige", True),
    Hold.kind: ("mise en attente", True),
    HoldReleased.kind: ("levée de la mise en attente", True),
    CallOutcome.kind: ("résultat d'appel", False),
    Cancellation.kind: ("annulation", True),
}

#: What each call result says.
RESULTS: dict[CallResult, str] = {
    CallResult.REACHED: "client joint",
    CallResult.MESSAGE: "message laissé",
    CallResult.WRONG_NUMBER: "faux numéro",
    CallResult.PROMISED: "paiement promis",
    CallResult.DISPUTED: "facture contestée",
}


def event_options(function: F) -> F:
    """``--date``, ``--who``, ``--note``, ``--format``, ``--config`` and ``--debug``."""
    for option in reversed(
        (
            click.option(
                "--date",
                "-d",
                "day",
                type=DATE,
                default=None,
                help="The day it happened, YYYY-MM-DD or DD/MM/YYYY (default: today).",
            ),
            click.option("--who", default="", help="Who records it (kept in the journal)."),
            click.option("--note", default="", help="A free note (kept in the journal)."),
            click.option(
                "--format",
                "-f",
                "output",
                type=click.Choice(["text", "json"]),
                default="text",
                show_default=True,
                help="text for people, json for programs.",
            ),
            config_option,
            debug_option,
        )
    ):
        function = option(function)
    return function


class Built(NamedTuple):
    """What a command built: the event, its target's label, its client, its currency, and
    what to do next (a hint printed after the text)."""

    event: Event
    label: str
    client_id: str | None
    currency: str = "EUR"
    then: str = ""


class Target:
    """What a command names: an invoice (with its client) or a client alone."""

    def __init__(self, client: Client | None, invoice: Invoice | None, client_id: str) -> None:
        self.client = client
        self.invoice = invoice
        self.client_id = client_id

    def label(self, as_of: dt.date) -> str:
        """``facture FA-1 (C001 Name, solde 1 200,00 €)`` or ``client C001 Name``."""
        name = f"{self.client_id} {self.client.name}" if self.client else self.client_id
        if self.invoice is None:
            return f"client {name}"
        balance = format_amount(self.invoice.balance(as_of), self.invoice.currency)
        return f"facture {self.invoice.number} ({name}, solde {balance})"

    @property
    def currency(self) -> str:
        """The invoice's currency (euros for a client)."""
        return "EUR" if self.invoice is None else self.invoice.currency

    def built(self, event: Event, as_of: dt.date) -> Built:
        """``event`` about this target, as :func:`store` takes it."""
        return Built(event, self.label(as_of), self.client_id, self.currency)

    def fields(self) -> dict[str, str]:
        """The event fields that name this target (``invoice_number=`` or ``client_id=``)."""
        if self.invoice is None:
            return {"client_id": self.client_id}
        return {"invoice_number": self.invoice.number}


def find_invoice(config: Config, number: str) -> tuple[Target, Invoice]:
    """The invoice ``number`` of the configured portfolio (a usage error when absent), and
    its target."""
    portfolio = load_portfolio(config)
    invoice = next((i for i in portfolio.invoices if i.number == number), None)
    if invoice is None:
        fail(f"no invoice {number!r} in the portfolio the config reads", ExitCode.USAGE)
    return _target(portfolio, invoice), invoice


def find_target(config: Config, word: str) -> Target:
    """The invoice or the client ``word`` names in the configured portfolio."""
    portfolio = load_portfolio(config)
    invoice = next((i for i in portfolio.invoices if i.number == word), None)
    client = next((c for c in portfolio.clients if c.id == word), None)
    if invoice is not None and client is not None:
        fail(f"{word!r} is both an invoice number and a client id", ExitCode.USAGE)
    if invoice is not None:
        return _target(portfolio, invoice)
    if client is None:
        fail(f"no invoice nor client {word!r} in the portfolio the config reads", ExitCode.USAGE)
    return Target(client, None, client.id)


def _target(portfolio: Portfolio, invoice: Invoice) -> Target:
    client = next((c for c in portfolio.clients if c.id == invoice.client_id), None)
    return Target(client, invoice, invoice.client_id)


def find_record(config: Config, key: str) -> Record:
    """The recorded action ``key`` (a usage error when none)."""
    found = None
    if config.journal.exists():
        with read_journal(config) as journal:
            found = next((r for r in journal.records() if r.key == key), None)
    if found is None:
        fail(f"no recorded action with key {key!r} ('relance history' lists them)", ExitCode.USAGE)
    return found


def describe(event: Event, label: str, currency: str = "EUR") -> str:
    """What ``event`` says, after the target's ``label``."""

    def money(amount: Decimal) -> str:
        return format_amount(amount, currency)

    if isinstance(event, PromiseToPay):
        amount = "" if event.amount is None else f" pour {money(event.amount)}"
        return f"{label} — règlement promis au {format_date(event.until)}{amount}"
    if isinstance(event, InstalmentPlan):
        count = len(event.instalments)
        lines = [f"{label} — {count} échéances, total {money(event.total)} :"]
        lines += [
            f"  {i}. {format_date(part.due)} : {money(part.amount)}"
            for i, part in enumerate(event.instalments, 1)
        ]
        return "\n".join(lines)
    if isinstance(event, Dispute):
        return f"{label} — « {event.reason} » ; plus de relance jusqu'à la fin du litige"
    if isinstance(event, DisputeResolved):
        return f"{label} — les relances reprennent où elles s'étaient arrêtées"
    if isinstance(event, Hold):
        return f"{label} — aucune relance jusqu'au {format_date(event.until)} inclus"
    if isinstance(event, HoldReleased):
        return f"{label} — les relances reprennent"
    if isinstance(event, CallOutcome):
        return f"{label} — {RESULTS[event.result]}"
    if isinstance(event, Cancellation):
        return (
            f"{label} — « {event.why} » ; ses étapes redeviennent dues (le prochain plan les "
            "reprend sous une nouvelle clé)"
        )
    return label  # pragma: no cover - every kind is above


def record_label(record: Record) -> str:
    """``action rl-… (C001, relance_1 du 16 mars 2026, factures FA-1, FA-2)``."""
    numbers = ", ".join(record.invoice_numbers)
    noun = "facture" if len(record.invoice_numbers) == 1 else "factures"
    return (
        f"action {record.key} ({record.client_id}, {record.step} du "
        f"{format_date(record.on)}, {noun} {numbers})"
    )


def journal_events(config: Config, **filters: str) -> tuple[Event, ...]:
    """The events of the config's journal (none when it does not exist yet)."""
    if not config.journal.exists():
        return ()
    with read_journal(config) as journal:
        return journal.events(**filters)


def journal_records(config: Config, client_id: str) -> tuple[Record, ...]:
    """The records of ``client_id`` in the config's journal (none when it does not exist)."""
    if not config.journal.exists():
        return ()
    with read_journal(config) as journal:
        return journal.records(client_id)


def make(kind: type[E], **fields: Any) -> E:
    """The event ``kind(**fields)``; a field the user gave wrong is a usage error."""
    try:
        return kind(**fields)
    except InvalidFieldError as exc:
        fail(describe_error(exc), ExitCode.USAGE)


def store(
    config_path: Path | None,
    build: Callable[[Config, dt.date], Built],
    *,
    day: dt.date | None,
    output: str,
) -> None:
    """Build the event (``build(config, day)``), store it in the config's journal, and say
    what was recorded (and, in text, what to do next)."""
    config = read_config(config_path)
    as_of = today(day)
    event, label, client_id, currency, then = build(config, as_of)
    with open_journal(config) as journal:
        stored = journal.add_event(event, client_id=client_id)
    if output == "json":
        data = {
            "recorded": stored,
            "key": event.key,
            "client_id": client_id,
            "event": event.to_dict(),
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    name, feminine = NAMES[event.kind]
    done = "enregistrée" if feminine else "enregistré"
    text = describe(event, label, currency)
    end = "" if "\n" in text else "."  # a list ends without a full stop
    if stored:
        click.echo(f"{name[0].upper()}{name[1:]} {done} le {format_date(event.on)} : {text}{end}")
    else:
        click.echo(f"Déjà {done} : {name} du {format_date(event.on)}, {text}{end}")
    if then:
        click.echo(then)
