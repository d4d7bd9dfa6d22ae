"""The fixed recovery indemnity — Code de commerce D441-5 and L441-10 II."""

from __future__ import annotations

from decimal import Decimal

from relancelib.checks import check_instance
from relancelib.model import Client, ClientKind

#: Code de commerce D441-5: the fixed recovery indemnity, per invoice, business debtors only.
RECOVERY_INDEMNITY = Decimal("40.00")
_NONE = Decimal("0.00")


def recovery_indemnity(client: Client) -> Decimal:
    """The fixed recovery indemnity per unpaid invoice: 40 € for a business client, nothing
    for a consumer (Code de commerce D441-5 and L441-10 II; not subject to VAT)."""
    return _recovery_indemnity(check_instance(client, Client, "client"))


def _recovery_indemnity(client: Client) -> Decimal:
    """:func:`recovery_indemnity` for a checked client."""
    return RECOVERY_INDEMNITY if client.kind is ClientKind.BUSINESS else _NONE
