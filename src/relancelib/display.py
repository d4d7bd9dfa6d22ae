"""The one presentation hook: HTML for notebooks (the ``_repr_html_`` of plans, actions and
journals) and pandas DataFrames (``Plan.to_frame()``, ``Journal.to_frame()``).

The core imports this module only inside the methods that display, so the engine never
depends on HTML or pandas.

Pure functions that return HTML strings; every piece of data (a client's name, an invoice
number, a journal reference) is escaped, so a name such as ``<b>x</b>`` shows as text.
Labels are in French, like the letters; amounts and dates are written the French way by
:mod:`relancelib.formatting`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from relancelib.actions import Action, Plan, Severity
from relancelib.checks import check_instance, check_sequence
from relancelib.errors import InvalidFieldError
from relancelib.formatting import format_amount, format_date
from relancelib.policy import Channel

if TYPE_CHECKING:
    import pandas

    from relancelib.explain import Explanation
    from relancelib.journal import Record

__all__ = [
    "CHANNEL_LABELS",
    "PLAN_COLUMNS",
    "action_html",
    "explanation_html",
    "plan_html",
    "plan_records",
    "plan_to_frame",
    "records_html",
    "records_to_frame",
]

#: How a channel is named in the tables.
CHANNEL_LABELS: Mapping[Channel, str] = {
    Channel.EMAIL: "e-mail",
    Channel.PHONE: "téléphone",
    Channel.SMS: "SMS",
    Channel.LETTER: "courrier",
    Channel.REGISTERED_LETTER: "lettre recommandée AR",
}

_SEVERITY_LABELS = {Severity.ERROR: "erreur", Severity.WARNING: "avertissement"}
_RIGHT = ' style="text-align:right"'


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _short_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _amounts(amounts: Mapping[str, Decimal]) -> str:
    """``1 234,56 € + 10,00 $US``: one amount per currency, never added together."""
    if not amounts:
        return _e(format_amount(Decimal(0)))
    return " + ".join(_e(format_amount(value, currency)) for currency, value in amounts.items())


def _table(head: Iterable[str], rows: Iterable[Iterable[str]], *, right: frozenset[int]) -> str:
    """A table from already escaped cells; ``right`` are the indexes of amount columns."""
    head_html = "".join(
        f"<th{_RIGHT if i in right else ''}>{cell}</th>" for i, cell in enumerate(head)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td{_RIGHT if i in right else ''}>{cell}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head_html}</tr></thead><tbody>{body}</tbody></table>"


def _client(action: Action) -> str:
    return f"{_e(action.client.name)} <small>({_e(action.client.id)})</small>"


def plan_html(plan: Plan) -> str:
    """The plan as a table (client, step, channel, invoices, total), then its problems."""
    if not isinstance(plan, Plan):
        raise InvalidFieldError("must be a Plan", field="plan", value=plan)
    count = len(plan.actions)
    # French puts 0 and 1 in the singular.
    title = (
        f"<p><strong>Plan du {_e(format_date(plan.as_of))}</strong> — "
        f"{count} action{'s' if count > 1 else ''}</p>"
    )
    if plan.actions:
        rows = (
            (
                _client(action),
                _e(action.step.key),
                _e(CHANNEL_LABELS[action.channel]),
                ", ".join(_e(invoice.number) for invoice in action.invoices),
                _amounts(action.totals),
            )
            for action in plan.actions
        )
        table = _table(
            ("Client", "Étape", "Canal", "Factures", "Total"), rows, right=frozenset({4})
        )
    else:
        table = "<p>Aucune relance à faire ce jour.</p>"
    return f'<div class="relancelib-plan">{title}{table}{_problems(plan)}</div>'


def _problems(plan: Plan) -> str:
    if not plan.problems:
        return ""
    items = "".join(
        f"<li><strong>{_e(_SEVERITY_LABELS[problem.severity])}</strong> — "
        f"{_e(problem.invoice_number)} : {_e(problem.message)}</li>"
        for problem in plan.problems
    )
    return f"<p>Problèmes ({len(plan.problems)}) :</p><ul>{items}</ul>"


def action_html(action: Action) -> str:
    """One action: the client, step and channel, then each invoice with its figures."""
    if not isinstance(action, Action):
        raise InvalidFieldError("must be an Action", field="action", value=action)
    title = (
        f"<p><strong>{_client(action)}</strong> — {_e(action.step.key)} par "
        f"{_e(CHANNEL_LABELS[action.channel])}, le {_e(format_date(action.on))}</p>"
    )
    rows = (
        (
            _e(item.invoice.number),
            _e(_short_date(item.invoice.due_date)),
            _e(item.days_overdue),
            _e(item.step.key),
            _e(format_amount(item.balance, item.currency)),
            ""
            if item.penalties is None
            else _e(format_amount(item.penalties.amount, item.currency)),
            _e(format_amount(item.indemnity, "EUR")) if item.indemnity else "",
        )
        for item in action.items
    )
    table = _table(
        ("Facture", "Échéance", "Jours de retard", "Étape", "Solde", "Pénalités", "Indemnité"),
        rows,
        right=frozenset({2, 4, 5, 6}),
    )
    totals = f"<p>Total dû : {_amounts(action.totals)}"
    if dict(action.claimed) != dict(action.totals):
        totals += f" — réclamé avec pénalités et indemnités : {_amounts(action.claimed)}"
    totals += "</p>"
    return f'<div class="relancelib-action">{title}{table}{totals}</div>'


def records_html(records: Iterable[Record]) -> str:
    """Journal records as a table, oldest first as given."""
    from relancelib.journal import Record

    if isinstance(records, (str, bytes)) or not isinstance(records, Iterable):
        raise InvalidFieldError("must be an iterable of Record", field="records", value=records)
    records = tuple(records)
    for record in records:
        if not isinstance(record, Record):
            raise InvalidFieldError("must hold only Record objects", field="records", value=record)
    if not records:
        return '<div class="relancelib-journal"><p>Aucune relance enregistrée.</p></div>'
    rows = (
        (
            _e(_short_date(record.on)),
            _e(record.client_id),
            _e(CHANNEL_LABELS.get(record.channel, record.channel)),
            "<br>".join(f"{_e(number)} : {_e(step)}" for number, step in record.steps),
            "" if record.reference is None else _e(record.reference),
            f"<code>{_e(record.key)}</code>",
        )
        for record in records
    )
    table = _table(
        ("Date", "Client", "Canal", "Factures : étapes", "Référence", "Clé"),
        rows,
        right=frozenset(),
    )
    return f'<div class="relancelib-journal">{table}</div>'


# ---------------------------------------------------------------------------------------------
# DataFrames (pandas imported only when one is asked for); ``relancelib.io`` re-exports them
# and writes the same plan table as CSV.


#: The columns of ``plan_to_frame`` and ``plan_to_csv`` (English, French header).
PLAN_COLUMNS = (
    ("client_id", "client"),
    ("client_name", "nom_client"),
    ("action_key", "cle_action"),
    ("action_step", "etape_action"),
    ("item_step", "etape_facture"),
    ("channel", "canal"),
    ("invoice", "facture"),
    ("due_date", "echeance"),
    ("days_overdue", "jours_retard"),
    ("balance", "solde"),
    ("penalties", "penalites"),
    ("indemnity", "indemnite"),
    ("currency", "devise"),
)


def plan_records(plan: Plan) -> list[dict[str, Any]]:
    """One mapping per invoice of each action of ``plan``, keyed by the English columns."""
    check_instance(plan, Plan, "plan")
    return [
        {
            "client_id": action.client.id,
            "client_name": action.client.name,
            "action_key": action.key,
            "action_step": action.step.key,
            "item_step": item.step.key,
            "channel": action.channel.value,
            "invoice": item.invoice.number,
            "due_date": item.invoice.due_date,
            "days_overdue": item.days_overdue,
            "balance": item.balance,
            "penalties": None if item.penalties is None else item.penalties.amount,
            "indemnity": item.indemnity,
            "currency": item.currency,
        }
        for action in plan.actions
        for item in action.items
    ]


def plan_to_frame(plan: Plan) -> pandas.DataFrame:
    """One row per invoice of each action of ``plan``.

    Amounts stay exact :class:`~decimal.Decimal` objects (``object`` columns) and dates
    :class:`datetime.date` objects: convert explicitly (``.astype(float)``) when binary
    rounding is acceptable, e.g. for a chart.  ``penalties`` is ``None`` on steps without
    penalties; ``channel`` is the channel's value (``"email"``).
    """
    import pandas

    return pandas.DataFrame(plan_records(plan), columns=[english for english, _fr in PLAN_COLUMNS])


#: The columns of :func:`records_to_frame`.
_RECORD_COLUMNS = ["key", "client_id", "on", "channel", "step", "invoice", "invoice_step",
                   "reference"]  # fmt: skip


def records_to_frame(records: Iterable[Record]) -> pandas.DataFrame:
    """One row per (invoice, step) pair of each journal record, oldest first as given.

    Columns: ``key``, ``client_id``, ``on`` (a date), ``channel`` (its value), ``step`` (the
    action's step), ``invoice``, ``invoice_step``, ``reference``.
    """
    import pandas

    from relancelib.journal import Record

    rows = []
    for record in check_sequence(records, Record, "records"):
        pairs: Sequence[tuple[str | None, str | None]] = record.steps or ((None, None),)
        for number, step in pairs:
            rows.append(
                {
                    "key": record.key,
                    "client_id": record.client_id,
                    "on": record.on,
                    "channel": record.channel.value,
                    "step": getattr(record, "step", None),
                    "invoice": number,
                    "invoice_step": step,
                    "reference": record.reference,
                }
            )
    return pandas.DataFrame(rows, columns=_RECORD_COLUMNS)


def explanation_html(explanation: Explanation) -> str:
    """Why an invoice is or is not chased: the verdict, then one row per rule."""
    from relancelib.explain import Explanation

    check_instance(explanation, Explanation, "explanation")
    marks = {True: "✔", False: "✘", None: "·"}
    rows = (
        (marks[rule.passed], _e(rule.name), _e(rule.text)) for rule in explanation.rules
    )
    title = f"<p><strong>{_e(explanation.invoice_number)}</strong> — {_e(explanation.reason)}</p>"
    return title + _table(("", "règle", "constat"), rows, right=frozenset())
