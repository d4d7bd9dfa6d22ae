"""E-invoices in: a Factur-X / ZUGFeRD PDF, a CII XML (every profile) or a UBL 2.1 invoice or
credit note, read into one result, :class:`FacturXInvoice`.

The XML is read with lxml XPath for the few fields a reminder needs (:mod:`.cii`,
:mod:`.ubl`), so a product line the model does not need can never stop a file; the XML of a
PDF is extracted by the factur-x library.  Both are imported only when a file is read
(``relancelib[facturx]``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any, TypeAlias, cast

import attrs

from relancelib.checks import (
    check_email,
    check_sequence,
    check_siren,
    check_text,
    check_vat_number,
)
from relancelib.errors import DataImportError, RelanceError
from relancelib.io.results import CreditNote, ImportProblem, ImportResult
from relancelib.io.sources import load_bytes, source_name
from relancelib.io.xmlfields import EInvoiceFields, parse_xml
from relancelib.model import Address, Client, Invoice, Payment

__all__ = [
    "DEFAULT_PAYMENT_DAYS",
    "FacturXInvoice",
    "read_einvoice",
    "read_einvoice_files",
    "read_facturx",
    "read_facturx_files",
]

#: Code de commerce L441-10 I: without agreed terms, payment is due 30 days after receipt
#: of the goods or performance of the service (read here from the issue date).
DEFAULT_PAYMENT_DAYS = 30
# UNTDID 1001 codes of credit notes.
_CREDIT_NOTES = frozenset({"381", "261", "262", "396", "532"})

#: What the e-invoice readers read: a path, the file's bytes or a file opened in binary mode.
EInvoiceSource: TypeAlias = "str | os.PathLike[str] | bytes | IO[bytes]"


@attrs.frozen
class FacturXInvoice:
    """An e-invoice read from a Factur-X / ZUGFeRD PDF, a CII XML or a UBL XML file.

    ``invoice`` is the invoice to collect (``None`` for a credit note, which is in
    ``credit_note``); ``buyer`` is the client it was issued to; ``seller_name`` and
    ``seller_siren`` say who issued it (check it is you before chasing); ``profile`` is the
    specification identifier (BT-24, ``urn:factur-x.eu:1p0:minimum``...); ``warnings`` list
    what was read but left out or assumed (an address the model refuses, the legal default
    due date of a MINIMUM invoice).
    """

    invoice: Invoice | None
    buyer: Client
    seller_name: str | None
    seller_siren: str | None
    profile: str | None
    source: str
    warnings: tuple[str, ...] = ()
    credit_note: CreditNote | None = None
    syntax: str = "CII"
    #: BT-3, the document type code (380 invoice, 381 credit note...).
    type_code: str | None = None


def _xml_of(data: bytes, label: str) -> bytes:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF"):
        import facturx

        try:
            _xml_name, xml = facturx.get_xml_from_pdf(data, check_xsd=False)
        # A third-party boundary: pypdf raises its own errors for a damaged PDF.
        except Exception as exc:
            raise DataImportError(f"{label}: is not a readable PDF ({exc})") from None
        if not xml:
            raise DataImportError(
                f"{label}: is a PDF without an embedded Factur-X/ZUGFeRD invoice (no CII XML "
                "attachment such as factur-x.xml)"
            )
        return cast("bytes", xml)
    if head.startswith(b"<"):
        return data
    raise DataImportError(f"{label}: is neither a PDF nor an XML file")


def _fields(xml: bytes, label: str) -> EInvoiceFields:
    from relancelib.io.cii import CII_NAMESPACE, read_cii
    from relancelib.io.ubl import UBL_CREDIT_NOTE, UBL_INVOICE, read_ubl

    root = parse_xml(xml, label)
    tag = str(root.tag)
    if tag == f"{{{CII_NAMESPACE}}}CrossIndustryInvoice":
        return read_cii(root, label)
    if tag in (f"{{{UBL_INVOICE}}}Invoice", f"{{{UBL_CREDIT_NOTE}}}CreditNote"):
        return read_ubl(root, label, credit_note=tag.endswith("}CreditNote"))
    raise DataImportError(
        f"{label}: is not a Cross Industry Invoice (CII) XML nor a UBL 2.1 invoice or credit "
        f"note (its root element is {tag})"
    )


def read_einvoice(
    source: EInvoiceSource, *, client_id: str | None = None, name: str | None = None
) -> FacturXInvoice:
    """Read an e-invoice: a Factur-X / ZUGFeRD PDF, a CII XML of any profile (MINIMUM to
    EXTENDED) or a UBL 2.1 invoice or credit note.

    It maps the number (BT-1), issue date (BT-2), due date (BT-9; without one, as in the
    MINIMUM profile, 30 days after the issue date, Code de commerce L441-10 I, with a
    warning), grand total (BT-112), currency (BT-5), prepaid amount (BT-113, a payment on the
    issue date) and the buyer (BT-44 to BT-58).  A credit note (type 381..., a UBL
    ``CreditNote``) fills ``credit_note`` (with the invoices it refers to, BT-25) instead of
    ``invoice``.  ``client_id`` replaces the buyer's identifier.  A file it cannot use raises
    :class:`DataImportError` naming the file.
    """
    label = source_name(source, name)
    data = load_bytes(source, label)
    if isinstance(data, str):
        raise DataImportError(f"{label}: open the file in binary mode ('rb')")
    fields = _fields(_xml_of(data, label), label)
    return _result(fields, label, client_id)


def read_facturx(
    source: EInvoiceSource, *, client_id: str | None = None, name: str | None = None
) -> FacturXInvoice:
    """Read the invoice of a Factur-X / ZUGFeRD PDF or of an XML e-invoice, as
    :func:`read_einvoice` does; a credit note raises :class:`DataImportError` (it is not
    an invoice to collect), so ``invoice`` is always set."""
    read = read_einvoice(source, client_id=client_id, name=name)
    if read.credit_note is not None:
        code = read.type_code or "CreditNote"
        raise DataImportError(
            f"{read.source}: is a credit note (type {code}), not an invoice to collect"
        )
    return read


def _result(fields: EInvoiceFields, label: str, client_id: str | None) -> FacturXInvoice:
    warnings: list[str] = []
    credit = fields.credit_note or fields.type_code in _CREDIT_NOTES
    missing = [
        what
        for what, value in (
            ("the invoice number (BT-1)", fields.number),
            ("the issue date (BT-2)", fields.issue_date),
            ("the currency (BT-5)", fields.currency),
            ("the grand total (BT-112)", fields.grand_total),
        )
        if value is None
    ]
    if missing:
        raise DataImportError(f"{label}: the invoice has no {', no '.join(missing)}")
    number, issue_date = cast("str", fields.number), cast("dt.date", fields.issue_date)
    currency, total = cast("str", fields.currency), cast("Decimal", fields.grand_total)
    buyer = _buyer(fields, label, client_id, warnings)
    seller_siren = fields.seller_siren
    common: dict[str, Any] = {
        "buyer": buyer,
        "seller_name": fields.seller_name,
        "seller_siren": seller_siren,
        "profile": fields.profile,
        "source": label,
        "syntax": fields.syntax,
        "type_code": fields.type_code,
    }
    if credit:
        try:
            check_text(number, "CreditNote.number")
        except RelanceError as exc:
            raise DataImportError(f"{label}: {exc}") from None
        note = CreditNote(
            number,
            buyer.id,
            issue_date,
            abs(total),
            currency,
            fields.references[0] if fields.references else None,
            label,
        )
        return FacturXInvoice(None, warnings=tuple(warnings), credit_note=note, **common)
    if not fields.due_dates:
        due = issue_date + dt.timedelta(days=DEFAULT_PAYMENT_DAYS)
        warnings.append(
            f"no due date (BT-9): the legal default applies, {DEFAULT_PAYMENT_DAYS} days after "
            f"the issue date (Code de commerce L441-10 I), {due.isoformat()}"
        )
    else:
        due = fields.due_dates[0]
        if len(fields.due_dates) > 1:
            listed = ", ".join(d.isoformat() for d in fields.due_dates)
            warnings.append(f"several due dates ({listed}); the earliest is used")
    prepaid = fields.prepaid or Decimal(0)
    payments = []
    if prepaid > 0:
        payments.append(Payment(issue_date, prepaid, reference="TotalPrepaidAmount (BT-113)"))
    expected = total - prepaid + (fields.rounding or 0)
    if fields.due_amount is not None and fields.due_amount != expected:
        warnings.append(
            f"the amount due for payment (BT-115) {fields.due_amount} differs from the grand "
            f"total less prepaid amounts {expected}; the invoice is read at its grand total"
        )
    try:
        invoice = Invoice(number, buyer.id, issue_date, due, total, currency=currency,
                          payments=payments)  # fmt: skip
    except RelanceError as exc:
        raise DataImportError(f"{label}: {exc}") from None
    return FacturXInvoice(invoice, warnings=tuple(warnings), **common)


def _buyer(
    fields: EInvoiceFields, label: str, client_id: str | None, warnings: list[str]
) -> Client:
    name = fields.buyer_name
    identifier = client_id or next(iter(fields.buyer_ids), None)
    if name is None or identifier is None:
        what = "name (BT-44)" if name is None else "identifier (BT-46/BT-47); pass client_id="
        raise DataImportError(f"{label}: the buyer has no {what}")
    try:
        base = Client(identifier, name)
    except RelanceError as exc:
        # A name or an identifier on two lines would forge a line of a letter or a header.
        raise DataImportError(f"{label}: the buyer (BT-44/BT-46) is refused: {exc}") from None
    values: dict[str, Any] = {}
    for key, value, check in (
        ("siren", fields.buyer_siren, check_siren),
        ("vat_number", fields.buyer_vat, check_vat_number),
        ("email", fields.buyer_email, check_email),
    ):
        if value is None:
            continue
        try:
            values[key] = check(value, f"Client.{key}")
        except RelanceError as exc:
            warnings.append(f"the buyer's {key} is left out: {exc}")
    vat = values.get("vat_number")
    if "siren" not in values and isinstance(vat, str) and vat.startswith("FR"):
        from stdnum.fr import tva

        values["siren"] = tva.to_siren(vat)
    if fields.buyer_lines or fields.buyer_postal_code or fields.buyer_city:
        try:
            values["address"] = Address(
                fields.buyer_lines,
                fields.buyer_postal_code,  # type: ignore[arg-type]
                fields.buyer_city,  # type: ignore[arg-type]
                fields.buyer_country or "FR",
            )
        except RelanceError as exc:
            warnings.append(f"the buyer's address is left out: {exc}")
    return attrs.evolve(base, **values)


def read_einvoice_files(sources: Iterable[EInvoiceSource]) -> ImportResult[FacturXInvoice]:
    """Read many e-invoices: each file that cannot be read is a problem naming it."""
    # Each file is checked by read_einvoice, which reports what it cannot read.
    files = cast(
        "tuple[EInvoiceSource, ...]", check_sequence(sources, object, "sources", what="files")
    )
    items: list[FacturXInvoice] = []
    problems: list[ImportProblem] = []
    for position, source in enumerate(files):
        label = source_name(
            source, None if not isinstance(source, bytes) else f"<bytes #{position}>"
        )
        try:
            items.append(read_einvoice(source, name=label))
        except DataImportError as exc:
            message = str(exc).removeprefix(f"{label}: ")
            problems.append(ImportProblem(label, None, None, message))
    return ImportResult(tuple(items), tuple(problems), None, None, (None,) * len(items))


def read_facturx_files(sources: Iterable[EInvoiceSource]) -> ImportResult[FacturXInvoice]:
    """Read many e-invoices (:func:`read_einvoice_files`; credit notes included)."""
    return read_einvoice_files(sources)
