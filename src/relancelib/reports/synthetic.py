"""A synthetic portfolio for simulations and benchmarks: deterministic, any size."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from relancelib.checks import check_date, check_integer
from relancelib.model import Address, Client, Invoice
from relancelib.reports._ledger import at_least, shifted

__all__ = ["synthetic_portfolio"]

_CITIES = (("75011", "Paris"), ("69002", "Lyon"), ("67000", "Strasbourg"), ("13001", "Marseille"))


def synthetic_portfolio(
    invoices: int,
    *,
    clients: int | None = None,
    start: dt.date,
    days: int = 365,
    terms_days: int = 30,
    seed: int = 0,
) -> tuple[tuple[Client, ...], tuple[Invoice, ...]]:
    """``(clients, invoices)``: ``invoices`` unpaid invoices issued evenly over ``days`` days
    from ``start`` (payment terms ``terms_days``), for ``clients`` clients (default: one per
    four invoices) who all have an e-mail address, a telephone number and a postal address;
    one client in ten is in segment ``"vip"``.  Amounts run from 50 € to 20 000 €, most
    of them small.  The same arguments give the same portfolio."""
    count = at_least(invoices, 0, "invoices")
    first = check_date(start, "start")
    span = at_least(days, 1, "days")
    people = count // 4 + 1 if clients is None else at_least(clients, 1, "clients")
    term = at_least(terms_days, 0, "terms_days")
    shifted(first, span + term, "days", span)  # the last due date stays in the calendar
    rng = random.Random(check_integer(seed, "seed"))
    made_clients = tuple(
        Client(
            f"C{i:07d}",
            f"Client {i}",
            email=f"compta{i}@example.fr",
            phone="04 72 00 00 00",
            address=Address((f"{1 + i % 150} rue de la République",), *_CITIES[i % 4]),
            segment="vip" if i % 10 == 0 else "standard",
        )
        for i in range(people)
    )
    terms = dt.timedelta(days=term)
    made_invoices = []
    for n in range(count):
        issued = first + dt.timedelta(days=n * span // max(1, count))
        cents = int(rng.lognormvariate(11.5, 1.0)) % 1_995_000 + 5_000
        made_invoices.append(
            Invoice(
                f"S{n:08d}",
                made_clients[rng.randrange(people)].id,
                issued,
                issued + terms,
                Decimal(cents).scaleb(-2),
                sent_on=issued,
            )
        )
    return made_clients, tuple(made_invoices)
