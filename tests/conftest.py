"""Shared fixtures: real objects, never mocks of relancelib's own code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relancelib import Address, Client, ClientKind, Creditor, Invoice, ReminderPolicy


@pytest.fixture
def address() -> Address:
    return Address(("12 rue de la République",), "69002", "Lyon")


@pytest.fixture
def creditor(address: Address) -> Creditor:
    return Creditor(
        "Atelier Dupont SARL",
        address=address,
        siren="732829320",
        iban="FR76 3000 6000 0112 3456 7890 189",
        bic="AGRIFRPP",
        email="compta@atelier-dupont.fr",
        phone="+33 4 72 00 00 00",
    )


@pytest.fixture
def business(address: Address) -> Client:
    return Client(
        "C001",
        "Boulangerie Martin",
        email="compta@boulangerie-martin.fr",
        phone="04 78 00 00 01",
        address=Address(("3 place Bellecour",), "69002", "Lyon"),
        siren="552100554",
    )


@pytest.fixture
def consumer() -> Client:
    return Client(
        "C002",
        "Jeanne Lefèvre",
        email="jeanne.lefevre@example.fr",
        phone="06 12 34 56 78",
        address=Address(("8 rue des Lilas",), "75011", "Paris"),
        kind=ClientKind.CONSUMER,
    )


@pytest.fixture
def policy() -> ReminderPolicy:
    return ReminderPolicy.french_default()


def make_invoice(
    number: str = "F-001",
    client_id: str = "C001",
    *,
    due: dt.date = dt.date(2025, 3, 31),
    amount: str = "1200.00",
    **kwargs: object,
) -> Invoice:
    """An invoice issued 30 days before its due date, sent on its issue date."""
    kwargs.setdefault("sent_on", due - dt.timedelta(days=30))
    return Invoice(number, client_id, due - dt.timedelta(days=30), due, Decimal(amount), **kwargs)  # type: ignore[arg-type]
