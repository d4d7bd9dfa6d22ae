"""Each preset reads a file written the way its program writes it: encoding, separator, line
ends, dates and amounts.

What is assumed of each program is in ``relancelib/io/presets.py`` (with the sources found):
the desktop programs (Sage 100, EBP, Cegid) write Windows-1252 with ``;`` between fields,
CRLF line ends, ``dd/mm/yyyy`` dates and amounts with a comma and a no-break space between
thousands (how French Windows and Excel write them); Pennylane's web export is UTF-8 with a
byte-order mark (what Excel needs to open it); Odoo's "import-compatible" export is UTF-8
with ``,`` and ISO dates and amounts with a point; Dolibarr's CSV export is UTF-8 with
``;``... Credit notes are read the way each one marks them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from relancelib.io import read_invoices_csv
from relancelib.io.presets import PRESETS

NBSP = "\u00a0"
EXPORT_DAY = dt.date(2025, 5, 15)


def _write(tmp_path: Path, lines: list[str], encoding: str, end: str = "\r\n") -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes((end.join(lines) + end).encode(encoding))
    return path


def test_every_preset_has_a_test_here() -> None:
    assert sorted(PRESETS) == ["cegid", "dolibarr", "ebp", "odoo", "pennylane", "sage100"]


def test_sage100_ledger_export_with_general_and_third_party_accounts(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            "Code journal;Date;N° pièce;N° compte général;N° compte tiers;Libellé écriture;"
            "Échéance;Débit;Crédit;Lettrage",
            f"VTE;03/03/2025;FA0042;411000;CGAUTHIER;Facture Gauthier;02/04/2025;1{NBSP}234,56;;",
            "VTE;04/03/2025;FA0043;411000;CMARTIN;Facture Martin;03/04/2025;80,00;;AB",
        ],
        "cp1252",
    )
    result = read_invoices_csv(path, preset="sage100", export_date=EXPORT_DAY)
    assert result.encoding == "cp1252"
    assert result.problems == ()
    assert [(i.number, i.client_id, i.due_date, i.amount) for i in result.items] == [
        ("FA0042", "CGAUTHIER", dt.date(2025, 4, 2), Decimal("1234.56")),
        ("FA0043", "CMARTIN", dt.date(2025, 4, 3), Decimal("80.00")),
    ]
    # A lettrage code says the invoice is settled.
    assert result.items[1].balance(EXPORT_DAY) == Decimal("0.00")
    assert result.ignored_columns == (
        "Code journal",
        "N° compte général",
        "Libellé écriture",
        "Crédit",
    )


def test_ebp_sales_list_with_a_credit_note(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            "N° pièce;Code client;Date;Échéance;Montant TTC;Reste dû",
            f"FA00012;CL0001;05/03/2025;04/04/2025;2{NBSP}400,00;1{NBSP}400,00",
            "AV00003;CL0001;10/03/2025;10/03/2025;-120,00;-120,00",
        ],
        "cp1252",
    )
    result = read_invoices_csv(path, preset="ebp", export_date=EXPORT_DAY)
    assert result.problems == ()
    (invoice,) = result.items
    assert invoice.balance(EXPORT_DAY) == Decimal("1400.00")
    assert [(n.number, n.amount) for n in result.credit_notes] == [("AV00003", Decimal("120.00"))]


def test_cegid_open_items(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            "Référence;Compte;Date pièce;Date échéance;Montant;Solde",
            "F250031;411DUPONT;12/02/2025;14/03/2025;960,00;960,00",
        ],
        "cp1252",
    )
    result = read_invoices_csv(path, preset="cegid", export_date=EXPORT_DAY)
    assert result.problems == ()
    assert [(i.number, i.client_id, i.amount) for i in result.items] == [
        ("F250031", "411DUPONT", Decimal("960.00"))
    ]


def test_pennylane_customer_invoices_utf8_with_bom(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            "Numéro de facture;Client;Date;Date d'échéance;Montant TTC;Reste à payer",
            "F-2025-118;Société Générale d'Électricité;01/03/2025;31/03/2025;1 500,00;500,00",
        ],
        "utf-8-sig",
        end="\n",
    )
    result = read_invoices_csv(path, preset="pennylane", export_date=EXPORT_DAY)
    assert result.encoding == "utf-8-sig"
    assert result.problems == ()
    (invoice,) = result.items
    assert invoice.client_id == "Société Générale d'Électricité"
    assert invoice.balance(EXPORT_DAY) == Decimal("500.00")


def test_pennylane_api_names_are_read_too(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            "invoice_number,customer,date,deadline,amount,remaining_amount_with_tax",
            "F-2025-118,C42,2025-03-01,2025-03-31,1500.00,500.00",
        ],
        "utf-8",
        end="\n",
    )
    result = read_invoices_csv(path, export_date=EXPORT_DAY)
    assert result.problems == ()
    assert result.ignored_columns == ()
    assert result.items[0].balance(EXPORT_DAY) == Decimal("500.00")


def test_odoo_import_compatible_export_with_a_refund(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            "name,partner_id,invoice_date,invoice_date_due,amount_total_signed,"
            "amount_residual_signed,move_type,reversed_entry_id,currency_id",
            "INV/2025/00007,Azure Interior,2025-03-01,2025-03-31,1200.00,1200.00,out_invoice,,EUR",
            "RINV/2025/00001,Azure Interior,2025-03-05,2025-03-05,-200.00,-200.00,out_refund,"
            "INV/2025/00007,EUR",
        ],
        "utf-8",
        end="\n",
    )
    result = read_invoices_csv(path, preset="odoo", export_date=EXPORT_DAY)
    assert result.problems == ()
    assert [i.number for i in result.items] == ["INV/2025/00007"]
    assert [(n.number, n.amount, n.applies_to) for n in result.credit_notes] == [
        ("RINV/2025/00001", Decimal("200.00"), "INV/2025/00007")
    ]


def test_dolibarr_export_profile_with_a_credit_note_type(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            "Réf. facture;Code client;Date facturation;Date échéance;Montant TTC;Reste à payer;Type",
            "FA2503-0004;CU2503-00002;03/03/2025;02/04/2025;360,00;360,00;0",
            "AV2503-0001;CU2503-00002;06/03/2025;06/03/2025;60,00;60,00;2",
        ],
        "utf-8",
        end="\n",
    )
    result = read_invoices_csv(path, preset="dolibarr", export_date=EXPORT_DAY)
    assert result.problems == ()
    assert [i.number for i in result.items] == ["FA2503-0004"]
    assert [n.number for n in result.credit_notes] == ["AV2503-0001"]


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_a_preset_header_the_file_lacks_falls_back_on_the_vocabulary(
    tmp_path: Path, preset: str
) -> None:
    path = _write(
        tmp_path,
        ["numero;client;date_facture;echeance;montant_ttc", "F1;C1;01/03/2025;31/03/2025;10,00"],
        "utf-8",
    )
    result = read_invoices_csv(path, preset=preset)
    assert [i.number for i in result.items] == ["F1"]
