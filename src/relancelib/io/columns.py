"""The columns of the CSV files: which header names give which field (``docs/import.md``)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from relancelib.errors import DataImportError
from relancelib.parsing import fold

__all__ = [
    "CLIENT_COLUMNS",
    "INVOICE_COLUMNS",
    "PAYMENT_COLUMNS",
    "TableColumn",
    "map_header",
    "titles",
]


@attrs.frozen
class TableColumn:
    """One field of a file and the header names that give it."""

    field: str
    #: Accepted (folded) header names; the first is the French name the writers use.
    names: tuple[str, ...]
    required: bool = False
    number: bool = False


INVOICE_COLUMNS = (
    TableColumn(
        "number",
        (
            "numero",
            "number",
            "numero_facture",
            "numero_de_facture",
            "n_facture",
            "no_facture",
            "invoice_number",
            "facture",
        ),
        True,
    ),
    TableColumn("client_id", ("client", "client_id", "code_client", "id_client"), True),
    TableColumn(
        "issue_date",
        ("date_facture", "issue_date", "date_de_facture", "date_emission", "date"),
        True,
    ),
    TableColumn("due_date", ("echeance", "due_date", "date_echeance", "date_d_echeance"), True),
    TableColumn("amount", ("montant_ttc", "amount", "montant", "total_ttc"), True, number=True),
    TableColumn("currency", ("devise", "currency")),
    TableColumn("disputed", ("litige", "disputed")),
    TableColumn("hold_until", ("suspendu_jusqu_au", "hold_until")),
    TableColumn("sent_on", ("envoyee_le", "sent_on", "date_envoi")),
)

PAYMENT_COLUMNS = (
    TableColumn("invoice", ("facture", "invoice", "numero_facture", "invoice_number"), True),
    TableColumn(
        "on", ("date", "on", "date_paiement", "date_de_paiement", "date_reglement", "paid_on"), True
    ),
    TableColumn("amount", ("montant", "amount"), True, number=True),
    TableColumn("currency", ("devise", "currency")),
    TableColumn("reference", ("reference", "ref")),
)

CLIENT_COLUMNS = (
    TableColumn("id", ("id", "code_client", "client_id", "client", "code"), True),
    TableColumn("name", ("nom", "name", "raison_sociale"), True),
    TableColumn("email", ("email", "e_mail", "courriel", "mail")),
    TableColumn("phone", ("telephone", "phone", "tel")),
    TableColumn("address", ("adresse", "address")),
    TableColumn("postal_code", ("code_postal", "postal_code", "cp")),
    TableColumn("city", ("ville", "city")),
    TableColumn("country", ("pays", "country")),
    TableColumn("kind", ("type", "kind")),
    TableColumn("siren", ("siren",)),
    TableColumn("segment", ("segment",)),
    TableColumn("penalty_rate", ("taux_penalites", "penalty_rate"), number=True),
    TableColumn("locale", ("langue", "locale")),
)


def map_header(
    header: Sequence[str], schema: Sequence[TableColumn], source: str
) -> tuple[dict[str, int], tuple[str, ...]]:
    """Which column gives which field, and the titles no field uses; a missing required
    column, or two columns for one field, is a :class:`DataImportError` naming the file."""
    by_name = {name: column for column in schema for name in column.names}
    found: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        column = by_name.get(fold(title))
        if column is None:
            if title.strip():
                ignored.append(title.strip())
            continue
        if column.field in found:
            first = header[found[column.field]].strip()
            raise DataImportError(
                f"{source}: columns {first!r} and {title.strip()!r} both give the "
                f"{column.field} field; keep one"
            )
        found[column.field] = index
    missing = [column for column in schema if column.required and column.field not in found]
    if missing:
        names = "; ".join(
            f"{column.names[0]!r} (or {', '.join(repr(n) for n in column.names[1:])})"
            for column in missing
        )
        raise DataImportError(
            f"{source}: missing required column {names}; the header is "
            f"{', '.join(repr(t) for t in header)}"
        )
    return found, tuple(ignored)


def titles(schema: Sequence[TableColumn], fields: Sequence[str], *, french: bool) -> list[str]:
    """The header the writers write: the French names, or the English ones (the field
    names, which the readers accept too)."""
    if not french:
        return list(fields)
    by_field = {column.field: column for column in schema}
    return [by_field[field].names[0] for field in fields]
