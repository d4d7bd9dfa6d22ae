"""Tests of relancelib.display: escaped HTML with French amounts and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relancelib.display import action_html, plan_html, records_html
from relancelib.engine import plan
from relancelib.formatting import format_amount
from relancelib.journal import MemoryJournal, Record
from relancelib.model import Address, Client, Invoice
from relancelib.policy import Channel, ReminderPolicy, Step

AS_OF = dt.date(2025, 4, 1)
NNBSP, NBSP = "\u202f", "\u00a0"


def _clients() -> list[Client]:
    return [
        Client("C1", "<b>x</b>", email="compta@x.fr"),
        Client("C2", "Dupont & Fils", email="compta@dupont.fr"),
    ]


def _invoices() -> list[Invoice]:
    return [
        Invoice("F-001", "C1", dt.date(2025, 3, 1), dt.date(2025, 3, 31), Decimal("1200.00")),
        Invoice("F-<2>", "C1", dt.date(2025, 2, 18), dt.date(2025, 3, 20), Decimal("34.56")),
        Invoice("F-003", "C2", dt.date(2025, 3, 4), dt.date(2025, 4, 3), Decimal("99.99")),
        Invoice("F-004", "C9", dt.date(2025, 3, 4), dt.date(2025, 4, 3), Decimal("1.00")),
    ]


def test_plan_html_escapes_names_and_shows_french_amounts() -> None:
    today = plan(_invoices(), _clients(), ReminderPolicy.french_default(), AS_OF)
    html = plan_html(today)
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt; <small>(C1)</small>" in html
    assert "Dupont &amp; Fils" in html
    assert "F-&lt;2&gt;, F-001" in html
    assert f"1{NNBSP}234,56{NBSP}€" in html
    assert f"99,99{NBSP}€" in html
    assert "Plan du 1er avril 2025</strong> — 2 actions" in html
    assert "<td>relance_1</td><td>e-mail</td>" in html
    assert "<td>courtoisie</td>" in html
    assert "Problèmes (1) :" in html
    assert (
        "<strong>erreur</strong> — F-004 : client &#x27;C9&#x27; is not among the clients" in html
    )


def test_plan_html_of_an_empty_plan() -> None:
    html = plan_html(plan([], [], ReminderPolicy.french_default(), AS_OF))
    assert "0 action<" in html
    assert "Aucune relance à faire ce jour." in html
    assert "Problèmes" not in html


def test_action_html_lists_items_penalties_and_indemnity() -> None:
    policy = ReminderPolicy(
        "formal", (Step("mise_en_demeure", 45, Channel.REGISTERED_LETTER, include_penalties=True),)
    )
    invoice = Invoice(
        "F-001",
        "C1",
        dt.date(2025, 1, 15),
        dt.date(2025, 2, 14),
        Decimal("1200.00"),
        sent_on=dt.date(2025, 1, 15),
    )
    (action,) = plan(
        [invoice],
        [Client("C1", "<b>x</b>", email="a@x.fr", address=Address(("1 rue",), "69002", "Lyon"))],
        policy,
        AS_OF,
    ).actions
    (item,) = action.items
    assert item.penalties is not None
    html = action_html(action)
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "mise_en_demeure par lettre recommandée AR, le 1er avril 2025" in html
    assert '<td>F-001</td><td>14/02/2025</td><td style="text-align:right">46</td>' in html
    assert f"1{NNBSP}200,00{NBSP}€" in html
    assert format_amount(item.penalties.amount) in html
    assert f"40,00{NBSP}€" in html
    claimed = format_amount(Decimal("1240.00") + item.penalties.amount)
    assert (
        f"Total dû : 1{NNBSP}200,00{NBSP}€ — réclamé avec pénalités et indemnités : {claimed}"
        in html
    )


def test_records_html_escapes_references() -> None:
    today = plan(_invoices(), _clients(), ReminderPolicy.french_default(), AS_OF)
    journal = MemoryJournal()
    journal.record(today.actions[0], reference="<script>alert(1)</script>")
    html = records_html(journal.records())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<td>01/04/2025</td><td>C1</td><td>e-mail</td>" in html
    assert "F-&lt;2&gt; : relance_1<br>F-001 : relance_1" in html
    assert (
        records_html([])
        == '<div class="relancelib-journal"><p>Aucune relance enregistrée.</p></div>'
    )
    record = Record("k", "C<3>", (("F-9", "appel"),), AS_OF, Channel.PHONE)
    assert "<td>C&lt;3&gt;</td><td>téléphone</td>" in records_html([record])


def test_junk_is_refused_with_a_relance_error() -> None:
    import pytest

    from relancelib.errors import RelanceError

    for junk in (None, "€", object(), 3):
        for function in (plan_html, action_html, records_html):
            with pytest.raises(RelanceError):
                function(junk)  # type: ignore[arg-type]
    with pytest.raises(RelanceError):
        records_html([object()])  # type: ignore[list-item]
