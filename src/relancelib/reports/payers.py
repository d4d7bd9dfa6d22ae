"""How clients pay: step effectiveness (who pays after which reminder) and payer profiles.

Both read the invoices (with their payments) and the journal's records.  An invoice is
*paid* on the day its payments reach its amount (:func:`settled_on`); its *days late* are
that day minus its due date (negative when paid early).  "Paid after a step" means the step
was the last one sent for the invoice before that day.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from relancelib.checks import check_sequence
from relancelib.model import Invoice
from relancelib.reports._ledger import (
    at_least,
    checked_invoices,
    last_step_before,
    sent_steps,
    settled_on,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BEFORE_ANY_STEP", "EFFECTIVENESS_COLUMNS", "payer_profiles", "step_effectiveness"]

#: The step label of invoices paid before any reminder was sent.
BEFORE_ANY_STEP = "sans relance"
#: The columns of :func:`step_effectiveness`.
EFFECTIVENESS_COLUMNS = (
    "sent",
    "paid_within",
    "share_paid",
    "amount_sent",
    "amount_paid",
    "pending",
)


class _Tally:
    """What :func:`step_effectiveness` counts for one step."""

    __slots__ = ("amount_paid", "amount_sent", "paid", "pending", "sent")

    def __init__(self) -> None:
        self.sent = self.paid = self.pending = 0
        self.amount_sent = self.amount_paid = Decimal(0)


def step_effectiveness(
    invoices: Iterable[Invoice],
    records: Iterable[object],
    as_of: dt.date,
    *,
    within_days: int = 14,
    steps: Sequence[str] = (),
) -> pd.DataFrame:
    """The share of invoices paid within ``within_days`` days after each step was sent.

    One row per step key (index ``step``: ``steps`` first, in that order, then the other
    keys seen in the journal, in order of first use).  Columns: ``sent`` — invoices the step
    was sent for, on or before ``as_of - within_days`` (so that the window is complete);
    ``paid_within`` — of those, paid in full within ``within_days`` days after the step
    (strictly after its day, on or before ``as_of``); ``share_paid`` (a float, NaN when
    nothing was sent); ``amount_sent`` and ``amount_paid`` (their invoices'
    amounts, exact :class:`~decimal.Decimal`, added whatever their currency: give one
    currency's invoices for a portfolio in several); ``pending``
    — sent too recently to be counted.
    """
    import pandas as pd

    checked, day = checked_invoices(invoices, as_of)
    within = at_least(within_days, 1, "within_days", "day")
    by_number = {invoice.number: invoice for invoice in checked}
    order = list(dict.fromkeys(check_sequence(steps, str, "steps", what="step key")))
    tallies: dict[str, _Tally] = {}
    for number, entries in sent_steps(records, day).items():
        invoice = by_number.get(number)
        if invoice is None:
            continue
        paid_on = settled_on(invoice, day)
        for step, on in entries:
            if step not in order:
                order.append(step)
            tally = tallies.setdefault(step, _Tally())
            if (day - on).days < within:
                tally.pending += 1
                continue
            tally.sent += 1
            tally.amount_sent += invoice.amount
            if paid_on is not None and on < paid_on <= on + dt.timedelta(days=within):
                tally.paid += 1
                tally.amount_paid += invoice.amount
    data = []
    for step in order:
        t = tallies.get(step, _Tally())
        share = t.paid / t.sent if t.sent else float("nan")
        data.append([t.sent, t.paid, share, t.amount_sent, t.amount_paid, t.pending])
    frame = pd.DataFrame(
        data, index=pd.Index(order, name="step"), columns=list(EFFECTIVENESS_COLUMNS)
    )
    return frame.astype(
        {"sent": "int64", "paid_within": "int64", "share_paid": "float64", "pending": "int64"}
    )


def payer_profiles(
    invoices: Iterable[Invoice],
    records: Iterable[object],
    as_of: dt.date,
    *,
    steps: Sequence[str] = (),
) -> pd.DataFrame:
    """Each client's payer profile on ``as_of``: one row per client (index ``client_id``).

    Columns: ``invoices`` (issued on or before ``as_of``), ``paid`` (settled by then),
    ``open`` (still owed), ``mean_days_late`` and ``std_days_late`` (mean and sample
    standard deviation of the paid invoices' days late; NaN with too few), ``max_days_late``,
    then one ``paid_<label>`` column per label — :data:`BEFORE_ANY_STEP` and each step key
    (``steps`` first, then those seen in the journal) — giving the share of the client's paid
    invoices paid after that step (the last one sent before payment); the shares of a row add
    up to 1 when it has paid invoices.  Broken promises to pay are not counted yet: the
    journal has no promise events (see docs/insight.md).
    """
    import pandas as pd

    checked, day = checked_invoices(invoices, as_of)
    sent = sent_steps(records, day)
    order = list(dict.fromkeys(check_sequence(steps, str, "steps", what="step key")))
    for entries in sent.values():
        for step, _on in entries:
            if step not in order:
                order.append(step)
    labels = [BEFORE_ANY_STEP, *order]
    stats: dict[str, tuple[list[int], dict[str, int], list[int]]] = {}
    for invoice in checked:
        if invoice.issue_date > day:
            continue
        lates, after, counts = stats.setdefault(invoice.client_id, ([], {}, [0, 0]))
        counts[0] += 1
        paid_on = settled_on(invoice, day)
        if paid_on is None:
            counts[1] += 1
            continue
        lates.append((paid_on - invoice.due_date).days)
        label = last_step_before(sent, invoice.number, paid_on) or BEFORE_ANY_STEP
        after[label] = after.get(label, 0) + 1
    data = []
    for client_id in sorted(stats):
        lates, after, (issued, still_open) = stats[client_id]
        paid = len(lates)
        row: list[object] = [
            issued,
            paid,
            still_open,
            statistics.fmean(lates) if lates else float("nan"),
            statistics.stdev(lates) if len(lates) > 1 else float("nan"),
            max(lates) if lates else float("nan"),
        ]
        row.extend(after.get(label, 0) / paid if paid else float("nan") for label in labels)
        data.append(row)
    columns = [
        "invoices",
        "paid",
        "open",
        "mean_days_late",
        "std_days_late",
        "max_days_late",
        *(f"paid_{label}" for label in labels),
    ]
    frame = pd.DataFrame(data, index=pd.Index(sorted(stats), name="client_id"), columns=columns)
    return frame.astype({"invoices": "int64", "paid": "int64", "open": "int64"})
