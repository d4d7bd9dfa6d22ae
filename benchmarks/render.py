"""Benchmark: rendering reminders with the built-in templates (relancelib.rendering).

Builds N e-mail actions (courtoisie, relance_1, relance_2; one to three invoices each) and
measures ``render()`` + ``Message.to_email()`` — with and without the SEPA QR code, which
costs milliseconds of pure-Python drawing per distinct payment — then lays out M letters
(lettre_relance, mise_en_demeure) as PDF with WeasyPrint.  One process, one core.

    python benchmarks/render.py [--emails 2000] [--letters 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import time
from decimal import Decimal

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


def build_actions(count: int, steps: tuple[str, ...]) -> list[Action]:
    """``count`` distinct actions, one client each, cycling through ``steps``."""
    actions = []
    for n in range(count):
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


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.0f}/s  ({seconds * 1000 / count:.3f} ms each)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--letters", type=int, default=50)
    args = parser.parse_args()
    python = f"Python {platform.python_version()}, {platform.machine()}"
    print(f"relancelib rendering benchmark — {python}")

    emails = build_actions(args.emails, ("courtoisie", "relance_1", "relance_2"))
    start = time.perf_counter()
    render(emails[0], CREDITOR).to_email()
    first = (time.perf_counter() - start) * 1000
    print(f"first e-mail (compiles the templates):   {first:8.1f} ms")

    start = time.perf_counter()
    messages = [render(action, CREDITOR, qr_code=False) for action in emails]
    rendered = time.perf_counter()
    for message in messages:
        message.to_email()
    done = time.perf_counter()
    print(f"e-mails, no QR code, render():           {rate(len(emails), rendered - start)}")
    print(f"e-mails, no QR code, render()+to_email(): {rate(len(emails), done - start)}")

    start = time.perf_counter()
    raw = [render(action, CREDITOR, qr_code=False).to_email().as_bytes() for action in emails]
    print(f"  … and as_bytes() (stdlib generator):   {rate(len(raw), time.perf_counter() - start)}")

    start = time.perf_counter()
    for action in emails:
        render(action, CREDITOR).to_email()
    elapsed = time.perf_counter() - start
    print(f"e-mails with QR code (default):          {rate(len(emails), elapsed)}")

    letters = build_actions(args.letters, ("lettre_relance", "mise_en_demeure"))
    render(letters[0], CREDITOR).to_pdf()  # WeasyPrint start-up, fonts
    start = time.perf_counter()
    size = 0
    for action in letters:
        size += len(render(action, CREDITOR).to_pdf())
    elapsed = time.perf_counter() - start
    print(f"letters to PDF (WeasyPrint):             {rate(len(letters), elapsed)}"
          f"  {size / len(letters) / 1024:.0f} KiB each")


if __name__ == "__main__":
    main()
