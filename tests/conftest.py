"""Shared fixtures: real objects, never mocks of relancelib's own code (built by factories.py)."""

from __future__ import annotations

import pytest

from factories import make_address, make_business, make_consumer, make_creditor, make_invoice
from relancelib import Address, Client, Creditor, ReminderPolicy

__all__ = ["make_invoice"]


@pytest.fixture
def address() -> Address:
    return make_address()


@pytest.fixture
def creditor() -> Creditor:
    return make_creditor()


@pytest.fixture
def business() -> Client:
    return make_business()


@pytest.fixture
def consumer() -> Client:
    return make_consumer()


@pytest.fixture
def policy() -> ReminderPolicy:
    return ReminderPolicy.french_default()
