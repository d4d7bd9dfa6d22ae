"""Tests of relancelib.io: real files in tmp_path, real objects, exact values."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cii import SGE, cii_invoice, facturx_pdf
from relancelib.engine import plan
from relancelib.errors import DataImportError
from relancelib.io import (
    AGED_BUCKETS,
    CsvStyle,
    ImportProblem,
    InvoicePayment,
    aged_balance,
    attach_payments,
    clients_from_frame,
    invoices_from_frame,
    parse_amount,
    parse_date,
    payments_from_frame,
    plan_to_csv,
    plan_to_frame,
    read_clients_csv,
    read_facturx,
    read_facturx_files,
    read_invoices_csv,
    read_payments_csv,
    read_portfolio,
    records_to_frame,
    write_clients_csv,
    write_invoices_csv,
    write_payments_csv,
)
from relancelib.journal import MemoryJournal
from relancelib.model import Address, Client, ClientKind, Invoice, Payment
from relancelib.policy import ReminderPolicy

pd = pytest.importorskip("pandas")

INVOICE_HEADER = "numero;client;date_facture;echeance;montant_ttc;devise;litige;suspendu_jusqu_au;envoyee_le"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ---------------------------------------------------------------------------------------------
# Cell formats


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1\u202f234,50", "1234.50"),
        ("1234,50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1234.50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("12 345 678,9", "12345678.9"),
        ("1.234.567", "1234567"),
        ("0,123", "0.123"),
        ("1234,567", "1234.567"),
        ("42", "42"),
        ("-12,50", "-12.50"),
        (" 1 234,50 € ", "1234.50"),
    ],
)
def test_parse_amount_reads_french_and_english_formats_exactly(text: str, expected: str) -> None:
    value = parse_amount(text)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize("text", ["1.234", "1,234", "999,000", "-1.234"])
def test_parse_amount_refuses_thousands_or_decimals_ambiguity(text: str) -> None:
    with pytest.raises(DataImportError, match="ambiguous"):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("12 34,50", "misplaced thousands separators"),
        ("1,2,3", "misplaced thousands separators"),
        ("1 234.567,00", "several thousands separators"),
        ("12,", "no decimals"),
        ("douze", "not an amount"),
        ("", "not an amount"),
        ("1e3", "not an amount"),
    ],
)
def test_parse_amount_refuses_malformed_amounts(text: str, why: str) -> None:
    with pytest.raises(DataImportError, match=why):
        parse_amount(text)


def test_parse_date_reads_french_and_iso_dates() -> None:
    assert parse_date("05/03/2025") == dt.date(2025, 3, 5)
    assert parse_date("5/3/2025") == dt.date(2025, 3, 5)
    assert parse_date("2025-03-05") == dt.date(2025, 3, 5)


@pytest.mark.parametrize("text", ["31/02/2025", "05/03/25", "03/13/2025", "2025-3-5", "05/03/2025 10:00"])
def test_parse_date_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(DataImportError, match="date"):
        parse_date(text)


# ---------------------------------------------------------------------------------------------
# Invoices


def test_reads_french_invoices_csv(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "factures.csv",
        f"{INVOICE_HEADER}\n"
        "FA-001;C001;15/01/2025;14/02/2025;1 234,50;EUR;non;;15/01/2025\n"
        "FA-002;C002;2025-01-20;2025-03-20;99,90;;oui;30/04/2025;\n",
    )
    result = read_invoices_csv(path)
    assert result.items == (
        Invoice("FA-001", "C001", dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("1234.50"),
                sent_on=dt.date(2025, 1, 15)),
        Invoice("FA-002", "C002", dt.date(2025, 1, 20), dt.date(2025, 3, 20), Decimal("99.90"),
                disputed=True, hold_until=dt.date(2025, 4, 30)),
    )
    assert result.problems == ()
    assert result.ok
    assert result.encoding == "utf-8"
    assert result.source == str(path)
    assert result.lines == (2, 3)


def test_reads_utf8_with_bom_and_french_header_spellings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bom.csv",
        "\ufeffN° facture;Client;Date facture;Date d'échéance;Montant TTC;Remarque\n"
        "FA-1;C1;01/02/2025;03/03/2025;10,00;payée en partie\n",
    )
    result = read_invoices_csv(path)
    assert result.encoding == "utf-8-sig"
    assert result.items == (Invoice("FA-1", "C1", dt.date(2025, 2, 1), dt.date(2025, 3, 3), Decimal("10.00")),)
    assert result.ignored_columns == ("Remarque",)


def test_reads_cp1252_and_says_so(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "clients.csv",
        f"id;nom;ville;code_postal;adresse\nC1;{SGE};Besançon;25000;2 rue Général-Leclerc\n",
        encoding="cp1252",
    )
    result = read_clients_csv(path)
    assert result.encoding == "cp1252"
    assert result.items == (
        Client("C1", SGE, address=Address(("2 rue Général-Leclerc",), "25000", "Besançon")),
    )


def test_explicit_encoding_is_used_and_a_wrong_one_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.csv", f"id;nom\nC1;{SGE}\n", encoding="cp1252")
    assert read_clients_csv(path, encoding="cp1252").items == (Client("C1", SGE),)
    with pytest.raises(DataImportError, match=r"latin\.csv: cannot be decoded as utf-8 \(byte 0xe9 on line 2\)"):
        read_clients_csv(path, encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("numero,client,date_facture,echeance,montant_ttc\nF1,C1,01/02/2025,03/03/2025,1234.50\n", None),
        ("numero\tclient\tdate_facture\techeance\tmontant_ttc\nF1\tC1\t01/02/2025\t03/03/2025\t1 234,50\n", None),
        ('numero,client,date_facture,echeance,montant_ttc\nF1,C1,01/02/2025,03/03/2025,"1 234,50"\n', ","),
    ],
)
def test_comma_and_tab_separators(tmp_path: Path, text: str, delimiter: str | None) -> None:
    result = read_invoices_csv(write(tmp_path, "f.csv", text), delimiter=delimiter)
    assert result.problems == ()
    assert result.items == (Invoice("F1", "C1", dt.date(2025, 2, 1), dt.date(2025, 3, 3), Decimal("1234.50")),)


def test_broken_rows_become_problems_and_good_rows_still_load(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "factures.csv",
        "numero;client;date_facture;echeance;montant_ttc\n"
        "FA-1;C1;15/01/2025;14/02/2025;1 234,50\n"
        "FA-2;C1;31/02/2025;14/03/2025;100,00\n"
        "FA-3;C1;15/01/2025;14/02/2025;1.234\n"
        "FA-4;C1;15/01/2025;14/02/2025;1234.50\n"
        "FA-5;C1;15/01/2025;14/01/2025;10,00\n"
        "FA-6;C1;15/01/2025;14/02/2025;1234,567\n"
        "FA-7;;15/01/2025;14/02/2025;10,00\n"
        "FA-8;C1;15/01/2025\n"
        "FA-1;C1;15/01/2025;14/02/2025;5,00\n"
        ";;;;\n"
        "FA-9;C2;16/01/2025;15/02/2025;20,00\n",
    )
    result = read_invoices_csv(path)
    name = str(path)
    assert [invoice.number for invoice in result.items] == ["FA-1", "FA-9"]
    assert result.items[0].amount == Decimal("1234.50")
    assert result.lines == (2, 12)
    assert [(p.line, p.field) for p in result.problems] == [
        (3, "date_facture"),
        (4, "montant_ttc"),
        (5, "montant_ttc"),
        (6, "echeance"),
        (7, "montant_ttc"),
        (8, "client"),
        (9, None),
        (10, None),
    ]
    assert all(p.source == name for p in result.problems)
    messages = [p.message for p in result.problems]
    assert messages[0] == "'31/02/2025' is not a valid date (day is out of range for month)"
    assert "ambiguous" in messages[1]
    assert messages[2] == (
        "'1234.50' uses '.' as decimal mark but this file uses ',' (7 amount(s), the first on "
        "line 2); two formats in one file are not read"
    )
    assert "is before the issue date 2025-01-15" in messages[3]
    assert "more decimals than EUR allows" in messages[4]
    assert messages[5] == "is empty"
    assert messages[6] == "has 3 fields but the header has 5; check the separator ';' and the quotes"
    assert messages[7] == "invoice 'FA-1' was already read (line 2); this row is left out"
    assert str(result.problems[0]) == f"{name}:3: [date_facture] '31/02/2025' is not a valid date (day is out of range for month)"
    with pytest.raises(DataImportError, match="8 row"):
        result.raise_on_problems()


def test_missing_required_column_names_the_file_and_the_column(tmp_path: Path) -> None:
    path = write(tmp_path, "sans_echeance.csv", "numero;client;date_facture;montant_ttc\nF1;C1;01/02/2025;10,00\n")
    with pytest.raises(DataImportError) as caught:
        read_invoices_csv(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: missing required column 'echeance' (or 'due_date', 'date_echeance', 'date_d_echeance', ")


def test_two_columns_for_one_field_is_a_file_error(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", "numero;number;client;date_facture;echeance;montant_ttc\n")
    with pytest.raises(DataImportError, match="columns 'numero' and 'number' both give the number field"):
        read_invoices_csv(path)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataImportError, match=r"vide\.csv: is empty"):
        read_invoices_csv(write(tmp_path, "vide.csv", "\n\n"))
    with pytest.raises(DataImportError, match=r"absent\.csv: cannot be read"):
        read_invoices_csv(tmp_path / "absent.csv")
    with pytest.raises(DataImportError, match=r"une\.csv: cannot tell the separator"):
        read_invoices_csv(write(tmp_path, "une.csv", "numero\nF1\n"))


def test_excel_sep_line_names_the_separator(tmp_path: Path) -> None:
    path = write(tmp_path, "excel.csv", "sep=,\r\nnumero,client,date_facture,echeance,montant_ttc\r\nF1,C1,01/02/2025,03/03/2025,\"1 234,50\"\r\nF2,C1,31/02/2025,03/03/2025,1\r\n")
    result = read_invoices_csv(path)
    assert result.items == (Invoice("F1", "C1", dt.date(2025, 2, 1), dt.date(2025, 3, 3), Decimal("1234.50")),)
    assert result.problems[0].line == 4


def test_text_streams_and_bytes_are_read(tmp_path: Path) -> None:
    text = "numero;client;date_facture;echeance;montant_ttc\nF1;C1;01/02/2025;03/03/2025;10,00\n"
    expected = (Invoice("F1", "C1", dt.date(2025, 2, 1), dt.date(2025, 3, 3), Decimal("10.00")),)
    stream = read_invoices_csv(io.StringIO(text), name="export")
    assert (stream.items, stream.encoding, stream.source) == (expected, None, "export")
    raw = read_invoices_csv(text.encode("cp1252"))
    assert (raw.items, raw.encoding, raw.source) == (expected, "utf-8", "<bytes>")
    with (tmp_path / "f.csv").open("w", encoding="utf-8") as handle:
        handle.write(text)
    with (tmp_path / "f.csv").open("rb") as handle:
        opened = read_invoices_csv(handle)
    assert (opened.items, opened.source) == (expected, str(tmp_path / "f.csv"))


def test_a_quoted_formula_cell_is_read_without_its_quote(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "f.csv",
        "numero;client;date_facture;echeance;montant_ttc\n'=F1;'+C1;01/02/2025;03/03/2025;10,00\n'F2;C1;01/02/2025;03/03/2025;10,00\n",
    )
    assert [(i.number, i.client_id) for i in read_invoices_csv(path).items] == [("=F1", "+C1"), ("'F2", "C1")]


# ---------------------------------------------------------------------------------------------
# Clients and payments


def test_reads_clients_with_every_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "clients.csv",
        "id;nom;email;telephone;adresse;code_postal;ville;pays;type;siren;segment;taux_penalites\n"
        'C1;Boulangerie Martin;compta@martin.fr;04 78 00 00 01;"Bâtiment B | 3 place Bellecour";69002;Lyon;FR;entreprise;552 100 554;vip;10,5\n'
        'C2;Jeanne Lefèvre;;;"8 rue des Lilas\nEscalier 2";75011;Paris;;particulier;;;\n'
        "C3;Acme GmbH;;;Hauptstraße 1;10115;Berlin;DE;business;;;\n"
        "C4;Sans type;;;;;;;grossiste;;;\n"
        "C5;Adresse incomplète;;;1 rue X;;;;;;;\n"
        "C6;Code postal Excel;;;1 rue X;1000;Bourg;;;;;\n",
    )
    result = read_clients_csv(path)
    assert result.items == (
        Client("C1", "Boulangerie Martin", email="compta@martin.fr", phone="04 78 00 00 01",
               address=Address(("Bâtiment B", "3 place Bellecour"), "69002", "Lyon"),
               siren="552100554", segment="vip", penalty_rate=Decimal("10.5")),
        Client("C2", "Jeanne Lefèvre", address=Address(("8 rue des Lilas", "Escalier 2"), "75011", "Paris"),
               kind=ClientKind.CONSUMER),
        Client("C3", "Acme GmbH", address=Address(("Hauptstraße 1",), "10115", "Berlin", "DE")),
    )
    assert result.lines == (2, 3, 5)
    assert [(p.line, p.field) for p in result.problems] == [(6, "type"), (7, "code_postal"), (8, "code_postal")]
    assert result.problems[0].message == "'grossiste' is not 'entreprise' or 'particulier'"
    assert "French postal code" in result.problems[2].message


def test_payments_attach_to_their_invoices_and_unknown_ones_are_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "reglements.csv",
        "facture;date;montant;reference\n"
        "FA-1;20/01/2025;200,00;VIR 1\n"
        "FA-404;21/01/2025;10,00;\n"
        "FA-1;25/01/2025;34,50;\n",
    )
    payments = read_payments_csv(path)
    assert payments.problems == ()
    assert payments.items[0] == InvoicePayment(
        "FA-1", Payment(dt.date(2025, 1, 20), Decimal("200.00"), reference="VIR 1"), str(path), 2
    )
    invoice = Invoice("FA-1", "C1", dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("1234.50"))
    dollars = Invoice("FA-2", "C1", dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("5.00"), currency="USD")
    attached = attach_payments([invoice, dollars], payments.items)
    assert attached.items == (
        attrs.evolve(invoice, payments=(
            Payment(dt.date(2025, 1, 20), Decimal("200.00"), reference="VIR 1"),
            Payment(dt.date(2025, 1, 25), Decimal("34.50")),
        )),
        dollars,
    )
    assert attached.items[0].balance(dt.date(2025, 2, 1)) == Decimal("1000.00")
    assert attached.problems == (
        ImportProblem(str(path), 3, None, "invoice 'FA-404' is not among the invoices; payment not attached"),
    )
    euro_payment = InvoicePayment("FA-2", Payment(dt.date(2025, 1, 20), Decimal("1.00"), currency="EUR"), "p.csv", 9)
    refused = attach_payments([dollars], [euro_payment])
    assert refused.items == (dollars,)
    assert refused.problems[0].line == 9
    assert "is in EUR but invoice FA-2 is in USD" in refused.problems[0].message


def test_read_portfolio_reports_an_invoice_whose_client_is_unknown(tmp_path: Path) -> None:
    clients = write(tmp_path, "clients.csv", f"id;nom\nC1;{SGE}\n", encoding="cp1252")
    invoices = write(
        tmp_path,
        "factures.csv",
        "numero;client;date_facture;echeance;montant_ttc\n"
        "FA-1;C1;15/01/2025;14/02/2025;1 234,50\n"
        "FA-2;C9;15/01/2025;14/02/2025;10,00\n",
    )
    payments = write(tmp_path, "reglements.csv", "facture;date;montant\nFA-1;20/01/2025;234,50\n")
    portfolio = read_portfolio(clients=clients, invoices=invoices, payments=payments)
    assert portfolio.clients == (Client("C1", SGE),)
    assert portfolio.invoices == (
        Invoice("FA-1", "C1", dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("1234.50"),
                payments=(Payment(dt.date(2025, 1, 20), Decimal("234.50")),)),
    )
    assert portfolio.problems == (
        ImportProblem(
            str(invoices), 3, None,
            f"client 'C9' of invoice 'FA-2' is not in {clients}; the invoice is left out",
        ),
    )
    assert portfolio.encodings == {str(clients): "cp1252", str(invoices): "utf-8", str(payments): "utf-8"}
    assert not portfolio.ok


# ---------------------------------------------------------------------------------------------
# pandas


def test_invoices_from_frame_reads_typed_and_text_cells() -> None:
    frame = pd.DataFrame(
        {
            "numero": ["FA-1", "FA-2", "FA-3", "FA-4"],
            "client": ["C1", "C1", "C2", "C2"],
            "date_facture": [pd.Timestamp("2025-01-15"), "15/01/2025", dt.date(2025, 1, 15), pd.Timestamp("2025-01-15 10:30")],
            "echeance": ["14/02/2025", "14/02/2025", "14/02/2025", "14/02/2025"],
            "montant_ttc": [Decimal("1234.50"), "1 234,50", 1.5, "12,00"],
            "litige": [False, "oui", None, None],
        },
        index=["a", "b", "c", "d"],
    )
    result = invoices_from_frame(frame)
    expected = Invoice("FA-1", "C1", dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("1234.50"))
    assert result.items == (expected, attrs.evolve(expected, number="FA-2", disputed=True))
    assert [(p.source, p.row, p.line, p.field) for p in result.problems] == [
        ("DataFrame", "c", None, "montant_ttc"),
        ("DataFrame", "d", None, "date_facture"),
    ]
    assert "is a float, refused to avoid binary rounding" in result.problems[0].message
    assert str(result.problems[0]).startswith("DataFrame['c']: [montant_ttc] 1.5 is a float")
    mixed = invoices_from_frame(
        pd.DataFrame({"numero": ["F1", "F2", "F3"], "client": ["C1"] * 3, "date_facture": ["01/02/2025"] * 3,
                      "echeance": ["03/03/2025"] * 3, "montant_ttc": ["1,50", "2.50", "3,50"]}, index=[10, 20, 30])
    )
    assert [i.number for i in mixed.items] == ["F1", "F3"]
    assert mixed.problems[0].message == (
        "'2.50' uses '.' as decimal mark but this file uses ',' (2 amount(s), the first on row 10); "
        "two formats in one file are not read"
    )


def test_clients_and_payments_from_frame() -> None:
    clients = clients_from_frame(
        pd.DataFrame({"id": ["C1", 42], "nom": [SGE, "Numérique"], "type": ["particulier", None]})
    )
    assert clients.items == (Client("C1", SGE, kind=ClientKind.CONSUMER), Client("42", "Numérique"))
    payments = payments_from_frame(
        pd.DataFrame({"facture": ["FA-1"], "date": [dt.date(2025, 1, 20)], "montant": [Decimal("10.00")]}),
        name="reglements",
    )
    assert payments.items == (InvoicePayment("FA-1", Payment(dt.date(2025, 1, 20), Decimal("10.00")), "reglements"),)


def test_aged_balance_buckets_exact_decimals() -> None:
    as_of = dt.date(2025, 6, 30)

    def inv(number: str, client: str, due: dt.date, amount: str, **kw: object) -> Invoice:
        return Invoice(number, client, due - dt.timedelta(days=30), due, Decimal(amount), **kw)  # type: ignore[arg-type]

    invoices = [
        inv("A1", "C1", dt.date(2025, 7, 15), "100.00"),  # not due
        inv("A2", "C1", dt.date(2025, 6, 30), "50.10"),  # due today: not due
        inv("A3", "C1", dt.date(2025, 6, 29), "0.01"),  # 1 day
        inv("A4", "C1", dt.date(2025, 5, 31), "30.00"),  # 30 days
        inv("A5", "C1", dt.date(2025, 5, 30), "31.00",  # 31 days, part paid
            payments=(Payment(dt.date(2025, 6, 1), Decimal("1.00")), Payment(dt.date(2025, 7, 1), Decimal("5.00")))),
        inv("A6", "C1", dt.date(2025, 4, 1), "61.00"),  # 90 days
        inv("A7", "C1", dt.date(2025, 3, 31), "91.00"),  # 91 days
        inv("B1", "C2", dt.date(2025, 1, 1), "1000.00", disputed=True),  # > 90
        inv("B2", "C2", dt.date(2025, 6, 1), "20.00", payments=(Payment(dt.date(2025, 6, 2), Decimal("20.00")),)),
        inv("B3", "C2", dt.date(2025, 8, 30), "500.00"),  # issued after as_of: left out
        inv("U1", "C2", dt.date(2025, 6, 15), "10.00", currency="USD"),
        inv("Y1", "C3", dt.date(2025, 6, 20), "1000", currency="JPY"),
    ]
    frame = aged_balance(invoices, as_of)
    assert list(frame.columns) == [*AGED_BUCKETS, "total"]
    assert list(frame.index) == [
        ("C1", "EUR"), ("C2", "EUR"), ("C2", "USD"), ("C3", "JPY"),
        ("Total", "EUR"), ("Total", "JPY"), ("Total", "USD"),
    ]
    d = Decimal
    assert frame.loc[("C1", "EUR")].tolist() == [d("150.10"), d("30.01"), d("30.00"), d("61.00"), d("91.00"), d("362.11")]
    assert frame.loc[("C2", "EUR")].tolist() == [d("0.00"), d("0.00"), d("0.00"), d("0.00"), d("1000.00"), d("1000.00")]
    assert frame.loc[("C2", "USD")].tolist() == [d("0.00"), d("10.00"), d("0.00"), d("0.00"), d("0.00"), d("10.00")]
    assert frame.loc[("Total", "EUR")].tolist() == [d("150.10"), d("30.01"), d("30.00"), d("61.00"), d("1091.00"), d("1362.11")]
    assert frame.loc[("Total", "JPY")].tolist() == [d("0"), d("1000"), d("0"), d("0"), d("0"), d("1000")]
    assert all(isinstance(value, Decimal) for value in frame.to_numpy().ravel())
    assert str(frame.loc[("C2", "EUR"), "not due"]) == "0.00"
    assert aged_balance([], as_of).empty


def _portfolio() -> tuple[list[Invoice], list[Client]]:
    clients = [
        Client("C1", '=HYPERLINK("http://x","y")', email="compta@x.fr"),
        Client("C2", SGE, email="compta@sge.fr"),
    ]
    invoices = [
        Invoice("F-001", "C1", dt.date(2025, 3, 1), dt.date(2025, 3, 31), Decimal("1200.00")),
        Invoice("F-002", "C1", dt.date(2025, 2, 18), dt.date(2025, 3, 20), Decimal("34.56"),
                payments=(Payment(dt.date(2025, 3, 25), Decimal("4.56")),)),
        Invoice("F-003", "C2", dt.date(2025, 3, 4), dt.date(2025, 4, 3), Decimal("99.99")),
    ]
    return invoices, clients


def test_plan_to_frame_has_one_row_per_action_item() -> None:
    invoices, clients = _portfolio()
    today = plan(invoices, clients, ReminderPolicy.french_default(), dt.date(2025, 4, 1))
    frame = plan_to_frame(today)
    c1, c2 = today.actions
    assert frame.to_dict("records") == [
        {"client_id": "C1", "client_name": clients[0].name, "action_key": c1.key, "action_step": "relance_1",
         "item_step": "relance_1", "channel": "email", "invoice": "F-002", "due_date": dt.date(2025, 3, 20),
         "days_overdue": 12, "balance": Decimal("30.00"), "penalties": None, "indemnity": Decimal("0"),
         "currency": "EUR"},
        {"client_id": "C1", "client_name": clients[0].name, "action_key": c1.key, "action_step": "relance_1",
         "item_step": "relance_1", "channel": "email", "invoice": "F-001", "due_date": dt.date(2025, 3, 31),
         "days_overdue": 1, "balance": Decimal("1200.00"), "penalties": None, "indemnity": Decimal("0"),
         "currency": "EUR"},
        {"client_id": "C2", "client_name": SGE, "action_key": c2.key, "action_step": "courtoisie",
         "item_step": "courtoisie", "channel": "email", "invoice": "F-003", "due_date": dt.date(2025, 4, 3),
         "days_overdue": 0, "balance": Decimal("99.99"), "penalties": None, "indemnity": Decimal("0"),
         "currency": "EUR"},
    ]
    empty = plan_to_frame(plan([], [], ReminderPolicy.french_default(), dt.date(2025, 4, 1)))
    assert empty.empty
    assert list(empty.columns) == list(frame.columns)


def test_plan_to_csv_neutralises_formulas(tmp_path: Path) -> None:
    invoices, clients = _portfolio()
    today = plan(invoices, clients, ReminderPolicy.french_default(), dt.date(2025, 4, 1))
    path = tmp_path / "plan.csv"
    plan_to_csv(today, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == ["client", "nom_client", "cle_action", "etape_action", "etape_facture", "canal", "facture",
                       "echeance", "jours_retard", "solde", "penalites", "indemnite", "devise"]
    assert rows[1] == ["C1", '\'=HYPERLINK("http://x","y")', today.actions[0].key, "relance_1", "relance_1", "email",
                       "F-002", "20/03/2025", "12", "30,00", "", "0,00", "EUR"]
    assert rows[3][1] == SGE
    buffer = io.StringIO(newline="")
    plan_to_csv(today, buffer, style=CsvStyle.INTERNATIONAL)
    assert buffer.getvalue().splitlines()[2] == f"C1,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",{today.actions[0].key},relance_1,relance_1,email,F-001,2025-03-31,1,1200.00,,0.00,EUR"


def test_records_to_frame_from_a_real_journal() -> None:
    invoices, clients = _portfolio()
    today = plan(invoices, clients, ReminderPolicy.french_default(), dt.date(2025, 4, 1))
    journal = MemoryJournal()
    assert journal.record(today.actions[0], reference="<msg-1@x.fr>")
    frame = records_to_frame(journal.records())
    assert frame.to_dict("records") == [
        {"key": today.actions[0].key, "client_id": "C1", "on": dt.date(2025, 4, 1), "channel": "email",
         "step": "relance_1", "invoice": number, "invoice_step": "relance_1", "reference": "<msg-1@x.fr>"}
        for number in ("F-002", "F-001")
    ]
    assert records_to_frame([]).empty


# ---------------------------------------------------------------------------------------------
# Export and round trip


def test_written_invoices_neutralise_formulas_and_read_back_equal(tmp_path: Path) -> None:
    invoices = [
        Invoice("=1+2", '@SUM(A1)', dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("1234.50"),
                disputed=True, sent_on=dt.date(2025, 1, 16)),
        Invoice("'=x", "-C2", dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("0.00"), currency="USD",
                hold_until=dt.date(2025, 3, 1)),
        Invoice("K-1", "C3", dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("1.234"), currency="KWD"),
    ]
    path = tmp_path / "export.csv"
    write_invoices_csv(invoices, path)
    text = path.read_bytes().decode("utf-8-sig")
    assert text.splitlines() == [
        "numero;client;date_facture;echeance;montant_ttc;devise;litige;suspendu_jusqu_au;envoyee_le",
        "'=1+2;'@SUM(A1);15/01/2025;14/02/2025;1234,50;EUR;oui;;16/01/2025",
        "''=x;'-C2;15/01/2025;14/02/2025;0,00;USD;non;01/03/2025;",
        "K-1;C3;15/01/2025;14/02/2025;1,2340;KWD;non;;",
    ]
    back = read_invoices_csv(path)
    assert back.problems == ()
    assert back.items == tuple(invoices)


def test_written_clients_read_back_equal(tmp_path: Path) -> None:
    clients = [
        Client("C1", "=cmd|' /C calc'!A0", email="a@b.fr", phone="+33 4 72 00 00 00",
               address=Address(("Bât. B", "3 place Bellecour"), "69002", "Lyon"), siren="552100554",
               segment="vip", penalty_rate=Decimal("13.15")),
        Client("C2", SGE, kind=ClientKind.CONSUMER, locale="fr_BE",
               address=Address(("Hauptstraße 1",), "10115", "Berlin", "DE")),
    ]
    for style in CsvStyle:
        path = tmp_path / f"clients-{style.value}.csv"
        write_clients_csv(clients, path, style=style)
        back = read_clients_csv(path)
        assert back.problems == ()
        assert back.items == tuple(clients)


_text = st.text(
    alphabet=st.sampled_from("abcXYZ019 -_/.'=+@éÉ€;,\"|"), min_size=1, max_size=12
).filter(lambda s: s == s.strip())
_day = st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31))


@st.composite
def _invoices(draw: st.DrawFn) -> list[Invoice]:
    numbers = draw(st.lists(_text, min_size=0, max_size=6, unique=True))
    result = []
    for number in numbers:
        currency = draw(st.sampled_from(["EUR", "EUR", "USD", "JPY", "KWD"]))
        exponent = {"JPY": 0, "KWD": 3}.get(currency, 2)
        issue = draw(_day)
        payments = tuple(
            Payment(draw(_day), Decimal(draw(st.integers(1, 10**6))).scaleb(-exponent),
                    currency=draw(st.sampled_from([None, currency])),
                    reference=draw(st.none() | _text))
            for _ in range(draw(st.integers(0, 2)))
        )
        result.append(
            Invoice(
                number,
                draw(_text),
                issue,
                issue + dt.timedelta(days=draw(st.integers(0, 400))),
                Decimal(draw(st.integers(0, 10**12))).scaleb(-exponent),
                currency=currency,
                disputed=draw(st.booleans()),
                hold_until=draw(st.none() | _day),
                sent_on=draw(st.none() | _day),
                payments=payments,
            )
        )
    return result


@settings(max_examples=60, deadline=None)
@given(invoices=_invoices(), style=st.sampled_from(CsvStyle))
def test_write_then_read_invoices_and_payments_gives_equal_invoices(
    invoices: list[Invoice], style: CsvStyle
) -> None:
    invoice_file, payment_file = io.StringIO(newline=""), io.StringIO(newline="")
    write_invoices_csv(invoices, invoice_file, style=style)
    write_payments_csv(invoices, payment_file, style=style)
    read = read_invoices_csv(io.StringIO(invoice_file.getvalue(), newline=""))
    assert read.problems == ()
    assert read.items == tuple(attrs.evolve(invoice, payments=()) for invoice in invoices)
    payments = read_payments_csv(io.StringIO(payment_file.getvalue(), newline=""))
    assert payments.problems == ()
    attached = attach_payments(read.items, payments.items)
    assert attached.problems == ()
    assert attached.items == tuple(invoices)
    assert [str(p.amount) for i in attached.items for p in i.payments] == [
        str(p.amount.quantize(Decimal(1).scaleb(-{"JPY": 0, "KWD": 3}.get(i.currency, 2))))
        for i in invoices
        for p in i.payments
    ]


# ---------------------------------------------------------------------------------------------
# Factur-X


def test_reads_a_facturx_pdf_made_by_the_factur_x_library(tmp_path: Path) -> None:
    path = tmp_path / "FA-2025-042.pdf"
    path.write_bytes(facturx_pdf(cii_invoice(prepaid=Decimal("234.50"))))
    read = read_facturx(path)
    assert read.invoice == Invoice(
        "FA-2025-042", "C042", dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("1234.50"),
        payments=(Payment(dt.date(2025, 1, 15), Decimal("234.50"), reference="TotalPrepaidAmount (BT-113)"),),
    )
    assert read.invoice.balance(dt.date(2025, 2, 14)) == Decimal("1000.00")
    assert read.buyer == Client(
        "C042", SGE, email="compta@sge.fr", siren="552100554",
        address=Address(("2 rue Général-Leclerc",), "25000", "Besançon"),
    )
    assert (read.seller_name, read.seller_siren) == ("Atelier Dupont SARL", "732829320")
    assert read.profile == "urn:cen.eu:en16931:2017"
    assert read.source == str(path)
    assert read.warnings == ()


def test_reads_a_bare_cii_xml_and_a_client_id_override(tmp_path: Path) -> None:
    path = tmp_path / "facture.xml"
    path.write_bytes(cii_invoice())
    read = read_facturx(path, client_id="SGE")
    assert read.invoice == Invoice("FA-2025-042", "SGE", dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("1234.50"))
    assert read.buyer.id == "SGE"


def test_facturx_data_the_model_refuses_is_left_out_with_a_warning() -> None:
    xml = cii_invoice(buyer_address=("2 rue Général-Leclerc", "2500", "Besançon"), due_amount=Decimal("1000.00"))
    read = read_facturx(xml, name="f.xml")
    assert read.invoice.amount == Decimal("1234.50")
    assert read.buyer.address is None
    assert read.buyer.siren == "552100554"
    assert read.source == "f.xml"
    assert read.warnings == (
        "the buyer's address is left out: Address.postal_code: '2500' is not a French postal code (five digits)",
        "the amount due for payment (BT-115) 1000.00 differs from the grand total less prepaid "
        "amounts 1234.50; the invoice is read at its grand total",
    )


def test_a_pdf_that_is_not_facturx_is_refused_naming_the_file(tmp_path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    path = tmp_path / "scan.pdf"
    path.write_bytes(weasyprint.HTML(string="<p>Pas de XML ici</p>").write_pdf())
    with pytest.raises(DataImportError, match=rf"^{path}: is a PDF without an embedded Factur-X/ZUGFeRD invoice"):
        read_facturx(path)
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"hello")
    with pytest.raises(DataImportError, match=r"notes\.txt: is neither a PDF nor an XML file"):
        read_facturx(junk)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n garbage")
    with pytest.raises(DataImportError, match=r"broken\.pdf: is not a readable PDF"):
        read_facturx(broken)


def test_facturx_without_due_date_gets_the_legal_default_and_a_credit_note_is_refused(tmp_path: Path) -> None:
    read = read_facturx(cii_invoice(due=None), name="nodue.xml")
    assert read.invoice is not None
    assert read.invoice.due_date == dt.date(2025, 2, 14)
    assert read.warnings == (
        "no due date (BT-9): the legal default applies, 30 days after the issue date "
        "(Code de commerce L441-10 I), 2025-02-14",
    )
    with pytest.raises(DataImportError, match=r"avoir\.xml: is a credit note \(type 381\)"):
        read_facturx(cii_invoice(type_code="381"), name="avoir.xml")


def test_read_facturx_files_reports_each_bad_file(tmp_path: Path) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(facturx_pdf(cii_invoice()))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<html><body>no</body></html>")
    result = read_facturx_files([good, bad])
    assert [item.invoice.number for item in result.items] == ["FA-2025-042"]
    assert len(result.problems) == 1
    assert result.problems[0].source == str(bad)
    assert result.problems[0].message.startswith("is not a Cross Industry Invoice (CII) XML")


# ---------------------------------------------------------------------------------------------
# Documentation


def test_import_guide_examples_print_what_they_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    text = (Path(__file__).resolve().parent.parent / "docs" / "import.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 3
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "import.md", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    expected = [line[2:] for block in blocks for line in block.splitlines() if line.startswith("# ")]
    assert len(expected) == 7
    for line in expected:
        assert any(out.startswith(line.removesuffix("...")) for out in printed), line


# ---------------------------------------------------------------------------------------------
# Robustness: junk gives a RelanceError (a ValueError), never a TypeError or AttributeError.


@pytest.mark.parametrize("junk", [None, "€", object(), 3, ["x"]])
def test_junk_is_refused_with_a_relance_error(junk: object, tmp_path: Path) -> None:
    from relancelib.errors import RelanceError

    calls = [
        lambda: parse_amount(junk),  # type: ignore[arg-type]
        lambda: parse_date(junk),  # type: ignore[arg-type]
        lambda: attach_payments(junk, []),  # type: ignore[arg-type]
        lambda: attach_payments([], junk),  # type: ignore[arg-type]
        lambda: aged_balance(junk, dt.date(2025, 1, 1)),  # type: ignore[arg-type]
        lambda: aged_balance([], junk),  # type: ignore[arg-type]
        lambda: plan_to_frame(junk),  # type: ignore[arg-type]
        lambda: records_to_frame(junk),  # type: ignore[arg-type]
        lambda: write_invoices_csv(junk, tmp_path / "x.csv"),  # type: ignore[arg-type]
        lambda: write_clients_csv(junk, tmp_path / "x.csv"),  # type: ignore[arg-type]
        lambda: plan_to_csv(junk, tmp_path / "x.csv"),  # type: ignore[arg-type]
    ]
    if not isinstance(junk, list):  # a list of paths is what read_facturx_files reads
        calls.append(lambda: read_facturx_files(junk))  # type: ignore[arg-type]
    if not isinstance(junk, str):  # a string is a path
        calls += [
            lambda: read_invoices_csv(junk),  # type: ignore[arg-type]
            lambda: read_facturx(junk),  # type: ignore[arg-type]
        ]
    if junk is not None:  # None chooses the encoding and the separator
        calls += [
            lambda: read_clients_csv(b"id;nom\n", encoding=junk),  # type: ignore[arg-type]
            lambda: read_payments_csv(b"facture;date;montant\n", delimiter=junk),  # type: ignore[arg-type]
        ]
    for call in calls:
        with pytest.raises(RelanceError):
            call()


def test_payments_in_a_three_decimal_currency_round_trip(tmp_path: Path) -> None:
    invoice = Invoice("K-1", "C1", dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("12.345"), currency="KWD",
                      payments=(Payment(dt.date(2025, 1, 20), 5), Payment(dt.date(2025, 1, 21), Decimal("1.5"))))
    path = tmp_path / "p.csv"
    write_payments_csv([invoice], path)
    assert path.read_text(encoding="utf-8-sig").splitlines()[1:] == ["K-1;20/01/2025;5,0000;;", "K-1;21/01/2025;1,5000;;"]
    back = attach_payments([attrs.evolve(invoice, payments=())], read_payments_csv(path).items)
    assert back.items == (invoice,)
    assert [str(p.amount) for p in back.items[0].payments] == ["5.000", "1.500"]
