"""E-invoices in: the sample files published with the factur-x package (CII of every
profile, UBL 2.1, a Factur-X PDF), read with lxml XPath; credit notes; a folder source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from relancelib.errors import DataImportError
from relancelib.io import read_einvoice, read_einvoice_files, read_facturx
from relancelib.model import Address, Payment

pytest.importorskip("lxml")
DATA = Path(__file__).parent / "data" / "facturx"
CII_PROFILES = {
    "factur-x-minimum.xml": "urn:factur-x.eu:1p0:minimum",
    "factur-x-basicwl.xml": "urn:factur-x.eu:1p0:basicwl",
    "factur-x-basic.xml": "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    "factur-x-en16931.xml": "urn:cen.eu:en16931:2017",
    "factur-x-extended.xml": "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
}


@pytest.mark.parametrize(("name", "profile"), sorted(CII_PROFILES.items()))
def test_every_cii_profile_of_the_published_samples_is_read(name: str, profile: str) -> None:
    read = read_einvoice(DATA / name)
    assert read.profile == profile
    assert read.syntax == "CII"
    invoice = read.invoice
    assert invoice is not None
    assert (invoice.number, invoice.issue_date, invoice.amount, invoice.currency) == (
        "F20260023",
        dt.date(2026, 1, 31),
        Decimal("104.90"),
        "EUR",
    )
    assert read.buyer.name == "LE CLIENT"
    assert read.buyer.id == ("987654321" if name in ("factur-x-minimum.xml",) else read.buyer.id)
    assert (read.seller_name, read.seller_siren) == ("LE FOURNISSEUR", "123456782")


def test_minimum_has_no_due_date_and_gets_the_legal_30_days_with_a_warning() -> None:
    read = read_einvoice(DATA / "factur-x-minimum.xml")
    assert read.invoice is not None
    assert read.invoice.due_date == dt.date(2026, 3, 2)
    assert read.warnings == (
        # The sample's SIREN fails its checksum: dropped with a warning, the invoice is kept.
        "the buyer's siren is left out: Client.siren: '987654321' is not a valid SIREN "
        "(The number's checksum or check digit is invalid.)",
        "no due date (BT-9): the legal default applies, 30 days after the issue date "
        "(Code de commerce L441-10 I), 2026-03-02",
    )
    assert read.buyer.siren is None


def test_en16931_reads_the_buyer_through_the_xml_comments() -> None:
    read = read_einvoice(DATA / "factur-x-en16931.xml")
    assert read.invoice is not None
    assert read.invoice.due_date == dt.date(2026, 3, 2)
    assert read.buyer.email == "me@buyer.com"
    assert read.buyer.siren is None
    assert read.buyer.address == Address(
        ("MON ADRESSE LIGNE 1", "Buyer line 2", "Buyer line 3"), "06000", "MA VILLE"
    )


def test_the_published_facturx_pdf_is_read() -> None:
    pytest.importorskip("facturx")
    read = read_facturx(DATA / "invoice_EN16931.pdf")
    assert read.invoice is not None
    assert read.syntax == "CII"
    assert (read.invoice.number, read.invoice.issue_date, read.invoice.due_date) == (
        "F20260023",
        dt.date(2026, 1, 31),
        dt.date(2026, 3, 2),
    )
    assert read.invoice.amount == Decimal("104.90")
    assert (read.buyer.id, read.buyer.name, read.buyer.email) == (
        "987654321",
        "LE CLIENT",
        "me@buyer.com",
    )


def test_a_ubl_invoice_is_read() -> None:
    read = read_einvoice(DATA / "ubl-21-en16931.xml")
    assert read.syntax == "UBL"
    assert read.invoice is not None
    assert (read.invoice.number, read.invoice.issue_date, read.invoice.due_date) == (
        "F124212",
        dt.date(2026, 6, 17),
        dt.date(2026, 7, 16),
    )
    assert read.invoice.amount == Decimal("308.03")
    assert read.invoice.payments == (
        Payment(dt.date(2026, 6, 17), Decimal("100.00"), reference="TotalPrepaidAmount (BT-113)"),
    )
    assert (read.buyer.id, read.buyer.name, read.buyer.siren) == (
        "78787878400018",
        "Ma jolie boutique SARL",
        "787878784",
    )
    assert read.buyer.email == "laetita.durand@jolieboutique.com"
    assert (read.seller_name, read.seller_siren) == ("Au bon moulin", "999999998")


def test_a_ubl_credit_note_and_a_cii_381_are_credit_notes() -> None:
    read = read_einvoice(DATA / "ubl-creditnote.xml")
    assert read.invoice is None
    assert read.credit_note is not None
    assert (read.credit_note.number, read.credit_note.amount, read.credit_note.applies_to) == (
        "AV-2026-007",
        Decimal("60.00"),
        "F124212",
    )
    cii = (
        (DATA / "factur-x-en16931.xml")
        .read_bytes()
        .replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:TypeCode>381</ram:TypeCode>", 1)
    )
    note = read_einvoice(cii, name="avoir.xml")
    assert note.credit_note is not None
    assert note.credit_note.amount == Decimal("104.90")
    with pytest.raises(DataImportError, match=r"^avoir\.xml: is a credit note \(type 381\)"):
        read_facturx(cii, name="avoir.xml")


def test_a_file_it_cannot_use_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "commande.xml"
    bad.write_bytes(b"<Order xmlns='urn:x'/>")
    with pytest.raises(DataImportError, match=rf"^{bad}: is not a Cross Industry Invoice"):
        read_einvoice(bad)
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<rsm:CrossIndustryInvoice")
    with pytest.raises(DataImportError, match=rf"^{broken}: is not well-formed XML"):
        read_einvoice(broken)
    result = read_einvoice_files([DATA / "factur-x-basic.xml", bad])
    assert [item.source for item in result.items] == [str(DATA / "factur-x-basic.xml")]
    assert [problem.source for problem in result.problems] == [str(bad)]


def test_a_folder_source_reads_all_three_formats(tmp_path: Path) -> None:
    import shutil

    from relancelib.config import load_portfolio, parse_config

    folder = tmp_path / "recues"
    folder.mkdir()
    for name in ("ubl-21-en16931.xml", "ubl-creditnote.xml", "invoice_EN16931.pdf"):
        shutil.copy(DATA / name, folder / name)
    config = parse_config(
        '[creditor]\nname = "Moi"\n[creditor.address]\nlines = ["1 rue X"]\npostal_code = "69001"\n'
        'city = "Lyon"\n[sources]\neinvoices = "recues"\n',
        base_dir=tmp_path,
    )
    portfolio = load_portfolio(config)
    assert portfolio.problems == ()
    numbers = sorted(invoice.number for invoice in portfolio.invoices)
    assert numbers == ["F124212", "F20260023"]
    ubl = next(i for i in portfolio.invoices if i.number == "F124212")
    assert ubl.payments[-1] == Payment(
        dt.date(2026, 6, 20), Decimal("60.00"), reference="Avoir AV-2026-007"
    )
    # The sample's buyer identifiers are made up: both are dropped, each with a warning.
    assert [w.message for w in portfolio.warnings] == [
        "the buyer's siren is left out: Client.siren: '987654321' is not a valid SIREN "
        "(The number's checksum or check digit is invalid.)",
        "the buyer's vat_number is left out: Client.vat_number: 'FR 05 987 654 321' is not a "
        "valid intra-community VAT number (The number's checksum or check digit is invalid.)",
    ]
