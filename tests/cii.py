"""The one builder of CII (Cross Industry Invoice) XML for the tests: a Factur-X EN 16931
invoice made with drafthorse and validated against the schema, and its Factur-X PDF.

Import it as ``from cii import cii_invoice, facturx_pdf`` (``tests`` is on pytest's
``pythonpath``).  The defaults are one invoice of 1 234,50 € (1 028,75 € + 20 % VAT) from
Atelier Dupont SARL to Société Générale d'Électricité; each argument changes one fact.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

SGE = "Société Générale d'Électricité"
CENT = Decimal("0.01")


def cii_invoice(
    number: str = "FA-2025-042",
    *,
    issue_date: dt.date = dt.date(2025, 1, 15),
    due: dt.date | None = dt.date(2025, 2, 14),
    type_code: str = "380",
    seller_name: str = "Atelier Dupont SARL",
    seller_siren: str = "732829320",
    buyer_id: str = "C042",
    buyer_name: str = SGE,
    buyer_siren: str | None = "552100554",
    buyer_email: str | None = "compta@sge.fr",
    buyer_address: tuple[str, str, str] | None = ("2 rue Général-Leclerc", "25000", "Besançon"),
    product: str = "Maintenance",
    net: Decimal = Decimal("1028.75"),
    vat_rate: Decimal = Decimal("20.00"),
    prepaid: Decimal | None = None,
    due_amount: Decimal | None = None,
) -> bytes:
    """The CII XML of one invoice line of ``net`` plus VAT at ``vat_rate`` percent.

    ``due=None`` leaves out the due date (BT-9); ``buyer_address`` is (line, postal code,
    city), ``None`` for a buyer with only a country; ``due_amount`` defaults to the grand
    total less ``prepaid``.
    """
    pytest.importorskip("drafthorse")
    from drafthorse.models.accounting import ApplicableTradeTax
    from drafthorse.models.document import Document
    from drafthorse.models.payment import PaymentTerms
    from drafthorse.models.tradelines import LineItem

    tax_amount = (net * vat_rate / 100).quantize(CENT)
    grand_total = net + tax_amount
    doc = Document()
    doc.context.guideline_parameter.id = "urn:cen.eu:en16931:2017"
    doc.header.id = number
    doc.header.type_code = type_code
    doc.header.issue_date_time = issue_date
    seller = doc.trade.agreement.seller
    seller.name = seller_name
    seller.legal_organization.id = ("0002", seller_siren)
    seller.address.country_id = "FR"
    buyer = doc.trade.agreement.buyer
    buyer.id = buyer_id
    buyer.name = buyer_name
    if buyer_siren is not None:
        buyer.legal_organization.id = ("0002", buyer_siren)
    if buyer_address is not None:
        buyer.address.line_one, buyer.address.postcode, buyer.address.city_name = buyer_address
    buyer.address.country_id = "FR"
    if buyer_email is not None:
        buyer.electronic_address.uri_ID = ("EM", buyer_email)
    settlement = doc.trade.settlement
    settlement.currency_code = "EUR"
    line = LineItem()
    line.document.line_id = "1"
    line.product.name = product
    line.agreement.net.amount = net
    line.delivery.billed_quantity = (Decimal("1.0000"), "C62")
    line.settlement.trade_tax.type_code = "VAT"
    line.settlement.trade_tax.category_code = "S"
    line.settlement.trade_tax.rate_applicable_percent = vat_rate
    line.settlement.monetary_summation.total_amount = net
    doc.trade.items.add(line)
    tax = ApplicableTradeTax()
    tax.calculated_amount = tax_amount
    tax.basis_amount = net
    tax.type_code = "VAT"
    tax.category_code = "S"
    tax.rate_applicable_percent = vat_rate
    settlement.trade_tax.add(tax)
    if due is not None:
        terms = PaymentTerms()
        terms.due = due
        settlement.terms.add(terms)
    summation = settlement.monetary_summation
    summation.line_total = net
    summation.charge_total = Decimal("0.00")
    summation.allowance_total = Decimal("0.00")
    summation.tax_basis_total = net
    summation.tax_total = (tax_amount, "EUR")
    summation.grand_total = grand_total
    if prepaid is not None:
        summation.prepaid_total = prepaid
    summation.due_amount = grand_total - (prepaid or 0) if due_amount is None else due_amount
    return doc.serialize(schema="FACTUR-X_EN16931")  # type: ignore[no-any-return]


def facturx_pdf(xml: bytes, *, title: str = "Facture FA-2025-042") -> bytes:
    """A Factur-X PDF (made with weasyprint and the factur-x library) embedding ``xml``."""
    facturx = pytest.importorskip("facturx")
    weasyprint = pytest.importorskip("weasyprint")
    base = weasyprint.HTML(string=f"<h1>{title}</h1><p>Total TTC : 1 234,50 €</p>").write_pdf()
    return facturx.generate_from_binary(  # type: ignore[no-any-return]
        base, xml, flavor="factur-x", level="en16931", check_xsd=True
    )
