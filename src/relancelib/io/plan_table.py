"""The plan as a table: one row per invoice of each action (for DataFrames and CSV)."""

from __future__ import annotations

from typing import Any

from relancelib.checks import check_instance
from relancelib.engine import Plan

__all__ = ["PLAN_COLUMNS", "plan_records"]

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
