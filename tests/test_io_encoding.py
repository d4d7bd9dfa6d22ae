"""Tests of relancelib.io.encoding: every encoding French exports come in reads to the same
clients and invoices, and the result says which encoding it was; the formula-injection rule."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relancelib.checks import has_control_characters
from relancelib.errors import DataImportError
from relancelib.io import (
    neutralise_formula,
    read_clients_csv,
    read_invoices_csv,
    read_portfolio,
    unneutralise_formula,
    write_clients_csv,
)
from relancelib.model import Address, Client, Invoice
from relancelib.strategies import clients

CLIENTS = (
    "id;nom;adresse;code_postal;ville\r\n"
    "C1;Société Générale d'Électricité;2 rue Général-Leclerc;25000;Besançon\r\n"
    "C2;Œuvres de Noël;3 place Bellecour;69002;Lyon\r\n"
)
INVOICES = (
    "numero;client;date_facture;echeance;montant_ttc\r\n"
    "FA-1;C1;15/01/2025;14/02/2025;1 234,50 €\r\n"
    "FA-2;C2;20/01/2025;19/02/2025;99,90\r\n"
)
EXPECTED_CLIENTS = (
    Client(
        "C1",
        "Société Générale d'Électricité",
        address=Address(("2 rue Général-Leclerc",), "25000", "Besançon"),
    ),
    Client("C2", "Œuvres de Noël", address=Address(("3 place Bellecour",), "69002", "Lyon")),
)
EXPECTED_INVOICES = (
    Invoice("FA-1", "C1", dt.date(2025, 1, 15), dt.date(2025, 2, 14), Decimal("1234.50")),
    Invoice("FA-2", "C2", dt.date(2025, 1, 20), dt.date(2025, 2, 19), Decimal("99.90")),
)


def encode(text: str, how: str) -> bytes:
    """``text`` as a file in the encoding ``how`` names (``+bom``: with a byte-order mark)."""
    if how == "utf-16-le+bom":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if how == "utf-16-be+bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(how)


# How the file is written, and what ImportResult.encoding says.
ENCODINGS = [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("cp1252", "cp1252"),
    ("utf-16-le+bom", "utf-16-le"),
    ("utf-16-le", "utf-16-le"),
    ("utf-16-be+bom", "utf-16-be"),
    ("utf-16-be", "utf-16-be"),
]


@pytest.mark.parametrize(("how", "said"), ENCODINGS)
def test_every_export_encoding_reads_to_the_same_clients_and_invoices(how: str, said: str) -> None:
    clients_read = read_clients_csv(encode(CLIENTS, how))
    invoices_read = read_invoices_csv(encode(INVOICES, how))
    assert (clients_read.items, clients_read.problems) == (EXPECTED_CLIENTS, ())
    assert (invoices_read.items, invoices_read.problems) == (EXPECTED_INVOICES, ())
    assert clients_read.encoding == invoices_read.encoding == said


@pytest.mark.parametrize(("how", "said"), ENCODINGS)
def test_read_portfolio_says_each_file_s_encoding(tmp_path: Path, how: str, said: str) -> None:
    (tmp_path / "clients.csv").write_bytes(encode(CLIENTS, how))
    (tmp_path / "factures.csv").write_bytes(encode(INVOICES, "utf-8-sig"))
    portfolio = read_portfolio(clients=tmp_path / "clients.csv", invoices=tmp_path / "factures.csv")
    assert portfolio.ok
    assert (portfolio.clients, portfolio.invoices) == (EXPECTED_CLIENTS, EXPECTED_INVOICES)
    assert list(portfolio.encodings.values()) == [said, "utf-8-sig"]


def test_excel_unicode_text_export_is_read() -> None:
    # Excel's "Texte Unicode (*.txt)": UTF-16 little-endian with a byte-order mark, tabs.
    data = encode(INVOICES.replace(";", "\t"), "utf-16-le+bom")
    result = read_invoices_csv(data)
    assert (result.items, result.encoding) == (EXPECTED_INVOICES, "utf-16-le")


def test_an_explicit_utf16_encoding_is_used_as_given() -> None:
    result = read_clients_csv(encode(CLIENTS, "utf-16-le+bom"), encoding="utf-16")
    assert (result.items, result.encoding) == (EXPECTED_CLIENTS, "utf-16")


def test_clients_written_in_utf16_read_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "clients.txt"
    write_clients_csv(EXPECTED_CLIENTS, path, encoding="utf-16")
    result = read_clients_csv(path)
    assert (result.items, result.encoding) == (EXPECTED_CLIENTS, "utf-16-le")


def test_utf16_cut_in_the_middle_of_a_character_names_the_file() -> None:
    data = encode(CLIENTS, "utf-16-le")[:-1]
    with pytest.raises(
        DataImportError, match=r"^clients\.csv: looks like UTF-16-LE but cannot be decoded"
    ):
        read_clients_csv(data, name="clients.csv")


def test_a_stray_nul_byte_in_utf8_is_a_row_problem_not_utf16() -> None:
    result = read_clients_csv("id;nom\nC1;A\x00B\nC2;Besançon\n".encode())
    assert result.encoding == "utf-8"
    assert [client.id for client in result.items] == ["C2"]
    assert [(problem.line, problem.field) for problem in result.problems] == [(2, "nom")]


_NAMES = st.text(
    st.characters(min_codepoint=0x100, exclude_categories=("Cs", "Cc", "Zl", "Zp", "Zs")),
    min_size=1,
    max_size=300,
).filter(lambda name: not has_control_characters(name))


@given(
    written=st.lists(
        clients(name=_NAMES, email=None, phone=None, address=None, siren=None),
        min_size=1,
        max_size=4,
        unique_by=lambda client: client.id,
    ),
    encoding=st.sampled_from(["utf-16-le", "utf-16-be"]),
)
def test_utf16_without_bom_is_recognised_whatever_the_language_of_the_cells(
    written: list[Client], encoding: str
) -> None:
    buffer = io.StringIO(newline="")
    write_clients_csv(written, buffer)
    result = read_clients_csv(buffer.getvalue().encode(encoding))
    assert (result.items, result.encoding) == (tuple(written), encoding)


def test_utf16_without_bom_recognised_with_only_cjk_names() -> None:
    written = [Client(f"C{n}", "株式会社" * 60) for n in range(5)]
    buffer = io.StringIO(newline="")
    write_clients_csv(written, buffer)
    for encoding in ("utf-16-le", "utf-16-be"):
        result = read_clients_csv(buffer.getvalue().encode(encoding))
        assert (result.items, result.encoding) == (tuple(written), encoding)


# ---------------------------------------------------------------------------------------------
# The formula-injection rule


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+33 4 72 00 00 00", "'+33 4 72 00 00 00"),
        ("-C2", "'-C2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("'F2", "'F2"),
        ("F-001", "F-001"),
        ("", ""),
    ],
)
def test_neutralise_formula_prefixes_what_a_spreadsheet_would_run(text: str, written: str) -> None:
    assert neutralise_formula(text) == written
    assert unneutralise_formula(written) == text


@given(st.text())
def test_unneutralise_undoes_neutralise(text: str) -> None:
    written = neutralise_formula(text)
    assert unneutralise_formula(written) == text
    assert written[:1] not in ("=", "+", "-", "@", "\t", "\r")
