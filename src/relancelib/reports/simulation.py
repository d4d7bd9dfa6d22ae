"""Replay a reminder policy day by day and see what it costs and what it brings in.

:func:`simulate_policy` plans each day from ``start`` to the day before ``end`` with
:func:`relancelib.plan` against a :class:`~relancelib.MemoryJournal`, records every action as
if it had been carried out, and lets a :class:`~relancelib.reports.ResponseModel` decide
which invoices get paid, and when.  Payments dated on or after ``start`` are the model's to
decide: the invoices' own payments from then on are set aside (those before stay).  An
invoice enters the plan on its issue date.  Nothing reads the clock and every draw is seeded
(:func:`~relancelib.reports.response.draw`): the same arguments give the same result, and two
policies simulated with the same seed face the same clients.  :func:`compare_policies` puts
results side by side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from relancelib import law
from relancelib.checks import (
    check_amount,
    check_date,
    check_instance,
    check_integer,
    check_sequence,
)
from relancelib.display import CHANNEL_LABELS
from relancelib.engine import PolicyLike, plan
from relancelib.errors import InvalidFieldError
from relancelib.journal import MemoryJournal
from relancelib.model import Client, Invoice, Payment
from relancelib.policy import Channel
from relancelib.reports._ledger import week_start
from relancelib.reports.dso import dso_over_time
from relancelib.reports.response import ResponseModel, draw

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Costs", "SimulationResult", "compare_policies", "simulate_policy"]


def _money(value: object) -> Decimal:
    return check_amount(value, "cost")


@attrs.frozen
class Costs:
    """What one message costs, by channel, in euros.  The defaults are round illustrative
    figures, not La Poste's tariff: give your own (``Costs(registered_letter=Decimal("8.90"))``)."""

    email: Decimal = attrs.field(default=Decimal("0"), converter=_money)
    sms: Decimal = attrs.field(default=Decimal("0.10"), converter=_money)
    phone: Decimal = attrs.field(default=Decimal("0"), converter=_money)
    letter: Decimal = attrs.field(default=Decimal("1.50"), converter=_money)
    registered_letter: Decimal = attrs.field(default=Decimal("7.50"), converter=_money)

    def of(self, channel: Channel) -> Decimal:
        """The cost of one message through ``channel``."""
        return {
            Channel.EMAIL: self.email,
            Channel.SMS: self.sms,
            Channel.PHONE: self.phone,
            Channel.LETTER: self.letter,
            Channel.REGISTERED_LETTER: self.registered_letter,
        }[channel]


@attrs.frozen(eq=False)
class SimulationResult:
    """What a simulated policy did.

    ``messages``: one row per action (columns ``on``, ``client_id``, ``step``, ``channel``
    — French label — ``invoices``, ``cost``); ``cash``: the money collected per week (index
    ``week``, the Monday; columns ``collected``, exact, and ``payments``); ``dso``: the DSO
    measures at the end of each week (:func:`~relancelib.reports.dso_over_time`'s
    columns); ``invoices``: the portfolio with the simulated payments; ``journal``: every
    action recorded.
    """

    name: str
    start: dt.date
    end: dt.date
    messages: pd.DataFrame
    cash: pd.DataFrame
    dso: pd.DataFrame
    invoices: tuple[Invoice, ...]
    journal: MemoryJournal

    @property
    def postage(self) -> Decimal:
        """The cost of all messages (:class:`Costs`)."""
        return sum(self.messages["cost"], Decimal(0))

    @property
    def collected(self) -> Decimal:
        """The money collected between ``start`` and ``end``."""
        return sum(self.cash["collected"], Decimal(0))

    def per_channel(self) -> pd.DataFrame:
        """Messages and their cost per channel (index: the French channel label)."""
        import pandas as pd

        labels = list(CHANNEL_LABELS.values())
        grouped = self.messages.groupby("channel")
        counts = grouped.size()
        return pd.DataFrame(
            {
                "messages": [int(counts.get(label, 0)) for label in labels],
                "cost": [
                    sum(self.messages.loc[self.messages["channel"] == label, "cost"], Decimal(0))
                    for label in labels
                ],
            },
            index=pd.Index(labels, name="channel"),
        )

    def summary(self) -> dict[str, object]:
        """The figures :func:`compare_policies` shows, by French label."""
        out: dict[str, object] = {"messages": len(self.messages)}
        for label, row in self.per_channel().iterrows():
            out[f"messages ({label})"] = int(row["messages"])
        out["coût des envois (€)"] = self.postage
        out["encaissé (€)"] = self.collected
        last = self.dso.iloc[-1] if len(self.dso) else None
        out["encours à la fin (€)"] = last["receivables"] if last is not None else Decimal(0)
        out["DSO count-back à la fin (jours)"] = (
            last["dso_count_back"] if last is not None else None
        )
        values = [v for v in self.dso["dso_count_back"] if v is not None]
        out["DSO count-back moyen (jours)"] = (
            (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1")) if values else None
        )
        return out


def simulate_policy(
    invoices: Iterable[Invoice],
    clients: Iterable[Client],
    policy: PolicyLike,
    start: dt.date,
    end: dt.date,
    *,
    model: ResponseModel,
    seed: int = 0,
    costs: Costs | None = None,
    rates: law.Rates | None = None,
    name: str = "politique",
    dso_days: int = 90,
) -> SimulationResult:
    """Replay ``policy`` over the days from ``start`` to the day before ``end``.

    Each day: the payments the model scheduled for that day are made (the whole balance),
    then the day is planned against the simulation's journal and every action recorded; for
    each invoice in an action, the model draws whether it will be paid after that step, and
    when.  Invoices still open on ``start`` may also be paid on time, unreminded
    (:attr:`ResponseModel.on_time`).  See the module's docstring.
    """
    first = check_date(start, "start")
    stop = check_date(end, "end")
    if stop <= first:
        raise InvalidFieldError("must be after start", field="end", value=stop)
    seed = check_integer(seed, "seed")
    costs = costs if costs is not None else Costs()
    people = tuple(check_sequence(clients, Client, "clients"))
    segment_of = {client.id: client.segment for client in people}
    by_id = {client.id: client for client in people}
    current: dict[str, Invoice] = {}
    for invoice in check_sequence(invoices, Invoice, "invoices"):
        kept = tuple(p for p in invoice.payments if p.on < first)
        if len(kept) != len(invoice.payments):
            invoice = attrs.evolve(invoice, payments=kept)
        current[invoice.number] = invoice
    scheduled: dict[str, dt.date] = {}
    due_on: dict[dt.date, list[str]] = {}

    def schedule(number: str, day: dt.date) -> None:
        known = scheduled.get(number)
        if day < stop and (known is None or day < known):
            scheduled[number] = day
            due_on.setdefault(day, []).append(number)

    eve = first - dt.timedelta(days=1)
    waiting: list[Invoice] = []
    for invoice in current.values():
        if invoice.balance(max(eve, invoice.issue_date)) <= 0:
            continue
        waiting.append(invoice)
        segment = segment_of.get(invoice.client_id, "standard")
        if draw(seed, invoice.number, "on_time") < model.on_time_probability(segment):
            early = int(draw(seed, invoice.number, "on_time/day") * 6)
            day = max(invoice.issue_date, invoice.due_date - dt.timedelta(days=early))
            if day >= first:
                schedule(invoice.number, day)
    waiting.sort(key=lambda invoice: (invoice.issue_date, invoice.number), reverse=True)
    active: dict[str, Invoice] = {}
    journal = MemoryJournal()
    rows: list[tuple[object, ...]] = []
    collected: dict[dt.date, Decimal] = {}
    payments: dict[dt.date, int] = {}
    dso_dates: list[dt.date] = []
    day = first
    while day < stop:
        while waiting and waiting[-1].issue_date <= day:
            invoice = waiting.pop()
            active[invoice.number] = current[invoice.number]
        for number in due_on.pop(day, ()):
            invoice = current[number]
            if scheduled.get(number) != day or invoice.number not in active:
                continue
            balance = invoice.balance(day)
            if balance > 0:
                paid = attrs.evolve(invoice, payments=(*invoice.payments, Payment(day, balance)))
                current[number] = paid
                week = week_start(day)
                collected[week] = collected.get(week, Decimal(0)) + balance
                payments[week] = payments.get(week, 0) + 1
            del active[number]
        if active:
            for action in plan(active.values(), by_id, policy, day, journal, rates=rates):
                journal.record(action, on=day)
                rows.append(
                    (
                        day,
                        action.client.id,
                        action.step.key,
                        CHANNEL_LABELS[action.channel],
                        len(action.items),
                        costs.of(action.channel),
                    )
                )
                segment = action.client.segment
                for item in action.items:
                    number = item.invoice.number
                    key = item.step.key
                    if draw(seed, number, key) < model.probability(key, segment):
                        delay = 1 + int(draw(seed, number, key + "/day") * model.within_days)
                        schedule(number, day + dt.timedelta(days=delay))
        if day.weekday() == 6 or day + dt.timedelta(days=1) == stop:
            dso_dates.append(day)
        day += dt.timedelta(days=1)
    return _result(
        name,
        first,
        stop,
        rows,
        (collected, payments),
        dso_dates,
        tuple(current.values()),
        journal,
        dso_days,
    )


def _result(
    name: str,
    start: dt.date,
    end: dt.date,
    rows: list[tuple[object, ...]],
    cash: tuple[dict[dt.date, Decimal], dict[dt.date, int]],
    dso_dates: list[dt.date],
    invoices: tuple[Invoice, ...],
    journal: MemoryJournal,
    dso_days: int,
) -> SimulationResult:
    import pandas as pd

    messages = pd.DataFrame(
        rows, columns=["on", "client_id", "step", "channel", "invoices", "cost"]
    ).astype({"cost": object})
    weeks = []
    monday = week_start(start)
    while monday < end:
        weeks.append(monday)
        monday += dt.timedelta(weeks=1)
    cash_frame = pd.DataFrame(
        {
            "collected": [cash[0].get(w, Decimal(0)) for w in weeks],
            "payments": [cash[1].get(w, 0) for w in weeks],
        },
        index=pd.Index(weeks, name="week"),
    ).astype({"collected": object})
    dso = dso_over_time(invoices, dso_dates, days=dso_days)
    return SimulationResult(name, start, end, messages, cash_frame, dso, invoices, journal)


def compare_policies(
    results: Mapping[str, SimulationResult] | Iterable[SimulationResult],
) -> pd.DataFrame:
    """The :meth:`SimulationResult.summary` of each result side by side: one row per figure
    (French labels), one column per policy (the mapping's keys, else each result's ``name``)."""
    import pandas as pd

    field = "results"
    if isinstance(results, Mapping):
        named = {
            check_instance(name, str, field, what="keyed by policy name"): check_instance(
                result, SimulationResult, f"{field}[{name!r}]"
            )
            for name, result in results.items()
        }
    else:
        named = {
            result.name: result
            for result in check_sequence(results, SimulationResult, field)
        }
    return pd.DataFrame({name: result.summary() for name, result in named.items()})
