"""The columns of the CSV files: which header names give which field (``docs/import.md``).

A French export is read as it is: each field has a wide vocabulary of the headers French
invoicing and accounting software write (``N° pièce``, ``Code tiers``, ``Reste dû``...),
compared folded (no case, accents or punctuation: :func:`relancelib.parsing.fold`).  A file
whose headers are not in it is read through a mapping ``field -> header`` (the ``columns=``
argument of the readers, ``[sources.invoices.columns]`` in ``relance.toml``) or a preset
(:data:`relancelib.io.presets.PRESETS`) of a known export.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

import attrs

from relancelib.errors import DataImportError
from relancelib.parsing import fold

__all__ = [
    "CLIENT_COLUMNS",
    "INVOICE_COLUMNS",
    "PAYMENT_COLUMNS",
    "ColumnMap",
    "HeaderMap",
    "TableColumn",
    "check_columns",
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
    #: Fields that may come from several columns joined (``Adresse 1``, ``Adresse 2``...).
    multiple: bool = False


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
            "n_piece",
            "no_piece",
            "numero_piece",
            "numero_de_piece",
            "piece",
            "ref_facture",
            "reference_facture",
            "invoice_ref",
            "invoiceref",
            "n_document",
            "numero_document",
            "document",
            "ref",
            "reference",
            "name",
        ),
        True,
    ),
    TableColumn(
        "client_id",
        (
            "client",
            "client_id",
            "code_client",
            "id_client",
            "code_tiers",
            "tiers",
            "compte",
            "compte_tiers",
            "n_compte_tiers",
            "numero_compte_tiers",
            "compte_client",
            "n_compte",
            "numero_de_compte",
            "customer",
            "customer_code",
            "customercode",
            "partner_id",
            "partenaire",
            "id_tiers",
            "idcompany",
        ),
        True,
    ),
    TableColumn(
        "issue_date",
        (
            "date_facture",
            "issue_date",
            "date_de_facture",
            "date_emission",
            "date",
            "date_piece",
            "date_de_piece",
            "date_document",
            "date_facturation",
            "invoice_date",
            "dateinvoice",
            "date_d_emission",
            "date_ecriture",
        ),
        True,
    ),
    TableColumn(
        "due_date",
        (
            "echeance",
            "due_date",
            "date_echeance",
            "date_d_echeance",
            "date_limite",
            "date_limite_de_reglement",
            "date_limite_reglement",
            "invoice_date_due",
            "datedue",
            "date_de_reglement_prevue",
            "deadline",
        ),
        True,
    ),
    TableColumn(
        "amount",
        (
            "montant_ttc",
            "amount",
            "montant",
            "total_ttc",
            "totalttc",
            "ttc",
            "montant_total",
            "total",
            "montant_facture",
            "amount_total",
            "amount_total_signed",
            "debit",
        ),
        True,
        number=True,
    ),
    TableColumn(
        "balance",
        (
            "reste_du",
            "balance",
            "solde",
            "restant_du",
            "reste_a_payer",
            "reste_a_regler",
            "montant_restant",
            "restant",
            "reste",
            "amount_residual",
            "amount_residual_signed",
            "montant_du",
            "solde_du",
            "rest",
            "remaining",
            "remaining_amount",
            "remaining_amount_with_tax",
        ),
        number=True,
    ),
    TableColumn("paid_on", ("date_de_reglement", "date_reglement", "paid_on", "date_paiement")),
    TableColumn("kind", ("type", "type_piece", "type_de_piece", "nature", "move_type", "kind")),
    TableColumn(
        "applies_to",
        (
            "facture_d_origine",
            "facture_origine",
            "origine",
            "avoir_sur",
            "facture_liee",
            "reversed_entry_id",
            "applies_to",
            "facture_avoir",
        ),
    ),
    TableColumn("matched", ("lettrage", "code_lettrage", "matching", "matching_number")),
    TableColumn("currency", ("devise", "currency", "currency_id", "code_devise")),
    TableColumn("disputed", ("litige", "disputed", "en_litige")),
    TableColumn("hold_until", ("suspendu_jusqu_au", "hold_until")),
    TableColumn("sent_on", ("envoyee_le", "sent_on", "date_envoi")),
)

PAYMENT_COLUMNS = (
    TableColumn(
        "invoice",
        (
            "facture",
            "invoice",
            "numero_facture",
            "invoice_number",
            "n_facture",
            "n_piece",
            "piece",
            "ref_facture",
            "numero_piece",
        ),
    ),
    TableColumn(
        "on",
        (
            "date",
            "on",
            "date_paiement",
            "date_de_paiement",
            "date_reglement",
            "paid_on",
            "date_de_reglement",
            "date_encaissement",
        ),
        True,
    ),
    TableColumn("amount", ("montant", "amount", "montant_regle", "credit"), True, number=True),
    TableColumn("client_id", ("client", "code_client", "client_id", "code_tiers", "tiers")),
    TableColumn("currency", ("devise", "currency")),
    TableColumn("reference", ("reference", "ref", "libelle", "mode_de_reglement")),
)

CLIENT_COLUMNS = (
    TableColumn(
        "id",
        (
            "id",
            "code_client",
            "client_id",
            "client",
            "code",
            "code_tiers",
            "tiers",
            "compte",
            "compte_tiers",
            "compte_client",
            "n_compte",
            "customer_code",
            "customercode",
            "idcompany",
            "numero_client",
        ),
        True,
    ),
    TableColumn(
        "name",
        (
            "nom",
            "name",
            "raison_sociale",
            "intitule",
            "nom_client",
            "societe",
            "companyname",
            "denomination",
            "display_name",
            "client_name",
        ),
        True,
    ),
    TableColumn(
        "email", ("email", "e_mail", "courriel", "mail", "adresse_e_mail", "email_facturation")
    ),
    TableColumn("phone", ("telephone", "phone", "tel", "telephone_fixe", "portable", "mobile")),
    TableColumn(
        "address",
        (
            "adresse",
            "address",
            "adresse_1",
            "adresse_2",
            "adresse_3",
            "adresse1",
            "adresse2",
            "adresse3",
            "complement",
            "complement_d_adresse",
            "street",
            "street2",
            "rue",
            "address_1",
            "address_2",
            "ligne_1",
            "ligne_2",
        ),
        multiple=True,
    ),
    TableColumn("postal_code", ("code_postal", "postal_code", "cp", "zip", "code_postal_ville")),
    TableColumn("city", ("ville", "city", "town", "commune", "localite")),
    TableColumn("country", ("pays", "country", "code_pays", "countrycode", "country_code")),
    TableColumn("kind", ("type", "kind", "type_client", "nature", "categorie")),
    TableColumn(
        "siren", ("siren", "siret", "profid1", "profid2", "n_siret", "n_siren", "company_registry")
    ),
    TableColumn(
        "vat_number",
        (
            "n_tva",
            "tva_intracommunautaire",
            "numero_de_tva",
            "n_tva_intracommunautaire",
            "tva_intra",
            "vatintra",
            "vat",
            "vat_number",
            "numero_tva",
        ),
    ),
    TableColumn("segment", ("segment", "famille", "categorie_client")),
    TableColumn("penalty_rate", ("taux_penalites", "penalty_rate"), number=True),
    TableColumn("locale", ("langue", "locale", "lang")),
)

#: field -> the header (as written in the file) that gives it.
ColumnMap = Mapping[str, str]


@attrs.frozen
class HeaderMap:
    """What a header says: which column gives which field (several for a multiple field),
    the titles no field uses, and the known name each of those may be misspelt for."""

    fields: Mapping[str, tuple[int, ...]]
    ignored: tuple[str, ...]
    suggestions: Mapping[str, str]

    def first(self, field: str) -> int | None:
        found = self.fields.get(field)
        return None if not found else found[0]


def check_columns(columns: object, field: str = "columns") -> ColumnMap | None:
    """``columns`` as the readers take it: ``None``, or a mapping of field names to the
    file's own headers, both text (``{"number": "N° pièce"}``); anything else raises
    :class:`DataImportError` naming ``field`` and the value."""
    if columns is None:
        return None
    if not isinstance(columns, Mapping):
        raise DataImportError(
            "must be a mapping of field names to the file's headers, such as "
            "{'number': 'N° pièce'}",
            field=field,
            value=columns,
        )
    for key, title in columns.items():
        if not isinstance(key, str) or not isinstance(title, str):
            raise DataImportError(
                "maps a field name to a header, both text", field=field, value={key: title}
            )
    return columns


def map_header(
    header: Sequence[str],
    schema: Sequence[TableColumn],
    source: str,
    columns: ColumnMap | None = None,
    preset: ColumnMap | None = None,
) -> HeaderMap:
    """Which column gives which field; ``columns`` (field -> header as written) comes before
    the vocabulary, and ``preset`` (a known export's headers) comes next, used where the file
    has them.  A missing required column, a mapped header the file lacks, or two columns
    for one field is a :class:`DataImportError` naming the file."""
    columns = check_columns(columns)
    by_field = {column.field: column for column in schema}
    folded = [fold(title) for title in header]
    found: dict[str, list[int]] = {}
    taken: set[int] = set()
    soft = {
        f: t for f, t in (preset or {}).items() if fold(t) in folded and f not in (columns or {})
    }
    columns = {**soft, **(columns or {})}
    for field, title in columns.items():
        if field not in by_field:
            known = ", ".join(by_field)
            raise DataImportError(f"{source}: columns: {field!r} is not a field (known: {known})")
        if fold(title) not in folded:
            listed = ", ".join(repr(t) for t in header)
            raise DataImportError(
                f"{source}: columns.{field} = {title!r} is not in the header ({listed})"
            )
        index = folded.index(fold(title))
        found[field] = [index]
        taken.add(index)
    by_name = {name: column for column in schema for name in column.names}
    ignored: list[str] = []
    for index, (title, name) in enumerate(zip(header, folded, strict=True)):
        if index in taken:
            continue
        column = by_name.get(name)
        if column is None or (column.field in found and columns and column.field in columns):
            if title.strip() and column is None:
                ignored.append(title.strip())
            continue
        if column.field in found and not column.multiple:
            first = header[found[column.field][0]].strip()
            raise DataImportError(
                f"{source}: columns {first!r} and {title.strip()!r} both give the "
                f"{column.field} field; keep one, or name the one to read in "
                f"columns = {{{column.field} = ...}}"
            )
        found.setdefault(column.field, []).append(index)
    missing = [column for column in schema if column.required and column.field not in found]
    if missing:
        names = "; ".join(
            f"{column.names[0]!r} (or {', '.join(repr(n) for n in column.names[1:6])}...)"
            for column in missing
        )
        raise DataImportError(
            f"{source}: missing required column {names}; the header is "
            f"{', '.join(repr(t) for t in header)}; map it with columns = "
            f'{{{missing[0].field} = "<your header>"}}'
        )
    vocabulary = list(by_name)
    suggestions = {}
    for title in ignored:
        close = difflib.get_close_matches(fold(title), vocabulary, n=1, cutoff=0.8)
        if close:
            suggestions[title] = close[0]
    return HeaderMap(
        {field: tuple(indexes) for field, indexes in found.items()},
        tuple(ignored),
        suggestions,
    )


def titles(schema: Sequence[TableColumn], fields: Sequence[str], *, french: bool) -> list[str]:
    """The header the writers write: the French names, or the English ones (the field
    names, which the readers accept too)."""
    if not french:
        return list(fields)
    by_field = {column.field: column for column in schema}
    return [by_field[field].names[0] for field in fields]
