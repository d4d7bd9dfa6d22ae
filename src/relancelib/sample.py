"""An embedded sample portfolio, for the demo, the tutorial notebook and your own tries.

:func:`load_sample` reads ``data/sample_portfolio.toml``: a Lyon print shop (the creditor)
and thirty fictitious clients in Paris, Lyon, Strasbourg and Marseille — businesses with
valid SIRENs, a few consumers, a "vip" segment, one client without an e-mail address —
with some sixty invoices: paid, partly paid, overdue at every stage, one disputed, one on
hold, one overpaid, one with payment terms over the legal cap and one with no proof of
sending.  Its ``as_of`` is a fixed day (Monday 16 March 2026), never the clock, so the
sample gives the same plan on every machine.

:func:`simulate` replays the days before ``as_of``: it plans each day and records every
action as if it had been sent, so that a journal holds a realistic history and the plan of
``as_of`` shows actions at different steps.

>>> from relancelib.sample import load_sample
>>> sample = load_sample()
>>> sample.as_of
datetime.date(2026, 3, 16)
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from importlib import resources
from typing import Any

import attrs

from relancelib import law
from relancelib.checks import check_sequence
from relancelib.engine import Action, PolicyLike, plan
from relancelib.errors import InvalidFieldError
from relancelib.journal import Journal
from relancelib.model import Client, Creditor, Invoice
from relancelib.policy import Channel, ReminderPolicy, SegmentPolicies, Step

__all__ = ["SAMPLE_FILE", "Sample", "load_sample", "sample_policy", "simulate", "vip_policy"]

#: The data file of the sample, inside the package.
SAMPLE_FILE = "sample_portfolio.toml"


def vip_policy() -> ReminderPolicy:
    """The softer escalation of the sample's "vip" clients: later, fewer, further apart.

    No heads-up before the due date, a first e-mail a week late, a call, a second e-mail,
    a letter after two months; never a formal notice without a person deciding it.
    """
    return ReminderPolicy(
        "vip",
        (
            Step("relance_1", 7, Channel.EMAIL),
            Step("appel", 15, Channel.PHONE),
            Step("relance_2", 30, Channel.EMAIL),
            Step("lettre_relance", 60, Channel.LETTER, include_penalties=True),
        ),
        min_gap_days=10,
    )


@functools.cache
def sample_policy() -> SegmentPolicies:
    """The sample's policy: the French default, and :func:`vip_policy` for segment "vip"."""
    return SegmentPolicies(ReminderPolicy.french_default(), {"vip": vip_policy()})


@attrs.frozen
class Sample:
    """The sample portfolio: who sends, to whom, which invoices, and the demo's day."""

    creditor: Creditor
    clients: tuple[Client, ...]
    invoices: tuple[Invoice, ...]
    as_of: dt.date
    history_start: dt.date
    policy: Callable[[Client], ReminderPolicy] = attrs.field(factory=sample_policy)

    def client(self, client_id: str) -> Client:
        """The client with id ``client_id``."""
        for client in self.clients:
            if client.id == client_id:
                return client
        raise InvalidFieldError("is not a client of the sample", field="client_id", value=client_id)

    def invoice(self, number: str) -> Invoice:
        """The invoice numbered ``number``."""
        for invoice in self.invoices:
            if invoice.number == number:
                return invoice
        raise InvalidFieldError("is not an invoice of the sample", field="number", value=number)

    def replay(self, journal: Journal, end: dt.date | None = None) -> tuple[Action, ...]:
        """Record in ``journal`` every action of the days from ``history_start`` to the day
        before ``end`` (default ``as_of``), as if each had been sent; see :func:`simulate`."""
        return simulate(
            journal,
            self.history_start,
            self.as_of if end is None else end,
            invoices=self.invoices,
            clients=self.clients,
            policy=self.policy,
        )


def load_sample() -> Sample:
    """Read the embedded sample portfolio (validated like any outside data)."""
    return _load_sample()


@functools.cache
def _load_sample() -> Sample:
    text = resources.files("relancelib").joinpath("data", SAMPLE_FILE).read_text("utf-8")
    data = tomllib.loads(text, parse_float=Decimal)
    return Sample(
        Creditor.from_mapping(data["creditor"]),
        tuple(Client.from_mapping(row) for row in data["clients"]),
        tuple(Invoice.from_mapping(_invoice_row(row)) for row in data["invoices"]),
        data["as_of"],
        data["history_start"],
    )


def _invoice_row(row: Mapping[str, Any]) -> dict[str, Any]:
    # TOML booleans and dates are typed already; only payments need their own mappings.
    return {**row, "payments": [dict(p) for p in row.get("payments", ())]}


def simulate(
    journal: Journal,
    start: dt.date,
    end: dt.date,
    *,
    invoices: Iterable[Invoice],
    clients: Iterable[Client],
    policy: PolicyLike,
    rates: law.Rates | None = None,
) -> tuple[Action, ...]:
    """Replay the days from ``start`` to the day before ``end``: plan each day against
    ``journal`` and record every action on that day, as if it had been carried out.

    The references recorded say it was a simulation (``simulation 2026-02-03``).  Returns
    the actions recorded, oldest first.  Days already in the journal are planned as they
    stood then, so replaying twice records nothing new.
    """
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise InvalidFieldError("start and end must be dates", field="simulate", value=(start, end))
    invoices = check_sequence(invoices, Invoice, "invoices")
    clients = check_sequence(clients, Client, "clients")
    done: list[Action] = []
    day = start
    while day < end:
        for action in plan(invoices, clients, policy, day, journal, rates=rates):
            if journal.record(action, on=day, reference=f"simulation {day.isoformat()}"):
                done.append(action)
        day += dt.timedelta(days=1)
    return tuple(done)
