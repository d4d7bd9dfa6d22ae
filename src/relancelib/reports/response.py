"""How clients answer reminders: the payment-response model of a simulation.

A :class:`ResponseModel` gives, for a client segment and a step, the probability that an
invoice is paid within ``within_days`` days after that step was sent, and the probability
that it is paid on time (on or before its due date) with no reminder at all.
:func:`fit_response_model` estimates one from a portfolio's invoices, payments and journal;
:meth:`ResponseModel.never` and :meth:`ResponseModel.at_once` are the two extreme clients the
property tests use.  Draws are deterministic: :func:`draw` seeds a :class:`random.Random`
with the seed, the invoice number and what is drawn, so two policies simulated with the same
seed meet the same clients (an invoice answers a given step the same way under both).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from relancelib.checks import check_instance, check_sequence
from relancelib.model import Client, Invoice
from relancelib.reports._ledger import (
    as_mapping,
    at_least,
    checked_invoices,
    probability,
    sent_steps,
    settled_on,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ON_TIME", "ResponseModel", "draw", "fit_response_model"]

#: The row label of the on-time probability in :meth:`ResponseModel.to_frame`.
ON_TIME = "à l'échéance"


def _probabilities(value: object, field: str) -> dict[str, float]:
    """A mapping of step keys (or segments) to probabilities."""
    mapping = as_mapping(value, field, "a mapping of names to probabilities")
    return {
        check_instance(key, str, field, what="keyed by text"): probability(p, f"{field}[{key!r}]")
        for key, p in mapping.items()
    }


def _by_segment(value: object) -> dict[str, dict[str, float]]:
    field = "ResponseModel.by_segment"
    mapping = as_mapping(value, field, "a mapping of segments to mappings")
    return {
        check_instance(segment, str, field, what="keyed by text"): _probabilities(
            steps, f"{field}[{segment!r}]"
        )
        for segment, steps in mapping.items()
    }


def _after_step(value: object) -> dict[str, float]:
    return _probabilities(value, "ResponseModel.after_step")


def _on_time_by_segment(value: object) -> dict[str, float]:
    return _probabilities(value, "ResponseModel.on_time_by_segment")


def _default(value: object) -> float:
    return probability(value, "ResponseModel.default")


def _on_time(value: object) -> float:
    return probability(value, "ResponseModel.on_time")


def _within_days(value: object) -> int:
    return at_least(value, 1, "ResponseModel.within_days", "day")


@attrs.frozen
class ResponseModel:
    """The probability that an invoice is paid after each step, by client segment.

    ``after_step`` maps a step key to a probability for every segment; ``by_segment`` maps a
    segment to its own step probabilities (they win); a step found in neither gets
    ``default``.  ``on_time`` (``on_time_by_segment``) is the probability that an invoice is
    paid on or before its due date without any reminder.  A paid invoice is paid 1 to
    ``within_days`` days after the step (uniformly), or 0 to 5 days before its due date.
    """

    after_step: Mapping[str, float] = attrs.field(factory=dict, converter=_after_step)
    by_segment: Mapping[str, Mapping[str, float]] = attrs.field(factory=dict, converter=_by_segment)
    default: float = attrs.field(default=0.0, converter=_default)
    on_time: float = attrs.field(default=0.0, converter=_on_time)
    on_time_by_segment: Mapping[str, float] = attrs.field(
        factory=dict, converter=_on_time_by_segment
    )
    within_days: int = attrs.field(default=14, converter=_within_days)

    @classmethod
    def never(cls) -> ResponseModel:
        """Clients who never pay: every step of the policy is sent."""
        return cls()

    @classmethod
    def at_once(cls) -> ResponseModel:
        """Clients who pay the day after the first message they get, and never before."""
        return cls(default=1.0, within_days=1)

    def probability(self, step: str, segment: str) -> float:
        """The probability that an invoice of ``segment`` is paid after ``step``."""
        own = self.by_segment.get(segment)
        if own is not None and step in own:
            return own[step]
        return self.after_step.get(step, self.default)

    def on_time_probability(self, segment: str) -> float:
        """The probability that an invoice of ``segment`` is paid on time, unreminded."""
        return self.on_time_by_segment.get(segment, self.on_time)

    def to_frame(self) -> pd.DataFrame:
        """The probabilities as a table: one row per step (:data:`ON_TIME` first), one
        column per segment plus ``"tous"`` (all segments)."""
        import pandas as pd

        steps = [ON_TIME, *self.after_step]
        for own in self.by_segment.values():
            steps.extend(step for step in own if step not in steps)
        columns = {
            "tous": [self.on_time, *(self.after_step.get(s, self.default) for s in steps[1:])]
        }
        for segment in sorted(self.by_segment):
            columns[segment] = [
                self.on_time_probability(segment),
                *(self.probability(s, segment) for s in steps[1:]),
            ]
        return pd.DataFrame(columns, index=pd.Index(steps, name="step"))


def draw(seed: int, number: str, what: str) -> float:
    """A uniform draw in [0, 1) for invoice ``number`` and ``what`` (a step key…), the same
    on every run and every machine for the same ``seed``."""
    return random.Random(f"{seed}\x1f{number}\x1f{what}").random()


def fit_response_model(
    invoices: Iterable[Invoice],
    clients: Iterable[Client],
    records: Iterable[object],
    as_of: dt.date,
    *,
    within_days: int = 14,
    min_observations: int = 5,
) -> ResponseModel:
    """Estimate a :class:`ResponseModel` from what happened up to ``as_of``.

    For each step, the share of the invoices it was sent for (at least ``within_days``
    before ``as_of``) that were paid in full within ``within_days`` days after it; per
    segment where the segment has at least ``min_observations`` such invoices for that step,
    and over all segments otherwise.  ``on_time`` is the share of invoices due on or before
    ``as_of`` that were paid on or before their due date.  Steps never sent get
    probability 0 (``default``).
    """
    checked, day = checked_invoices(invoices, as_of)
    within = at_least(within_days, 1, "within_days", "day")
    minimum = at_least(min_observations, 0, "min_observations")
    segment_of = {c.id: c.segment for c in check_sequence(clients, Client, "clients")}
    steps: dict[str, list[int]] = {}
    segments: dict[tuple[str, str], list[int]] = {}
    on_time: dict[str, list[int]] = {}
    sent = sent_steps(records, day)
    for invoice in checked:
        segment = segment_of.get(invoice.client_id, "standard")
        paid_on = settled_on(invoice, day)
        if invoice.due_date <= day:
            tally = on_time.setdefault(segment, [0, 0])
            tally[0] += 1
            tally[1] += paid_on is not None and paid_on <= invoice.due_date
        for step, on in sent.get(invoice.number, ()):
            if (day - on).days < within:
                continue
            paid = paid_on is not None and on < paid_on <= on + dt.timedelta(days=within)
            for tally in (
                steps.setdefault(step, [0, 0]),
                segments.setdefault((segment, step), [0, 0]),
            ):
                tally[0] += 1
                tally[1] += paid
    by_segment: dict[str, dict[str, float]] = {}
    for (segment, step), (count, hits) in segments.items():
        if count >= minimum:
            by_segment.setdefault(segment, {})[step] = hits / count
    due = sum(count for count, _ in on_time.values())
    return ResponseModel(
        after_step={step: paid / count for step, (count, paid) in steps.items()},
        by_segment=by_segment,
        on_time=sum(paid for _, paid in on_time.values()) / due if due else 0.0,
        on_time_by_segment={
            segment: paid / count for segment, (count, paid) in on_time.items() if count >= minimum
        },
        within_days=within,
    )
