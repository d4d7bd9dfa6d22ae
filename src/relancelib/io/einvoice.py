"""E-invoices in: the invoice of a Factur-X / ZUGFeRD PDF or of a bare CII XML file.

factur-x and drafthorse (``relancelib[facturx]``) are imported only when a file is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any, TypeAlias, cast

import attrs

from relancelib.checks import check_sequence
from relancelib.errors import DataImportError, RelanceError
from relancelib.io.results import ImportProblem, ImportResult
from relancelib.io.sources import load_bytes, source_name
from relancelib.model import Address, Client, Invoice, Payment

__all__ = ["FacturXInvoice", "read_facturx", "read_facturx_files"]


@attrs.frozen
class FacturXInvoice:
    """An invoice read from a Factur-X / ZUGFeRD PDF or a CII XML file.

    ``buyer`` is the client the invoice was issued to; ``seller_name`` and ``seller_siren``
    say who issued it (check it is you before chasing); ``profile`` is the guideline
    identifier (``urn:...:factur-x.eu:1p0:basic``); ``warnings`` list what was read but
    left out (an address or an e-mail address the model refuses, a due amount that
    differs from the grand total less prepaid amounts).
    """

    invoice: Invoice
    buyer: Client
    seller_name: str | None
    seller_siren: str | None
    profile: str | None
    source: str
    warnings: tuple[str, ...] = ()


# drafthorse has no public accessors for parsed values: an element keeps its text in
# ``_text``, a date or a decimal in ``_value``, an amount with currency in ``_amount``.


def _dh_text(element: Any) -> str | None:
    text = getattr(element, "_text", None)
    if text is None:
        return None
    text = str(text).strip()
    return text or None


def _dh_value(element: Any) -> Any:
    value = getattr(element, "_value", None)
    return None if value == "" else value


def _dh_amount(element: Any) -> Decimal | None:
    amount = getattr(element, "_amount", None)
    if isinstance(amount, Decimal):
        return amount
    if isinstance(amount, str) and amount.strip():
        return Decimal(amount)
    return None


_CREDIT_NOTES = frozenset({"381", "261", "262", "396", "532"})


#: What :func:`read_facturx` reads: a path, the file's bytes or a file opened in binary mode.
EInvoiceSource: TypeAlias = "str | os.PathLike[str] | bytes | IO[bytes]"


def read_facturx(
    source: EInvoiceSource,
    *,
    client_id: str | None = None,
    name: str | None = None,
) -> FacturXInvoice:
    """Read the invoice of a Factur-X / ZUGFeRD PDF (or of a bare CII XML file).

    The XML is extracted with ``facturx.get_xml_from_pdf`` and read with drafthorse's
    ``Document.parse``.  It maps the invoice number (BT-1), issue date (BT-2), due date
    (BT-9), grand total (BT-112, the amount including VAT), currency (BT-5) and the buyer
    (BT-44 name, BT-46/BT-47 identifier, address and SIREN) to a client; a prepaid amount
    (BT-113) becomes a payment dated on the issue date.  ``client_id`` replaces the buyer's
    identifier (needed when the invoice gives none).  A file that is not a Factur-X invoice,
    a credit note, or an invoice without due date raises :class:`DataImportError` naming
    the file.
    """
    label = source_name(source, name)
    data = load_bytes(source, label)
    if isinstance(data, str):
        raise DataImportError(f"{label}: open the file in binary mode ('rb')")
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
    elif head.startswith(b"<"):
        xml = data
    else:
        raise DataImportError(f"{label}: is neither a PDF nor an XML file")
    return _facturx_invoice(xml, label, client_id)


def _facturx_invoice(xml: bytes, label: str, client_id: str | None) -> FacturXInvoice:
    from drafthorse.models.document import Document  # type: ignore[import-untyped, unused-ignore]

    try:
        document: Any = Document.parse(xml, strict=False)
    # A third-party boundary: lxml and drafthorse raise many kinds of errors on bad XML.
    except Exception as exc:
        raise DataImportError(
            f"{label}: is not a Cross Industry Invoice (CII) XML: {exc}"
        ) from None
    warnings: list[str] = []
    header = document.header
    type_code = _dh_text(header.type_code)
    if type_code in _CREDIT_NOTES:
        raise DataImportError(
            f"{label}: is a credit note (type {type_code}), not an invoice to collect"
        )
    number = _dh_text(header.id)
    issue_date = _dh_value(header.issue_date_time)
    settlement = document.trade.settlement
    currency = _dh_text(settlement.currency_code)
    summation = settlement.monetary_summation
    grand_total = _dh_amount(summation.grand_total)
    due_dates = sorted({_dh_value(term.due) for term in settlement.terms.children} - {None})
    missing = [
        what
        for what, value in (
            ("the invoice number (BT-1)", number),
            ("the issue date (BT-2)", issue_date),
            ("the currency (BT-5)", currency),
            ("the grand total (BT-112)", grand_total),
            ("a due date (BT-9, SpecifiedTradePaymentTerms/DueDateDateTime)", due_dates),
        )
        if not value
    ]
    if missing:
        raise DataImportError(f"{label}: the invoice has no {', no '.join(missing)}")
    if len(due_dates) > 1:
        listed = ", ".join(d.isoformat() for d in due_dates)
        warnings.append(f"several due dates ({listed}); the earliest is used")
    prepaid = _dh_value(summation.prepaid_total)
    payments = []
    if isinstance(prepaid, Decimal) and prepaid > 0:
        payments.append(Payment(issue_date, prepaid, reference="TotalPrepaidAmount (BT-113)"))
    due_amount = _dh_value(summation.due_amount)
    rounding = _dh_value(summation.rounding_amount)
    assert grand_total is not None
    expected = (
        grand_total
        - (prepaid if isinstance(prepaid, Decimal) else 0)
        + (rounding if isinstance(rounding, Decimal) else 0)
    )
    if isinstance(due_amount, Decimal) and due_amount != expected:
        warnings.append(
            f"the amount due for payment (BT-115) {due_amount} differs from the grand total less "
            f"prepaid amounts {expected}; the invoice is read at its grand total"
        )
    buyer = _facturx_client(document.trade.agreement.buyer, label, client_id, warnings)
    try:
        invoice = Invoice(
            number,  # type: ignore[arg-type]
            buyer.id,
            issue_date,
            due_dates[0],
            grand_total,
            currency=currency,  # type: ignore[arg-type]
            payments=payments,
        )
    except RelanceError as exc:
        raise DataImportError(f"{label}: {exc}") from None
    seller = document.trade.agreement.seller
    seller_siren = None
    organisation = seller.legal_organization.id
    if getattr(organisation, "_scheme_id", None) == "0002":
        seller_siren = _dh_text(organisation)
    return FacturXInvoice(
        invoice,
        buyer,
        _dh_text(seller.name),
        seller_siren,
        _dh_text(document.context.guideline_parameter.id),
        label,
        tuple(warnings),
    )


def _facturx_client(party: Any, label: str, client_id: str | None, warnings: list[str]) -> Client:
    name = _dh_text(party.name)
    organisation = party.legal_organization.id
    identifiers = [
        client_id,
        _dh_text(party.id),
        _dh_text(organisation),
        *(str(text).strip() for _scheme, text in party.global_id.children if text),
    ]
    identifier = next((value for value in identifiers if value), None)
    if name is None or identifier is None:
        what = "name (BT-44)" if name is None else "identifier (BT-46/BT-47); pass client_id="
        raise DataImportError(f"{label}: the buyer has no {what}")
    base = Client(identifier, name)
    fields: dict[str, Any] = {}
    if getattr(organisation, "_scheme_id", None) == "0002":
        fields["siren"] = _dh_text(organisation)
    electronic = party.electronic_address.uri_ID
    if getattr(electronic, "_scheme_id", None) == "EM":
        fields["email"] = _dh_text(electronic)
    else:
        fields["email"] = _dh_text(party.contact.email.address)
    address = party.address
    lines = [_dh_text(address.line_one), _dh_text(address.line_two), _dh_text(address.line_three)]
    postal_code, city = _dh_text(address.postcode), _dh_text(address.city_name)
    if any(lines) or postal_code or city:
        try:
            fields["address"] = Address(
                [line for line in lines if line],
                postal_code,  # type: ignore[arg-type]
                city,  # type: ignore[arg-type]
                _dh_text(address.country_id) or "FR",
            )
        except RelanceError as exc:
            warnings.append(f"the buyer's address is left out: {exc}")
    for key, value in fields.items():
        if value is None:
            continue
        try:
            base = attrs.evolve(base, **{key: value})
        except RelanceError as exc:
            warnings.append(f"the buyer's {key} is left out: {exc}")
    return base


def read_facturx_files(
    sources: Iterable[EInvoiceSource],
) -> ImportResult[FacturXInvoice]:
    """Read many Factur-X files: each file that cannot be read is a problem naming it."""
    # Each file is checked by read_facturx, which reports what it cannot read.
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
            items.append(read_facturx(source, name=label))
        except DataImportError as exc:
            message = str(exc).removeprefix(f"{label}: ")
            problems.append(ImportProblem(label, None, None, message))
    return ImportResult(tuple(items), tuple(problems), None, None, (None,) * len(items))
