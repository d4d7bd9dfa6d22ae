"""Benchmark: rendering reminders with the built-in templates (relancelib.rendering).

Builds N e-mail actions (courtoisie, relance_1, relance_2; one to three invoices each, the
SEPA QR code shown, as by default) and measures ``render()`` — which does not draw the QR
code of an e-mail, only refers to it as ``cid:`` — then ``render()`` + ``Message.to_email()``,
which draws it (segno: milliseconds of pure Python per distinct payment) and attaches it as
an inline PNG, then the same + ``as_bytes()``; finally it lays out M letters
(lettre_relance, mise_en_demeure, the QR code drawn as SVG at render time) as PDF with
WeasyPrint.  One process, one core.  Each figure is the best of several rounds, as
``timeit`` does, so that other processes on the machine disturb it less; QR codes are cached
by payload, so every round of a measurement that draws them renders distinct actions.

    python benchmarks/render.py [--emails 2000] [--qr-emails 200] [--letters 20] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from relancelib import (
    Action,
    ActionItem,
    Address,
    Client,
    Creditor,
    Invoice,
    ReminderPolicy,
    action_key,
    law,
)
from relancelib.rendering import render

POLICY = ReminderPolicy.french_default()
ON = dt.date(2025, 3, 18)
CREDITOR = Creditor(
    "Atelier Dupont SARL",
    address=Address(("12 rue de la République",), "69002", "Lyon"),
    siren="732829320",
    iban="FR76 3000 6000 0112 3456 7890 189",
    bic="AGRIFRPP",
    email="compta@atelier-dupont.fr",
    phone="+33 4 72 00 00 00",
    payment_link="https://pay.atelier-dupont.fr/",
)


def build_actions(count: int, steps: tuple[str, ...], first: int = 0) -> list[Action]:
    """``count`` distinct actions, one client each, cycling through ``steps``."""
    actions = []
    for n in range(first, first + count):
        client = Client(
            f"C{n:06d}",
            f"Société Cliente n°{n} & Associés",
            email=f"compta{n}@client-{n}.fr",
            phone="04 78 00 00 01",
            address=Address((f"{n % 200 + 1} avenue Jean Jaurès",), "69007", "Lyon"),
        )
        step = POLICY.step(steps[n % len(steps)])
        items = []
        for k in range(n % 3 + 1):
            due = ON - dt.timedelta(days=step.offset_days + k)
            amount = Decimal(100 + (n * 37 + k * 11) % 9000) + Decimal(n % 100) / 100
            invoice = Invoice(f"F-{n:06d}-{k}", client.id, due - dt.timedelta(days=30), due, amount)
            penalties = None
            if step.include_penalties:
                penalties = law.late_penalties(amount, due, ON)
            indemnity = Decimal("40.00") if step.include_penalties else Decimal("0")
            items.append(
                ActionItem(invoice, step, amount, invoice.days_overdue(ON), penalties, indemnity)
            )
        total = sum((item.balance for item in items), Decimal(0))
        key = action_key(client.id, [(item.invoice.number, step.key) for item in items])
        actions.append(Action(key, client, step, tuple(items), {"EUR": total}, ON))
    return actions


def best(rounds: Sequence[Sequence[Any]], work: Callable[[Any], object]) -> tuple[int, float]:
    """The best time of ``work`` over each round of items: (items per round, seconds)."""
    times = []
    for actions in rounds:
        start = time.perf_counter()
        for action in actions:
            work(action)
        times.append(time.perf_counter() - start)
    return len(rounds[0]), min(times)


def show(label: str, result: tuple[int, float], extra: str = "") -> None:
    count, seconds = result
    print(f"{label:<44}{count / seconds:8.0f}/s  ({seconds * 1000 / count:7.3f} ms each){extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--qr-emails", type=int, default=200)
    parser.add_argument("--letters", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"relancelib rendering — Python {platform.python_version()}, {platform.machine()}")

    steps = ("courtoisie", "relance_1", "relance_2")
    emails = build_actions(args.emails, steps)
    start = time.perf_counter()
    render(emails[0], CREDITOR).to_email()
    first = (time.perf_counter() - start) * 1000
    print(f"{'first e-mail (compiles the templates)':<44}{first:8.1f} ms")

    rounds = [emails] * args.rounds
    show("e-mails with QR code: render()", best(rounds, lambda a: render(a, CREDITOR)))
    # to_email() draws the QR code, cached by payload: distinct actions in each round.
    qr_rounds = [
        build_actions(args.qr_emails, steps, 10**5 * (r + 1)) for r in range(min(args.rounds, 3))
    ]
    show(
        "  + to_email() (draws the QR code)",
        best(qr_rounds, lambda a: render(a, CREDITOR).to_email()),
    )
    qr_rounds = [
        build_actions(args.qr_emails, steps, 10**5 * (r + 4)) for r in range(min(args.rounds, 3))
    ]
    show(
        "  + as_bytes() (stdlib generator)",
        best(qr_rounds, lambda a: render(a, CREDITOR).to_email().as_bytes()),
    )
    messages = [render(a, CREDITOR) for a in emails[: args.qr_emails]]
    for message in messages:
        message.to_email()  # the QR codes drawn and cached
    show(
        "  to_email() alone, QR code already drawn",
        best([messages] * args.rounds, lambda m: m.to_email()),
    )
    no_iban = attrs.evolve(CREDITOR, iban=None, bic=None)
    show(
        "e-mails without QR code (no IBAN): render()",
        best(rounds, lambda a: render(a, no_iban)),
    )
    show("  + to_email()", best(rounds, lambda a: render(a, no_iban).to_email()))
    show("  + as_bytes()", best(rounds, lambda a: render(a, no_iban).to_email().as_bytes()))

    letters = build_actions(args.letters, ("lettre_relance", "mise_en_demeure"))
    render(letters[0], CREDITOR).to_pdf()  # WeasyPrint start-up, fonts
    sizes: list[int] = []
    result = best(
        [letters] * min(args.rounds, 2), lambda a: sizes.append(len(render(a, CREDITOR).to_pdf()))
    )
    show("letters to PDF (WeasyPrint)", result, f"  {sum(sizes) / len(sizes) / 1024:.0f} KiB each")


if __name__ == "__main__":
    main()
