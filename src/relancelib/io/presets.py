"""Column presets of the exports French users bring: Sage 100, EBP, Cegid, Pennylane, Odoo,
Dolibarr.  ``docs/import.md`` cites the source of each; the wide vocabulary of
:mod:`relancelib.io.columns` reads most of these headers already, a preset pins the ones a
file could give two ways (``Date`` and ``Date pièce``...).

Sources, as checked on 2026-12-02 (the comment above each preset says what was found):
Odoo and Dolibarr publish their field names in their source code, and the presets use them.
Sage 100, EBP, Cegid and Pennylane publish no CSV layout for a list of open invoices: their
exports are laid out by the user (Sage 100's *format paramétrable*, EBP's and Cegid's list
exports, Pennylane's table export), so these four presets hold the titles the programs show
in French, and a file whose titles differ is read through ``columns=`` (the vocabulary reads
most variants anyway).  None of the four was compared with a file exported by the program.
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
        # Sage 100 Comptabilité: its own export of entries is the fixed-width "format Sage"
        # (PNM, 138 characters a line, not CSV: see the third-party description in
        # https://github.com/khaleddesign/compta/blob/HEAD/SAGE_EXPORT.md), and its "format
        # paramétrable" writes the fields the user picks, under Sage's French titles.  No
        # published list of those titles was found: unverified.  When an export gives both
        # "N° compte général" (411...) and "N° compte tiers", the vocabulary reads the client
        # from "N° compte tiers" and lists "N° compte général" as unread.
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
        # EBP Gestion Commerciale / Compta: list exports (Excel/CSV) whose columns are the
        # ones shown on screen; no published layout found (searched docs and manuals, e.g.
        # https://manualmachine.com/ebp/comptav14/2807480-instruction-manual): unverified.
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
        # Cegid: the documented exchange formats are the fixed-width TRA
        # (https://help.expensya.com/l/en/article/fg3u7aagyy-standard-cegid-export) and
        # "ECREXCEL" (UTF-8, ';', DD/MM/YYYY, no header line: journal, date, general account,
        # auxiliary account, piece, label, debit, credit —
        # https://openflyers.com/en/doc/Accounting-export-template-CegidEcrexcel), neither a
        # headed list of open items; the titles below are those of Cegid's screens: unverified.
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
        # Pennylane: the table export of customer invoices is not documented; its API v2
        # names the same facts invoice_number, date, deadline, amount and
        # remaining_amount_with_tax (https://pennylane.readme.io/reference, customer
        # invoices), which the vocabulary reads too.  The titles below are the French
        # screen's: unverified.
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
        # Odoo: account.move's field names
        # (https://github.com/odoo/odoo/blob/HEAD/addons/account/models/account_move.py), as its
        # "import-compatible" export writes them.
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
        # Dolibarr: the export profile of customer invoices, in its French translations
        # (https://github.com/Dolibarr/dolibarr/blob/HEAD/htdocs/core/modules/modFacture.class.php).
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
