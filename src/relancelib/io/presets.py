"""Column presets of the exports French users bring: Sage 100, EBP, Cegid, Pennylane, Odoo,
Dolibarr.  ``docs/import.md`` cites the source of each; the wide vocabulary of
:mod:`relancelib.io.columns` reads most of these headers already, a preset pins the ones a
file could give two ways (``Date`` and ``Date pièce``...).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from relancelib.errors import DataImportError
from relancelib.io.columns import ColumnMap

__all__ = ["PRESETS", "preset_columns"]

#: preset -> file kind ("invoices", "clients", "payments") -> field -> header as exported.
PRESETS: Mapping[str, Mapping[str, ColumnMap]] = MappingProxyType(
    {
        "sage100": {
            "invoices": {
                "number": "N° pièce",
                "client_id": "N° compte",
                "issue_date": "Date",
                "due_date": "Échéance",
                "amount": "Débit",
                "matched": "Lettrage",
            },
            "clients": {"id": "N° compte", "name": "Intitulé"},
        },
        "ebp": {
            "invoices": {
                "number": "N° pièce",
                "client_id": "Code client",
                "issue_date": "Date",
                "due_date": "Échéance",
                "amount": "Montant TTC",
                "balance": "Reste dû",
            },
            "clients": {"id": "Code", "name": "Nom"},
        },
        "cegid": {
            "invoices": {
                "number": "Référence",
                "client_id": "Compte",
                "issue_date": "Date pièce",
                "due_date": "Date échéance",
                "amount": "Montant",
                "balance": "Solde",
            },
            "clients": {"id": "Tiers", "name": "Libellé"},
        },
        "pennylane": {
            "invoices": {
                "number": "Numéro de facture",
                "client_id": "Client",
                "issue_date": "Date",
                "due_date": "Date d'échéance",
                "amount": "Montant TTC",
                "balance": "Reste à payer",
            },
            "clients": {"id": "Identifiant", "name": "Nom"},
        },
        "odoo": {
            "invoices": {
                "number": "name",
                "client_id": "partner_id",
                "issue_date": "invoice_date",
                "due_date": "invoice_date_due",
                "amount": "amount_total_signed",
                "balance": "amount_residual_signed",
                "kind": "move_type",
                "applies_to": "reversed_entry_id",
                "currency": "currency_id",
            },
            "clients": {"id": "id", "name": "name", "email": "email", "vat_number": "vat"},
        },
        "dolibarr": {
            "invoices": {
                "number": "Réf. facture",
                "client_id": "Code client",
                "issue_date": "Date facturation",
                "due_date": "Date échéance",
                "amount": "Montant TTC",
                "balance": "Reste à payer",
                "kind": "Type",
            },
            "clients": {"id": "Code client", "name": "Nom tiers"},
        },
    }
)


def preset_columns(preset: str | None, kind: str) -> ColumnMap | None:
    """The columns of ``kind`` (``"invoices"``...) a preset names (``None`` for no preset)."""
    if preset is None:
        return None
    if not isinstance(preset, str) or preset not in PRESETS:
        raise DataImportError(
            f"unknown preset {preset!r} (known: {', '.join(PRESETS)})", field="preset", value=preset
        )
    return PRESETS[preset].get(kind, {})
