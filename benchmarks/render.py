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

The complete e-mail (render + ``to_email()`` + ``as_bytes()``) is also built the way it was
before issue 15, in the same process, as the baseline: the QR code drawn by segno (its own
mask choice) and every header parsed and folded by the standard library
(``set_content``/``add_alternative``/``add_related``).  Every figure is also given in CPU
time (``time.process_time``: what one core does, less disturbed by other processes than the
wall clock) and as a ratio to ``render()`` alone.

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
    times, cpu = [], []
    for actions in rounds:
        start, start_cpu = time.perf_counter(), time.process_time()
        for action in actions:
            work(action)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[0] = min(cpu) / len(rounds[0])
    return len(rounds[0]), min(times)


# The CPU seconds per item of the last measurement.
CPU = [0.0]


def show(label: str, result: tuple[int, float], extra: str = "", base: float = 0.0) -> float:
    count, seconds = result
    ratio = f"  {CPU[0] / base:5.2f}× render()" if base else ""
    print(
        f"{label:<44}{count / seconds:8.0f}/s  ({seconds * 1000 / count:7.3f} ms each)"
        f"  cpu {1 / CPU[0]:6.0f}/s{ratio}{extra}"
    )
    return CPU[0]


def email_before_issue_15(message: Any) -> bytes:
    """The complete e-mail as relancelib built it before issue 15: the QR code drawn by segno
    (its own mask choice, its PNG writer), the headers parsed and folded by the standard
    library: the baseline, with the same structure and the same contents."""
    import email.policy
    import io
    from email.headerregistry import Address
    from email.message import EmailMessage

    import segno

    from relancelib.rendering.email import paris_morning
    from relancelib.rendering.qr import _payload_bytes

    key = message.action_key
    msg = EmailMessage(policy=email.policy.default)
    user, _, domain = message.sender_email.rpartition("@")
    msg["From"] = Address(message.sender, user, domain)
    user, _, domain = message.recipient_email.rpartition("@")
    msg["To"] = Address(message.recipient_name, user, domain)
    msg["Subject"] = message.subject
    msg["Date"] = paris_morning(message.date)
    msg["Message-ID"] = message.message_id
    msg["X-Relance-Key"] = key
    msg.set_content(message.text, cte="quoted-printable")
    msg.make_alternative(boundary=f"=_{key}")
    msg.add_alternative(message.html, subtype="html", cte="quoted-printable")
    html = msg.get_body(preferencelist=("html",))
    html.make_related(boundary=f"=-{key}")
    html.set_param("type", "text/html")
    buffer = io.BytesIO()
    code = segno.make_qr(_payload_bytes(message.qr_payload), error="m", boost_error=False)
    code.save(buffer, kind="png", scale=4, border=4)
    html.add_related(
        buffer.getvalue(), "image", "png", cid=f"<{message.qr_cid}>", disposition="inline",
        filename="virement-sepa.png", params={"name": "virement-sepa.png"},
    )  # fmt: skip
    return msg.as_bytes()


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
    base = show("e-mails with QR code: render()", best(rounds, lambda a: render(a, CREDITOR)))
    # to_email() draws the QR code, cached by payload: distinct actions in each round.
    qr_rounds = [
        build_actions(args.qr_emails, steps, 10**5 * (r + 1)) for r in range(min(args.rounds, 3))
    ]
    fresh = show(
        "  render() of actions never seen",
        best(qr_rounds, lambda a: render(a, CREDITOR)),
        base=base,
    )
    qr_rounds = [
        build_actions(args.qr_emails, steps, 10**5 * (r + 4)) for r in range(min(args.rounds, 3))
    ]
    show(
        "  + to_email() (draws the QR code)",
        best(qr_rounds, lambda a: render(a, CREDITOR).to_email()),
        base=fresh,
    )
    qr_rounds = [
        build_actions(args.qr_emails, steps, 10**5 * (r + 7)) for r in range(min(args.rounds, 3))
    ]
    complete = show(
        "  + as_bytes(): the complete e-mail",
        best(qr_rounds, lambda a: render(a, CREDITOR).to_email().as_bytes()),
        base=fresh,
    )
    qr_rounds = [
        build_actions(args.qr_emails, steps, 10**5 * (r + 10)) for r in range(min(args.rounds, 3))
    ]
    before = show(
        "  the same, built as before issue 15",
        best(qr_rounds, lambda a: email_before_issue_15(render(a, CREDITOR))),
        base=fresh,
    )
    print(f"{'  complete e-mail: speed-up on issue 15':<44}{before / complete:8.1f}×")
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
