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
    "Column",
    "map_header",
    "titles",
]


@attrs.frozen
class Column:
    """One field of a file and the header names that give it."""

    field: str
    #: Accepted (folded) header names; the first is the French name the writers use.
    names: tuple[str, ...]
    required: bool = False
    number: bool = False


INVOICE_COLUMNS = (
    Column(
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
    Column("client_id", ("client", "client_id", "code_client", "id_client"), True),
    Column(
        "issue_date",
        ("date_facture", "issue_date", "date_de_facture", "date_emission", "date"),
        True,
    ),
    Column("due_date", ("echeance", "due_date", "date_echeance", "date_d_echeance"), True),
    Column("amount", ("montant_ttc", "amount", "montant", "total_ttc"), True, number=True),
    Column("currency", ("devise", "currency")),
    Column("disputed", ("litige", "disputed")),
    Column("hold_until", ("suspendu_jusqu_au", "hold_until")),
    Column("sent_on", ("envoyee_le", "sent_on", "date_envoi")),
)

PAYMENT_COLUMNS = (
    Column("invoice", ("facture", "invoice", "numero_facture", "invoice_number"), True),
    Column(
        "on", ("date", "on", "date_paiement", "date_de_paiement", "date_reglement", "paid_on"), True
    ),
    Column("amount", ("montant", "amount"), True, number=True),
    Column("currency", ("devise", "currency")),
    Column("reference", ("reference", "ref")),
)

CLIENT_COLUMNS = (
    Column("id", ("id", "code_client", "client_id", "client", "code"), True),
    Column("name", ("nom", "name", "raison_sociale"), True),
    Column("email", ("email", "e_mail", "courriel", "mail")),
    Column("phone", ("telephone", "phone", "tel")),
    Column("address", ("adresse", "address")),
    Column("postal_code", ("code_postal", "postal_code", "cp")),
    Column("city", ("ville", "city")),
    Column("country", ("pays", "country")),
    Column("kind", ("type", "kind")),
    Column("siren", ("siren",)),
    Column("segment", ("segment",)),
    Column("penalty_rate", ("taux_penalites", "penalty_rate"), number=True),
    Column("locale", ("langue", "locale")),
)


def map_header(
    header: Sequence[str], schema: Sequence[Column], source: str
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


def titles(schema: Sequence[Column], fields: Sequence[str], *, french: bool) -> list[str]:
    """The header the writers write: the French names, or the English ones (the field
    names, which the readers accept too)."""
    if not french:
        return list(fields)
    by_field = {column.field: column for column in schema}
    return [by_field[field].names[0] for field in fields]
