"""Instalment plans (*échéanciers*) written for the client: the proposal and the confirmation.

:func:`render_instalments` writes ``echeancier_proposition`` (each instalment and its date,
how to accept) or, with ``confirm=True``, ``echeancier_confirmation`` (the plan agreed) for an
:class:`~relancelib.events.InstalmentPlan` — by e-mail when the client has an address, else by
letter — with the same sandbox, macros and checks as :func:`~relancelib.rendering.render`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, localcontext
from typing import Any

from relancelib.checks import MONEY_CONTEXT, check_bool, check_date, check_instance, check_locale
from relancelib.errors import InvalidFieldError, UnknownLocaleError
from relancelib.events import InstalmentPlan
from relancelib.model import Client, Creditor, Invoice
from relancelib.policy import Channel
from relancelib.rendering import templates as tpl
from relancelib.rendering.context import greetings, legal_mentions, recipient
from relancelib.rendering.email import message_id
from relancelib.rendering.letters import sender_lines
from relancelib.rendering.message import Message
from relancelib.rendering.render import write_blocks

__all__ = ["INSTALMENT_TEMPLATES", "render_instalments"]

#: The built-in templates of :func:`render_instalments`: (proposal, confirmation).
INSTALMENT_TEMPLATES = ("echeancier_proposition", "echeancier_confirmation")


def _channel(client: Client, channel: object) -> Channel:
    if channel is None:
        by_letter = client.email is None and client.address is not None
        return Channel.LETTER if by_letter else Channel.EMAIL
    checked = check_instance(channel, Channel, "channel")
    if checked not in (Channel.EMAIL, Channel.LETTER, Channel.REGISTERED_LETTER):
        raise InvalidFieldError(
            "must be a written channel: EMAIL, LETTER or REGISTERED_LETTER",
            field="channel",
            value=channel,
        )
    return checked


def render_instalments(
    plan: InstalmentPlan,
    invoice: Invoice,
    client: Client,
    creditor: Creditor,
    *,
    as_of: dt.date,
    confirm: bool = False,
    templates: tpl.TemplatesLike = None,
    channel: Channel | None = None,
) -> Message:
    """Write the proposal of the instalment ``plan`` for ``invoice`` to ``client`` (or, with
    ``confirm=True``, the confirmation of the plan agreed), dated ``as_of``.

    The message lists each instalment (date and amount) and, when the plan covers less than
    the balance, what stays due on the invoice's own terms; the proposal says how to accept
    (a reply before the first instalment's date).  ``channel`` defaults to e-mail when the
    client has an e-mail address, else a letter.  ``templates`` overrides
    ``echeancier_proposition`` / ``echeancier_confirmation`` as for :func:`render`.

    Raises :class:`InvalidFieldError` when the plan is not for that invoice or the invoice
    not for that client, :class:`MissingDataError` when the client cannot be reached through
    ``channel``, and the template errors of :func:`render`.
    """
    check_instance(plan, InstalmentPlan, "plan", what="an InstalmentPlan")
    check_instance(invoice, Invoice, "invoice")
    check_instance(client, Client, "client")
    check_instance(creditor, Creditor, "creditor")
    letter_date = check_date(as_of, "as_of")
    confirm = check_bool(confirm, "confirm")
    if plan.invoice_number != invoice.number:
        raise InvalidFieldError(
            f"is for invoice {plan.invoice_number!r}, not {invoice.number!r}",
            field="plan.invoice_number",
            value=plan.invoice_number,
        )
    if invoice.client_id != client.id:
        raise InvalidFieldError(
            f"belongs to client {invoice.client_id!r}, not {client.id!r}",
            field="invoice.client_id",
            value=invoice.client_id,
        )
    used = _channel(client, channel)
    language = check_locale(client.locale).language
    user = tpl.user_set(templates)
    name = INSTALMENT_TEMPLATES[1] if confirm else INSTALMENT_TEMPLATES[0]
    template_set, template, builtin = tpl.find_template(name, client.segment, user)
    if builtin and language != "fr":
        raise UnknownLocaleError(
            "the built-in templates are written in French; pass templates=... to write "
            "in another language",
            field="locale",
            value=client.locale,
        )
    to, to_lines = recipient(client, used)
    context = _context(plan, invoice, client, creditor, letter_date, used, to, to_lines)
    subject, text, html = write_blocks(
        template_set, template, context, lambda: f"Échéancier – facture {invoice.number}"
    )
    return Message(
        subject,
        text,
        html,
        used,
        to,
        action_key=plan.key,
        step_key=name,
        client_id=client.id,
        template=template,
        date=letter_date,
        sender=creditor.name,
        sender_email=creditor.email,
        recipient_name=client.name,
        recipient_email=client.email,
        message_id=message_id(plan.key, creditor.email),
        deadline=plan.instalments[0].due,
        locale=client.locale,
    )


def _context(
    plan: InstalmentPlan,
    invoice: Invoice,
    client: Client,
    creditor: Creditor,
    letter_date: dt.date,
    channel: Channel,
    to: str,
    to_lines: list[str],
) -> dict[str, Any]:
    """What the instalment templates see: the plan, the invoice and the variables the
    shared macros use (greeting, letter head, payment, signature)."""
    with localcontext(MONEY_CONTEXT):
        balance = invoice.balance(letter_date)
        rest = max(balance - plan.total, Decimal("0"))
    greeting, salutation = greetings(client)
    return {
        "plan": plan,
        "instalments": plan.instalments,
        "plan_total": plan.total,
        "invoice": invoice,
        "balance": balance,
        "rest": rest,
        "currency": invoice.currency,
        "client": client,
        "creditor": creditor,
        "channel": channel,
        "greeting": greeting,
        "salutation": salutation,
        "legal_mentions": legal_mentions(creditor),
        "is_business": client.is_business,
        "letter_date": letter_date,
        "as_of": letter_date,
        "message_key": plan.key,
        "reference": invoice.number,
        "iban": creditor.formatted_iban,
        "bic": creditor.bic,
        "payment_link": creditor.payment_link,
        "qr": None,
        "recipient": to,
        "recipient_lines": to_lines,
        "sender_lines": sender_lines(creditor),
        "signatory": creditor.signatory or creditor.name,
        "locale": client.locale,
    }
