"""Exports as they come: French headers, mappings, presets, balance as exported, credit
notes, identifiers, and `relance plan` read as a cron user runs it (real files, real command)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from relancelib.errors import DataImportError
from relancelib.io import (
    PRESETS,
    Credit,
    ImportProblem,
    iter_invoices_csv,
    read_clients_csv,
    read_invoices_csv,
    read_portfolio,
)
from relancelib.io.rows import BALANCE_REFERENCE
from relancelib.model import Address, Payment

CLIENTS_HEADER = "Code client;Raison sociale;Adresse 1;Adresse 2;Code postal;Ville;Téléphone;E-mail;Type;Segment;SIRET"
CONFIG = """\
[creditor]
name = "Atelier Dupont SARL"
siren = "732829320"
iban = "FR7630006000011234567890189"
[creditor.address]
lines = ["12 rue des Lilas"]
postal_code = "69003"
city = "Lyon"

[sources]
clients = "clients.csv"
invoices = "factures.csv"
export_date = 2025-03-31
"""


def relance(*args: str | Path, cwd: Path) -> Result:
    from relancelib.cli import cli

    return CliRunner().invoke(
        cli,
        [str(a) for a in args],
        catch_exceptions=False,
        env={"RELANCE_CONFIG": str(cwd / "relance.toml")},
    )


def clients_rows(count: int = 3) -> list[str]:
    return [
        f"C{i};Boulangerie Lefèvre {i};3 place Bellecour;Bâtiment B;69002;Lyon;04 72 00 00 0{i};"
        f"compta{i}@lefevre.fr;Entreprise;standard;73282932000074"
        for i in range(1, count + 1)
    ]


def invoices_text(count: int = 3) -> str:
    lines = ["N° pièce;Code client;Date pièce;Échéance;Montant TTC;Reste dû"]
    lines += [
        f"F-{i:03d};C{i};01/03/2025;31/03/2025;5 401,68;5 401,68" for i in range(1, count + 1)
    ]
    lines.append("F-099;C1;01/03/2025;31/03/2025;5 401,68;0,00")
    return "\n".join(lines) + "\n"


def write_export(folder: Path, encoding: str) -> None:
    (folder / "clients.csv").write_text(
        "\r\n".join([CLIENTS_HEADER, *clients_rows()]) + "\r\n", encoding=encoding
    )
    (folder / "factures.csv").write_text(invoices_text(), encoding=encoding)
    (folder / "relance.toml").write_text(CONFIG, encoding="utf-8")


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_an_ordinary_export_is_planned_by_the_real_command(tmp_path: Path, encoding: str) -> None:
    write_export(tmp_path, encoding)
    result = relance("plan", "--date", "2025-04-01", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert [(a["client_id"], a["step"]) for a in shown["actions"]] == [
        ("C1", "relance_1"),
        ("C2", "relance_1"),
        ("C3", "relance_1"),
    ]
    # F-099 is paid according to its Reste dû: it is not chased.
    assert [i["invoice"] for a in shown["actions"] for i in a["items"]] == [
        "F-001",
        "F-002",
        "F-003",
    ]
    assert shown["import_problems"] == []


def test_the_clients_of_the_export_keep_address_lines_and_siren(tmp_path: Path) -> None:
    write_export(tmp_path, "cp1252")
    result = read_clients_csv(tmp_path / "clients.csv")
    assert result.encoding == "cp1252"
    assert result.problems == ()
    assert result.ignored_columns == ()
    client = result.items[0]
    assert client.address == Address(("3 place Bellecour", "Bâtiment B"), "69002", "Lyon")
    assert client.siren == "732829320"
    assert client.phone is not None


def test_an_invalid_optional_cell_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(
        "Code client;Raison sociale;E-mail;SIRET;N° TVA\n"
        "C1;Lefèvre;pas-un-mail;12345678901234;FR19787878784\n",
        encoding="utf-8",
    )
    result = read_clients_csv(path)
    assert result.problems == ()
    assert result.items[0].email is None
    assert result.items[0].siren == "787878784"  # from the VAT number
    assert [(w.line, w.field) for w in result.warnings] == [(2, "E-mail"), (2, "SIRET")]
    assert result.warnings[0].message.startswith("'pas-un-mail' is left out: ")


def test_unrecognised_columns_are_listed_once_with_did_you_mean(tmp_path: Path) -> None:
    write_export(tmp_path, "utf-8")
    text = (tmp_path / "factures.csv").read_text(encoding="utf-8")
    (tmp_path / "factures.csv").write_text(
        text.replace("Reste dû", "Rest dû")
        .replace("N° pièce;", "Commentaire;N° pièce;")
        .replace("\nF-", "\nx;F-"),
        encoding="utf-8",
    )
    result = read_invoices_csv(tmp_path / "factures.csv")
    assert result.ignored_columns == ("Commentaire", "Rest dû")
    assert result.suggestions == {"Rest dû": "reste_du"}
    shown = relance("plan", "--date", "2025-04-01", cwd=tmp_path)
    assert shown.stderr.count("columns not read:") == 1
    assert "'Rest dû' (did you mean 'reste_du'?)" in shown.stderr


def test_every_row_rejected_fails_the_command_with_one_line(tmp_path: Path) -> None:
    write_export(tmp_path, "cp1252")
    (tmp_path / "factures.csv").write_text(
        "N° pièce;Code client;Date pièce;Échéance;Montant TTC\nF-1;C1;31/02/2025;31/03/2025;10,00\n",
        encoding="utf-8",
    )
    for strict in ([], ["--strict"]):
        result = relance("plan", "--date", "2025-04-01", *strict, cwd=tmp_path)
        assert result.exit_code == 3
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith(
            f"relance: error: {tmp_path / 'factures.csv'}: all 1 rows were left out"
        )


def test_column_mapping_from_the_config(tmp_path: Path) -> None:
    write_export(tmp_path, "utf-8")
    (tmp_path / "factures.csv").write_text(
        "Pièce;Tiers;Le;Payable le;TTC\nF-1;C1;01/03/2025;31/03/2025;100,00\n", encoding="utf-8"
    )
    (tmp_path / "relance.toml").write_text(
        CONFIG.replace('invoices = "factures.csv"\n', "")
        + '[sources.invoices]\npath = "factures.csv"\n[sources.invoices.columns]\n'
        'issue_date = "Le"\ndue_date = "Payable le"\n',
        encoding="utf-8",
    )
    result = relance("plan", "--date", "2025-04-01", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert [a["client_id"] for a in json.loads(result.stdout)["actions"]] == ["C1"]


@pytest.mark.parametrize(
    ("preset", "header", "row"),
    [
        (
            "sage100",
            "N° compte;N° pièce;Date;Échéance;Débit;Lettrage",
            "C1;F-1;01/03/2025;31/03/2025;120,00;",
        ),
        (
            "ebp",
            "N° pièce;Code client;Date;Échéance;Montant TTC;Reste dû",
            "F-1;C1;01/03/2025;31/03/2025;120,00;120,00",
        ),
        (
            "cegid",
            "Référence;Compte;Date pièce;Date échéance;Montant;Solde",
            "F-1;C1;01/03/2025;31/03/2025;120,00;120,00",
        ),
        (
            "pennylane",
            "Numéro de facture;Client;Date;Date d'échéance;Montant TTC;Reste à payer",
            "F-1;C1;01/03/2025;31/03/2025;120,00;120,00",
        ),
        (
            "odoo",
            "name,partner_id,invoice_date,invoice_date_due,amount_total_signed,amount_residual_signed,move_type,currency_id",
            "F-1,C1,2025-03-01,2025-03-31,120.00,120.00,out_invoice,EUR",
        ),
        (
            "dolibarr",
            "Réf. facture;Code client;Date facturation;Date échéance;Montant TTC;Reste à payer;Type",
            "F-1;C1;01/03/2025;31/03/2025;120,00;120,00;0",
        ),
    ],
)
def test_every_preset_reads_its_export(tmp_path: Path, preset: str, header: str, row: str) -> None:
    assert preset in PRESETS
    path = tmp_path / f"{preset}.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    result = read_invoices_csv(path, preset=preset, export_date=dt.date(2025, 5, 15))
    assert result.problems == ()
    assert result.ignored_columns == ()
    invoice = result.items[0]
    assert (invoice.number, invoice.client_id, invoice.due_date, invoice.amount) == (
        "F-1",
        "C1",
        dt.date(2025, 3, 31),
        Decimal("120.00"),
    )
    assert invoice.balance(dt.date(2025, 5, 15)) == Decimal("120.00")


def test_balance_as_exported_with_and_without_date_de_reglement(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "N° pièce;Code client;Date pièce;Échéance;Montant TTC;Reste dû;Date de règlement\n"
        "F-1;C1;01/03/2025;31/03/2025;1 000,00;400,00;20/03/2025\n"
        "F-2;C1;01/03/2025;31/03/2025;1 000,00;0,00;\n",
        encoding="utf-8",
    )
    result = read_invoices_csv(path, export_date=dt.date(2025, 5, 15))
    assert result.problems == ()
    assert [i.payments for i in result.items] == [
        (Payment(dt.date(2025, 3, 20), Decimal("600.00"), reference=BALANCE_REFERENCE),),
        (Payment(dt.date(2025, 5, 15), Decimal("1000.00"), reference=BALANCE_REFERENCE),),
    ]
    from_bytes = read_invoices_csv(path.read_bytes())
    assert [(p.line, p.field) for p in from_bytes.problems] == [(3, "Reste dû")]
    assert (
        "the payment has no date: add a 'Date de règlement' column"
        in from_bytes.problems[0].message
    )


def test_balance_disagreeing_with_the_payments_file_names_both(tmp_path: Path) -> None:
    write_export(tmp_path, "utf-8")
    (tmp_path / "reglements.csv").write_text(
        "facture;date;montant\nF-001;15/03/2025;200,00\n", encoding="utf-8"
    )
    read = read_portfolio(
        clients=tmp_path / "clients.csv",
        invoices=tmp_path / "factures.csv",
        payments=tmp_path / "reglements.csv",
        export_date=dt.date(2025, 5, 15),
    )
    invoices_path, payments_path = tmp_path / "factures.csv", tmp_path / "reglements.csv"
    assert [str(p) for p in read.problems] == [
        f"{invoices_path}:2: invoice 'F-001': the balance in {invoices_path} is 5401.68 but the "
        f"payments in {payments_path} leave 5201.68 to pay; the invoice is left out until the two agree",
        f"{invoices_path}:5: invoice 'F-099': the balance in {invoices_path} is 0.00 but the "
        f"payments in {payments_path} leave 5401.68 to pay; the invoice is left out until the two agree",
    ]
    assert sorted(i.number for i in read.invoices) == ["F-002", "F-003"]
    assert read.invoices[0].payments == ()


def test_credit_notes_by_negative_amount_and_by_type_column(tmp_path: Path) -> None:
    write_export(tmp_path, "utf-8")
    (tmp_path / "factures.csv").write_text(
        "N° pièce;Code client;Date pièce;Échéance;Montant TTC;Type;Facture d'origine\n"
        "F-1;C1;01/03/2025;31/03/2025;1 000,00;Facture;\n"
        "AV-1;C1;10/03/2025;10/03/2025;-300,00;;F-1\n"
        "AV-2;C2;12/03/2025;12/03/2025;50,00;Avoir;\n"
        "AV-3;C1;13/03/2025;13/03/2025;900,00;Avoir;F-1\n",
        encoding="utf-8",
    )
    read = read_portfolio(clients=tmp_path / "clients.csv", invoices=tmp_path / "factures.csv")
    assert read.problems == ()
    (invoice,) = read.invoices
    assert invoice.payments == (
        Payment(dt.date(2025, 3, 10), Decimal("300.00"), reference="Avoir AV-1"),
        Payment(dt.date(2025, 3, 13), Decimal("700.00"), reference="Avoir AV-3"),
    )
    source = str(tmp_path / "factures.csv")
    assert read.credits == (
        Credit("C2", Decimal("50.00"), "EUR", dt.date(2025, 3, 12), "Avoir AV-2", source, 4),
        Credit("C1", Decimal("200.00"), "EUR", dt.date(2025, 3, 13), "Avoir AV-3", source, 5),
    )
    shown = relance("plan", "--date", "2025-04-01", cwd=tmp_path)
    assert "Unallocated credit (avoir disponible), per client:" in shown.stdout
    assert "  C2 Boulangerie Lefèvre 2: 50,00\u00a0€ — Avoir AV-2 (12 mars 2025)" in shown.stdout


def test_payments_on_account_are_kept_per_client(tmp_path: Path) -> None:
    write_export(tmp_path, "utf-8")
    (tmp_path / "reglements.csv").write_text(
        "facture;client;date;montant\n;C3;02/04/2025;75,00\n", encoding="utf-8"
    )
    (tmp_path / "factures.csv").write_text(
        "N° pièce;Code client;Date pièce;Échéance;Montant TTC\nF-1;C1;01/03/2025;31/03/2025;10,00\n",
        encoding="utf-8",
    )
    read = read_portfolio(
        clients=tmp_path / "clients.csv",
        invoices=tmp_path / "factures.csv",
        payments=tmp_path / "reglements.csv",
    )
    assert read.credits_of("C3") == (
        Credit(
            "C3",
            Decimal("75.00"),
            "EUR",
            dt.date(2025, 4, 2),
            "acompte",
            str(tmp_path / "reglements.csv"),
            2,
        ),
    )


def test_a_large_export_streams_row_by_row(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="cp1252", newline="") as file:
        file.write("N° facture;Code client;Date facture;Échéance;Montant TTC\n")
        for i in range(3000):
            file.write(f"F{i};C1;01/03/2025;31/03/2025;{i},50\n")
        file.write("F5;C1;01/03/2025;31/03/2025;1,50\n")
    seen = list(iter_invoices_csv(path))
    assert len(seen) == 3001
    assert seen[-1] == ImportProblem(
        str(path), 3002, None, "invoice 'F5' was already read (line 7); this row is left out"
    )


def test_a_mapping_naming_a_missing_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("numero;client;date;echeance;montant\n", encoding="utf-8")
    with pytest.raises(
        DataImportError, match=r"f\.csv: columns\.balance = 'Solde' is not in the header"
    ):
        read_invoices_csv(path, columns={"balance": "Solde"})


def test_the_daily_run_shows_unread_columns_and_unallocated_credit_like_plan(
    tmp_path: Path,
) -> None:
    """What `relance plan` says of the export, `relance run` (the cron job) says too."""
    write_export(tmp_path, "utf-8")
    (tmp_path / "factures.csv").write_text(
        "N° pièce;Code client;Date pièce;Échéance;Montant TTC;Type;Commentaire\n"
        "F-1;C1;01/03/2025;31/03/2025;1 000,00;Facture;x\n"
        "AV-2;C2;12/03/2025;12/03/2025;50,00;Avoir;y\n",
        encoding="utf-8",
    )
    shown = relance(
        "run", "--date", "2025-04-01", "--dry-run", "--out", tmp_path / "sortie", cwd=tmp_path
    )
    assert "Unallocated credit (avoir disponible), per client:" in shown.stdout
    assert "  C2 Boulangerie Lefèvre 2: 50,00\u00a0€ — Avoir AV-2 (12 mars 2025)" in shown.stdout
    assert shown.stderr.count("columns not read:") == 1
    assert "Commentaire" in shown.stderr


def test_the_vat_number_of_an_export_is_kept_on_the_client(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(
        "Code client;Raison sociale;N° TVA\nC1;Hôtel du Lac;FR 40 303 265 045\n", encoding="utf-8"
    )
    result = read_clients_csv(path)
    (client,) = result.items
    assert (client.vat_number, client.siren) == ("FR40303265045", "303265045")
