"""Bad input through the real ``relance plan`` command: one bad row or file is a problem naming
it, never a crash (an internal error, a traceback).  The cases still open are marked xfail
(strict: they fail loudly once fixed, so the mark comes off)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from test_cli import DAY, relance

INTERNAL = "internal error"


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    assert relance("init", folder / "relance.toml", "--sample").exit_code == 0
    return folder


@pytest.fixture
def folder(sample_folder: Path, tmp_path: Path) -> Path:
    shutil.copytree(sample_folder, tmp_path / "w")
    return tmp_path / "w"


def plan_output(folder: Path) -> tuple[int, str]:
    result = relance("plan", "--date", DAY, "-c", folder / "relance.toml")
    return result.exit_code, result.output


def test_a_csv_of_separators_only_is_an_error_naming_the_file(folder: Path) -> None:
    (folder / "factures.csv").write_text(";;;;;\n;;;;\n;;;\n", encoding="utf-8")
    code, output = plan_output(folder)
    assert INTERNAL not in output
    assert "AssertionError" not in output
    assert "factures.csv" in output
    assert code != 0


def test_an_unterminated_quote_is_an_error_naming_the_file_and_the_line(folder: Path) -> None:
    # A quote that never closes makes the rest of the file one cell: the file is refused,
    # naming the line the quote opened on, never read a guessed way.
    path = folder / "factures.csv"
    text = path.read_text(encoding="utf-8-sig")
    last = len(text.splitlines()) + 1
    path.write_text(text + 'X;"unterminated;\n', encoding="utf-8")
    code, output = plan_output(folder)
    assert INTERNAL not in output
    assert code == 3
    assert output.strip().splitlines()[-1] == (
        f'relance: error: {path}:{last}: a quote (") opened in the row of line {last} is '
        "never closed: the file ends inside it; close the quote or remove it, then export again"
    )


def test_a_quote_that_swallows_the_following_lines_names_where_it_opened(folder: Path) -> None:
    path = folder / "factures.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[5] = lines[5].replace(";EUR;", ';"EUR;')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = plan_output(folder)
    assert code == 3
    assert output.strip().splitlines()[-1] == (
        f'relance: error: {path}:6: a quote (") opened in the row of lines 6 to '
        f"{len(lines)} is never closed: the file ends inside it; close the quote or remove "
        "it, then export again"
    )


def test_nan_amounts_in_the_exports_are_problems_naming_file_line_and_column(
    folder: Path,
) -> None:
    invoices = folder / "factures.csv"
    lines = invoices.read_text(encoding="utf-8-sig").splitlines()
    number = lines[2].split(";")[0]
    lines[2] = lines[2].replace(";" + lines[2].split(";")[4] + ";", ";NaN;", 1)
    invoices.write_text("\n".join(lines) + "\n", encoding="utf-8")
    payments = folder / "reglements.csv"
    rows = payments.read_text(encoding="utf-8-sig").splitlines()
    rows[1] = rows[1].replace(";" + rows[1].split(";")[2] + ";", ";NaN;", 1)
    payments.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, output = plan_output(folder)
    assert INTERNAL not in output
    assert code == 0, output
    assert f"  {invoices}:3: [montant_ttc] 'NaN' is not an amount such as 1 234,50" in output
    assert f"  {payments}:2: [montant] 'NaN' is not an amount such as 1 234,50" in output
    assert number not in output.split("Problems in the plan:")[0]


def test_nan_prepaid_amounts_in_a_frame_are_problems_naming_the_row() -> None:
    import datetime as dt
    from decimal import Decimal

    pd = pytest.importorskip("pandas")
    from relancelib.io import payments_from_frame

    frame = pd.DataFrame(
        {
            "facture": ["F1", "F2", "F3"],
            "date": [dt.date(2026, 1, 5)] * 3,
            "montant": [float("nan"), Decimal("NaN"), Decimal("10.00")],
        }
    )
    result = payments_from_frame(frame, name="acomptes")
    assert [p.invoice_number for p in result.items] == ["F3"]
    assert [str(p) for p in result.problems] == [
        "acomptes[0]: [montant] is empty",
        "acomptes[1]: [montant] Decimal('NaN') is not an amount",
    ]


def _einvoice_folder(folder: Path) -> Path:
    """The sample config, reading e-invoices from ``recues`` too."""
    config = folder / "relance.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("[sources]\n", '[sources]\neinvoices = "recues"\n'),
        encoding="utf-8",
    )
    (folder / "recues").mkdir()
    return folder / "recues"


def test_an_einvoice_buyer_name_with_a_newline_is_refused_naming_the_file(folder: Path) -> None:
    from decimal import Decimal

    from cii import cii_invoice, facturx_pdf

    received = _einvoice_folder(folder)
    ours = {"seller_siren": "559522867", "buyer_id": "C001"}  # the sample's creditor, client
    (received / "nom.xml").write_bytes(cii_invoice("FX-1", buyer_name="Martin\nSARL", **ours))
    (received / "nom.pdf").write_bytes(
        facturx_pdf(cii_invoice("FX-2", buyer_name="Martin\nSARL", **ours))
    )
    nan = cii_invoice("FX-3", prepaid=Decimal("100.00"), **ours).replace(b">100.00<", b">NaN<")
    assert nan.count(b">NaN<") == 1
    (received / "acompte.xml").write_bytes(nan)
    for number in ("FX-4", "FX-5", "FX-6", "FX-7"):
        (received / f"{number}.xml").write_bytes(cii_invoice(number, **ours))
    code, output = plan_output(folder)
    assert INTERNAL not in output
    assert code == 0, output
    words = " ".join(output.split())  # the console folds long lines
    refused = (
        "the buyer (BT-44/BT-46) is refused: Client.name: 'Martin\\nSARL' must not contain "
        "control characters"
    )
    assert f"{received / 'nom.xml'}: {refused}" in words
    assert f"{received / 'nom.pdf'}: {refused}" in words
    assert f"{received / 'acompte.xml'}: BT-113 'NaN' is not a number" in words
    assert "FX-1 " not in words
    assert "FX-3 " not in words
    assert "FX-4" in words


def test_a_folder_of_einvoices_all_refused_stops_the_run(folder: Path) -> None:
    from cii import cii_invoice

    received = _einvoice_folder(folder)
    for number in ("FX-1", "FX-2"):
        (received / f"{number}.xml").write_bytes(cii_invoice(number, buyer_name="A\tB"))
    code, output = plan_output(folder)
    assert code == 3
    words = " ".join(output.split())
    assert words.endswith(
        f"relance: error: {received}: all 2 e-invoices were left out, more than the 50% "
        f"allowed (sources.max_rejected); the first: {received / 'FX-1.xml'}: the buyer "
        "(BT-44/BT-46) is refused: Client.name: 'A\\tB' must not contain control characters"
    )


def test_deeply_nested_toml_is_a_config_error(folder: Path) -> None:
    config = folder / "relance.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + "a = " + "[" * 2000 + "]" * 2000 + "\n",
        encoding="utf-8",
    )
    code, output = plan_output(folder)
    assert INTERNAL not in output
    assert "relance.toml" in output
    assert code != 0


def test_a_hand_edited_journal_row_is_skipped_and_named(folder: Path) -> None:
    out = folder / "sortie"
    result = relance("run", "--date", DAY, "--out", out, "-c", folder / "relance.toml")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(folder / "relance-journal.sqlite") as db:
        key = db.execute("SELECT key FROM records ORDER BY key LIMIT 1").fetchone()[0]
        db.execute("UPDATE records SET on_date = 'pas une date' WHERE key = ?", (key,))
    code, output = plan_output(folder)
    assert INTERNAL not in output
    assert code == 0, output
    history = relance("history", "-c", folder / "relance.toml")
    assert INTERNAL not in history.output
    verify = relance("verify", "-c", folder / "relance.toml")
    assert verify.exit_code == 1
    assert key in verify.output


def test_the_readers_name_the_line_of_a_bad_quote() -> None:
    from relancelib.errors import DataImportError
    from relancelib.io import read_invoices_csv

    header = "numero;client;date_facture;echeance;montant_ttc\n"
    row = "F{0};C1;01/03/2025;31/03/2025;10,00\n"
    after_quote = header + row.format(1) + 'F2;"C1";x;01/03/2025;31/03/2025;10,00\n'
    with pytest.raises(DataImportError) as raised:
        read_invoices_csv((header + 'F1;"C1"x;01/03/2025;31/03/2025;10,00\n').encode(), name="f.csv")
    assert str(raised.value) == (
        "f.csv:2: unreadable CSV in the row of line 2 (';' expected after '\"'); check the "
        'quotes (") of that row'
    )
    assert read_invoices_csv(after_quote.encode(), name="f.csv").problems[0].line == 3
    unclosed = header + row.format(1) + 'F2;"C1;01/03/2025;31/03/2025;10,00\n' + row.format(3)
    with pytest.raises(DataImportError) as raised:
        read_invoices_csv(unclosed.encode(), name="f.csv")
    assert str(raised.value) == (
        'f.csv:3: a quote (") opened in the row of lines 3 to 4 is never closed: the file '
        "ends inside it; close the quote or remove it, then export again"
    )
