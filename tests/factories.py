"""The test suite's one set of factories: real relancelib objects with French sample data.

Fixtures in ``conftest.py`` and every test module build their clients, creditors and invoices
here, so a change to a constructor is made once.  Never mocks of relancelib's own code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from relancelib import Address, Client, ClientKind, Creditor, Invoice


def make_address(
    lines: tuple[str, ...] = ("12 rue de la République",),
    postal_code: str = "69002",
    city: str = "Lyon",
    **kwargs: Any,
) -> Address:
    """A French postal address (Lyon by default)."""
    return Address(lines, postal_code, city, **kwargs)


def make_creditor(**overrides: Any) -> Creditor:
    """The creditor of the tests: a SARL in Lyon with valid SIREN, IBAN and BIC."""
    fields: dict[str, Any] = {
        "address": make_address(),
        "siren": "732829320",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "AGRIFRPP",
        "email": "compta@atelier-dupont.fr",
        "phone": "+33 4 72 00 00 00",
    }
    fields.update(overrides)
    name = fields.pop("name", "Atelier Dupont SARL")
    return Creditor(name, **fields)


def make_business(
    client_id: str = "C001", name: str = "Boulangerie Martin", **overrides: Any
) -> Client:
    """A business client (B2B) with every contact: e-mail, phone, address, SIREN."""
    fields: dict[str, Any] = {
        "email": "compta@boulangerie-martin.fr",
        "phone": "04 78 00 00 01",
        "address": make_address(("3 place Bellecour",)),
        "siren": "552100554",
    }
    fields.update(overrides)
    return Client(client_id, name, **fields)


def make_consumer(
    client_id: str = "C002", name: str = "Jeanne Lefèvre", **overrides: Any
) -> Client:
    """A consumer client (B2C) with every contact."""
    fields: dict[str, Any] = {
        "email": "jeanne.lefevre@example.fr",
        "phone": "06 12 34 56 78",
        "address": make_address(("8 rue des Lilas",), "75011", "Paris"),
        "kind": ClientKind.CONSUMER,
    }
    fields.update(overrides)
    return Client(client_id, name, **fields)


def make_invoice(
    number: str = "F-001",
    client_id: str = "C001",
    *,
    due: dt.date = dt.date(2025, 3, 31),
    amount: str = "1200.00",
    terms_days: int = 30,
    **kwargs: Any,
) -> Invoice:
    """An invoice issued ``terms_days`` before its due date, sent on its issue date unless
    ``sent_on`` is given (``sent_on=None`` for no proof of sending)."""
    issued = due - dt.timedelta(days=terms_days)
    kwargs.setdefault("sent_on", issued)
    return Invoice(number, client_id, issued, due, Decimal(amount), **kwargs)
