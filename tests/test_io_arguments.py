"""The readers' arguments: junk is a DataImportError (or another RelanceError) naming the
argument and the value, never a TypeError from deep inside (found by tests/test_fuzz.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from relancelib.errors import DataImportError, RelanceError
from relancelib.io import (
    clients_from_frame,
    invoices_from_frame,
    read_clients_csv,
    read_einvoice,
    read_invoices_csv,
    read_portfolio,
)

INVOICES = "numero;client;date_facture;echeance;montant_ttc\nF1;C1;05/03/2025;04/04/2025;10,00\n"


def test_a_columns_mapping_must_map_text_to_text(tmp_path: Path) -> None:
    path = tmp_path / "factures.csv"
    path.write_text(INVOICES, encoding="utf-8")
    with pytest.raises(DataImportError, match=r"^columns: \[\['x'\]\] must be a mapping of field"):
        read_invoices_csv(path, columns=[["x"]])  # type: ignore[arg-type]
    with pytest.raises(
        DataImportError, match=r"^columns: \{'number': \['N'\]\} maps a field name to a header"
    ):
        read_clients_csv(path, columns={"number": ["N"]})  # type: ignore[dict-item]
    # A good mapping still reads.
    read = read_invoices_csv(path, columns={"number": "numero"})
    assert [invoice.number for invoice in read.items] == ["F1"]


def test_read_portfolio_checks_its_columns_and_export_date(tmp_path: Path) -> None:
    (tmp_path / "clients.csv").write_text("id;nom\nC1;Martin\n", encoding="utf-8")
    (tmp_path / "factures.csv").write_text(INVOICES, encoding="utf-8")
    files = {"clients": tmp_path / "clients.csv", "invoices": tmp_path / "factures.csv"}
    with pytest.raises(DataImportError, match=r"^columns: 'factures' is not a file \(known: "):
        read_portfolio(**files, columns={"factures": {}})
    with pytest.raises(DataImportError, match=r"^columns.invoices: \['x'\] must be a mapping"):
        read_portfolio(**files, columns={"invoices": ["x"]})  # type: ignore[dict-item]
    with pytest.raises(RelanceError, match=r"^export_date: '2025-06-30' must be a datetime.date"):
        read_portfolio(**files, export_date="2025-06-30")  # type: ignore[arg-type]
    with pytest.raises(RelanceError, match=r"^export_date: '2025-06-30' must be a datetime.date"):
        read_invoices_csv(files["invoices"], export_date="2025-06-30")  # type: ignore[arg-type]
    read = read_portfolio(**files, export_date=dt.date(2025, 6, 30))
    assert [invoice.number for invoice in read.invoices] == ["F1"]


def test_the_frame_readers_want_a_dataframe() -> None:
    pd = pytest.importorskip("pandas")
    with pytest.raises(DataImportError, match=r"^frame: None must be a pandas DataFrame$"):
        invoices_from_frame(None)  # type: ignore[arg-type]
    with pytest.raises(RelanceError, match=r"^name: 3 must be a name \(text\) for the problems$"):
        clients_from_frame(pd.DataFrame({"id": ["C1"], "nom": ["Martin"]}), name=3)  # type: ignore[arg-type]


def test_a_path_with_a_nul_is_not_a_path() -> None:
    with pytest.raises(DataImportError, match=r"^source: 'a\\x00b' is not a path$"):
        read_invoices_csv("a\x00b")
    with pytest.raises(DataImportError, match=r"^source: 'a\\x00b' is not a path$"):
        read_einvoice("a\x00b")
