"""The invoice rows built without the general row machinery (relancelib.io.fastrows) are the
very objects the general path builds, and every row it declines gets the general path's
words: a Hypothesis comparison of both paths over real CSV files."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relancelib.io import iter_invoices_csv, read_invoices_csv, read_portfolio
from relancelib.io.columns import INVOICE_COLUMNS
from relancelib.io.fastrows import ENABLED, FastInvoices
from relancelib.io.reading import CsvTable
from relancelib.io.results import ImportProblem
from relancelib.io.rows import BALANCE_REFERENCE, build_invoice, convert
from relancelib.model import Invoice, Payment

HEADER = (
    "N° pièce;Code client;Date pièce;Échéance;Montant TTC;Reste dû;Lettrage;Type;Devise;Litige;"
    "Suspendu jusqu'au;Envoyée le"
)

NUMBERS = st.sampled_from(["F1", "F2", "F-3", " F4 ", "", "=F5", "-F6", "F\x017", "F 8", "F1"])
CLIENTS = st.sampled_from(["C1", "C2", "", "+C3", "C\u20284", "Société Générale"])
DATES = st.sampled_from(
    ["05/03/2025", "2025-03-05", "5/3/2025", "31/02/2025", "01/04/2025", "2025-13-01", "", "x",
     "@05/03/2025", "10/01/2025"]
)  # fmt: skip
AMOUNTS = st.sampled_from(
    ["1234,50", "1 234,50", "1234.50", "1234,5", "0,00", "-12,00", "12,345", "1.234,56", "12 €",
     "€12", "NaN", "abc", "100", "100,001", "=1+2", "1\u00a0234,50", "", "99999999999999999999999999999,99"]
)  # fmt: skip
BALANCES = st.one_of(AMOUNTS, st.just(""), st.sampled_from(["0", "50,00", "1234,50", "-1"]))
OTHER = st.sampled_from(["", "", "", "AA", "Avoir", "Facture"])
CURRENCIES = st.sampled_from(["", "", "EUR", "eur", "USD", "JPY", "=EUR", "XXX"])
FLAGS = st.sampled_from(["", "", "non", "oui", "x", "peut-être", "@non", "0"])
MAYBE_DATES = st.one_of(st.just(""), st.just(""), DATES)

ROW = st.tuples(
    NUMBERS, CLIENTS, DATES, DATES, AMOUNTS, BALANCES, OTHER, OTHER, CURRENCIES, FLAGS,
    MAYBE_DATES, MAYBE_DATES,
)  # fmt: skip


def _general(path: Path, export_date: dt.date | None) -> list[object]:
    """The rows of ``path`` through the general path alone (cells, Row, Invoice(...))."""
    table = CsvTable(path, INVOICE_COLUMNS)
    build = functools.partial(build_invoice, export_date=export_date)
    return [
        entry if isinstance(entry, ImportProblem) else (entry.item, entry.line, entry.balance)
        for entry in convert(iter(table), INVOICE_COLUMNS, build, lambda i: i.number, table.label, "invoice")
    ]  # fmt: skip


def _both(path: Path, export_date: dt.date | None) -> list[object]:
    from relancelib.io.fastrows import convert_invoices

    table = CsvTable(path, INVOICE_COLUMNS)
    build = functools.partial(build_invoice, export_date=export_date)
    return [
        entry if isinstance(entry, ImportProblem) else (entry.item, entry.line, entry.balance)
        for entry in convert_invoices(table, build, export_date, lambda i: i.number)
    ]


def test_the_fast_path_is_on_for_this_model() -> None:
    # If the model's fields change, the fast path switches itself off: this says so loudly.
    assert ENABLED


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(ROW, min_size=1, max_size=12),
    export_date=st.sampled_from([dt.date(2025, 6, 30), None]),
    mark_row=st.sampled_from(["", "F0;C0;01/01/2025;31/01/2025;10.00;10.00;;;;;;"]),
)
def test_both_paths_give_the_same_invoices_and_problems(
    tmp_path_factory: object, rows: list[tuple[str, ...]], export_date: dt.date | None, mark_row: str
) -> None:
    folder = tmp_path_factory.mktemp("fast")  # type: ignore[attr-defined]
    lines = [HEADER] + ([mark_row] if mark_row else []) + [";".join(row) for row in rows]
    path = folder / "factures.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    general, both = _general(path, export_date), _both(path, export_date)
    assert [str(e) if isinstance(e, ImportProblem) else e for e in both] == [
        str(e) if isinstance(e, ImportProblem) else e for e in general
    ]
    for entry in both:
        if not isinstance(entry, ImportProblem) and isinstance(entry[0], Invoice):
            invoice = entry[0]
            attrs.validate(invoice)  # the model's own validators accept what was built
            for payment in invoice.payments:
                attrs.validate(payment)


def test_a_plain_row_takes_the_fast_path_and_equals_the_constructor(tmp_path: Path) -> None:
    fields = {"number": (0,), "client_id": (1,), "issue_date": (2,), "due_date": (3,),
              "amount": (4,), "balance": (5,)}  # fmt: skip
    fast = FastInvoices(fields, ",", dt.date(2025, 6, 30))
    assert fast.enabled
    made = fast.build(["F1", "C1", "05/03/2025", "04/04/2025", "1 234,5", "234,50"])
    assert made is not None
    invoice, balance = made
    assert balance == Decimal("234.50")
    assert invoice == Invoice(
        "F1",
        "C1",
        dt.date(2025, 3, 5),
        dt.date(2025, 4, 4),
        Decimal("1234.50"),
        payments=(Payment(dt.date(2025, 6, 30), Decimal("1000.00"), reference=BALANCE_REFERENCE),),
    )
    assert str(invoice.amount) == "1234.50"
    assert str(invoice.payments[0].amount) == "1000.00"
    # A dispute flag, a hold date, a sending date and the currency EUR are read too.
    many = {**fields, "currency": (6,), "disputed": (7,), "hold_until": (8,), "sent_on": (9,)}
    fast = FastInvoices(many, ",", None)
    made = fast.build(["F1", "C1", "05/03/2025", "04/04/2025", "10", "", "EUR", "oui",
                       "30/04/2025", "06/03/2025"])  # fmt: skip
    assert made is not None
    assert made[0] == Invoice(
        "F1",
        "C1",
        dt.date(2025, 3, 5),
        dt.date(2025, 4, 4),
        Decimal("10.00"),
        disputed=True,
        hold_until=dt.date(2025, 4, 30),
        sent_on=dt.date(2025, 3, 6),
    )
    assert fast.build(["F1", "C1", "05/03/2025", "04/04/2025", "10", "", "USD", "", "", ""]) is None
    # A row with a filled column the fast path does not read goes the general way.
    fast = FastInvoices({**fields, "matched": (6,)}, ",", None)
    assert fast.build(["F1", "C1", "05/03/2025", "04/04/2025", "1 234,5", "", "AA"]) is None
    assert fast.build(["F1", "C1", "05/03/2025", "04/04/2025", "1 234,5", "", ""]) is not None


def test_the_readers_give_the_same_through_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "factures.csv"
    path.write_text(
        "N° pièce;Code client;Date pièce;Échéance;Montant TTC;Reste dû;Lettrage;Type"
        + "\r\nF1;C1;05/03/2025;04/04/2025;100,00;40,00;;\r\n"
        + "F2;C1;05/03/2025;04/04/2025;100,00;100,00;;\r\n"
        + "F3;C1;05/03/2025;04/04/2025;-20,00;;;\r\n"
        + "F1;C1;05/03/2025;04/04/2025;100,00;100,00;;\r\n",
        encoding="cp1252",
    )
    result = read_invoices_csv(path, export_date=dt.date(2025, 6, 30))
    assert [i.number for i in result.items] == ["F1", "F2"]
    assert result.items[0].payments == (
        Payment(dt.date(2025, 6, 30), Decimal("60.00"), reference=BALANCE_REFERENCE),
    )
    assert [n.number for n in result.credit_notes] == ["F3"]
    assert [str(p) for p in result.problems] == [
        f"{path}:5: invoice 'F1' was already read (line 2); this row is left out"
    ]
    streamed = list(iter_invoices_csv(path, export_date=dt.date(2025, 6, 30)))
    assert [getattr(e, "number", None) for e in streamed] == ["F1", "F2", "F3", None]


def test_the_portfolio_still_compares_the_exported_balance_with_the_payments(
    tmp_path: Path,
) -> None:
    (tmp_path / "clients.csv").write_text("Code client;Raison sociale\nC1;Martin\n", "utf-8")
    (tmp_path / "factures.csv").write_text(
        "N° pièce;Code client;Date pièce;Échéance;Montant TTC;Reste dû\n"
        "F1;C1;05/03/2025;04/04/2025;100,00;40,00\n"
        "F2;C1;05/03/2025;04/04/2025;100,00;100,00\n",
        "utf-8",
    )
    (tmp_path / "reglements.csv").write_text(
        "Facture;Date;Montant\nF1;10/04/2025;60,00\nF2;10/04/2025;10,00\n", "utf-8"
    )
    portfolio = read_portfolio(
        clients=tmp_path / "clients.csv",
        invoices=tmp_path / "factures.csv",
        payments=tmp_path / "reglements.csv",
    )
    assert [i.number for i in portfolio.invoices] == ["F1"]
    assert portfolio.invoices[0].payments == (Payment(dt.date(2025, 4, 10), Decimal("60.00")),)
    assert [p.message for p in portfolio.problems] == [
        f"invoice 'F2': the balance in {tmp_path / 'factures.csv'} is 100.00 but the payments "
        f"in {tmp_path / 'reglements.csv'} leave 90.00 to pay; the invoice is left out until "
        "the two agree"
    ]
