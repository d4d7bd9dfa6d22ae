"""The template context: what a template sees of an action, its client and the creditor.

:data:`TEMPLATE_VARIABLES` documents each variable; :func:`build_context` builds them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from relancelib.engine import Action
from relancelib.errors import MissingDataError
from relancelib.formatting import format_amount
from relancelib.model import Client, Creditor
from relancelib.policy import Channel
from relancelib.rendering.email import qr_content_id
from relancelib.rendering.letters import address_lines, sender_lines
from relancelib.rendering.qr import payment_qr

__all__ = ["TEMPLATE_VARIABLES", "build_context", "greetings", "legal_mentions", "recipient"]

#: The variables every template sees (besides the filters of TEMPLATE_FILTERS).
TEMPLATE_VARIABLES: Mapping[str, str] = {
    "action": "the Action (key, items, totals, claimed, demanded, channel, on)",
    "channel": "the channel actually used (action.channel: the step's or a fallback)",
    "own_items": "the items the message demands (at the action's step)",
    "other_items": "the other overdue items (earlier steps), listed in a section of their own",
    "upcoming_items": "the items not yet due, named only 'pour mémoire' (never claimed)",
    "demanded": "what the message demands per currency: claimed of the own items only",
    "demanded_total": "demanded in the single currency of the own items (else absent)",
    "greeting": "'Bonjour Madame Durand,' (client.contact) or 'Madame, Monsieur,'",
    "salutation": "the letters' salutation: 'Madame,', 'Monsieur,' or 'Madame, Monsieur,'",
    "legal_mentions": "the creditor's mentions (R123-237): form, capital, RCS city + SIREN",
    "contractual_rate": "client.penalty_rate (a contractual rate), or None",
    "client": "the Client (name, email, phone, address, kind, segment...)",
    "creditor": "the Creditor (name, address, iban, bic, email, phone, payment_link...)",
    "step": "the action's Step (key, channel, offset_days)",
    "items": "all the ActionItems: invoice, balance, days_overdue, penalties, indemnity, claimed",
    "totals": "principal due per currency (a mapping)",
    "claimed": "principal + penalties + indemnities per currency (a mapping)",
    "penalties_total": "the penalties (or legal interest) of the own items, per currency",
    "indemnity_total": "the recovery indemnities of the own items (in euros, D441-5)",
    "letter_date": "the date of the message (render's as_of, default action.on)",
    "deadline": "calendar.legal_deadline(letter_date, deadline_days) (CPC 641-642)",
    "deadline_days": "the number of days given to pay (8 by default)",
    "is_business": "True for a business client (L441-10 penalties, 40 € indemnity)",
    "reference": "the payment reference to quote: the demanded invoice number(s)",
    "invoices_label": "the own items: 'facture F-1', 'factures F-1 et F-2', '4 factures'",
    "iban": "the creditor's IBAN in groups of four, or None",
    "bic": "the creditor's BIC, or None",
    "payment_link": "the creditor's payment link, or None",
    "qr": (
        "the SEPA transfer QR code, or None: qr.cid (the cid: URL of the image attached to "
        "the e-mail), qr.png and qr.svg (data: URIs, drawn at render time); qr.payload"
    ),
    "recipient": "the recipient: e-mail, phone or postal address text, by channel",
    "recipient_lines": "the postal address block as a list of lines (letters), or []",
    "sender_lines": "the creditor's postal address block as a list of lines",
    "signatory": "creditor.signatory, or the creditor's name",
    "locale": "the locale the figures are written in",
    "subject": "the rendered subject (in the text and html blocks)",
    "invoices": "the invoices of the action (item.invoice for each item)",
    "as_of": "the same as letter_date",
    "currency": "the action's currency (only when all its invoices share one)",
    "total": "the principal demanded (only when the own invoices share one currency)",
    "claimed_total": "the same as demanded_total",
}


def recipient(client: Client, channel: Channel) -> tuple[str, list[str]]:
    """Whom the message goes to through ``channel``: the contact as text, and the postal
    block as lines (letters only, else ``[]``); :class:`MissingDataError` when the client
    has no such contact."""
    attribute = channel.contact_field
    value = getattr(client, attribute)
    if value is None:
        raise MissingDataError(
            f"client {client.id!r} has no {channel.contact_label} for the {channel.value} channel",
            field=f"Client.{attribute}",
        )
    if channel.is_postal:
        lines = address_lines(client.name, value)
        return "\n".join(lines), lines
    return str(value), []


def _reference(action: Action) -> str:
    return ", ".join(item.invoice.number for item in action.own_items)


_CIVILITIES = ("Madame", "Monsieur")


def greetings(client: Client) -> tuple[str, str]:
    """The e-mail greeting and the letter salutation: "Bonjour Madame Durand," and "Madame,"
    for a known contact person (``client.contact``), "Madame, Monsieur," when unknown."""
    contact = client.contact
    if contact is None:
        return "Madame, Monsieur,", "Madame, Monsieur,"
    civility = contact.split()[0]
    return f"Bonjour {contact},", f"{civility}," if civility in _CIVILITIES else f"{contact},"


def legal_mentions(creditor: Creditor) -> str:
    """The mentions of Code de commerce R123-237 on the creditor's correspondence: name, legal
    form and share capital, RCS and its city with the SIREN."""
    parts = [creditor.name]
    if creditor.legal_form and creditor.share_capital is not None:
        capital = format_amount(creditor.share_capital, "EUR").replace(",00", "")
        parts.append(f"{creditor.legal_form} au capital de {capital}")
    elif creditor.legal_form:
        parts.append(creditor.legal_form)
    if creditor.siren:
        siren = f"{creditor.siren[0:3]} {creditor.siren[3:6]} {creditor.siren[6:9]}"
        parts.append(f"RCS {creditor.rcs_city} {siren}" if creditor.rcs_city else f"SIREN {siren}")
    return " – ".join(parts)


def _invoices_label(action: Action) -> str:
    """How a French subject names the invoices: one, two or three by number, more by count."""
    numbers = [item.invoice.number for item in action.own_items]
    if len(numbers) == 1:
        return f"facture {numbers[0]}"
    if len(numbers) <= 3:
        return f"factures {', '.join(numbers[:-1])} et {numbers[-1]}"
    return f"{len(numbers)} factures"


def build_context(
    action: Action,
    creditor: Creditor,
    *,
    letter_date: dt.date,
    deadline: dt.date,
    deadline_days: int,
    locale: str,
    recipient: str,
    recipient_lines: list[str],
) -> dict[str, Any]:
    """The variables of :data:`TEMPLATE_VARIABLES` (all but ``subject``, set once rendered)."""
    reference = _reference(action)
    client = action.client
    penalties_total: dict[str, Decimal] = {}
    indemnity_total: dict[str, Decimal] = {}
    own = action.own_items
    for item in own:
        currency = item.currency
        if item.penalties is not None and item.penalties.days:
            penalties_total[currency] = penalties_total.get(currency, 0) + item.penalties.amount
        if item.indemnity:
            indemnity_total["EUR"] = indemnity_total.get("EUR", 0) + item.indemnity
    principal: dict[str, Decimal] = {}
    for item in own:
        principal[item.currency] = principal.get(item.currency, 0) + item.balance
    qr = payment_qr(creditor, action.demanded, reference, qr_content_id(action.key, creditor.email))
    greeting, salutation = greetings(client)
    context: dict[str, Any] = {
        "action": action,
        "client": client,
        "creditor": creditor,
        "step": action.step,
        "items": action.items,
        "totals": dict(sorted(principal.items())),
        "claimed": action.demanded,
        "demanded": action.demanded,
        "channel": action.channel,
        "own_items": own,
        "other_items": action.other_items,
        "upcoming_items": action.upcoming_items,
        "greeting": greeting,
        "salutation": salutation,
        "legal_mentions": legal_mentions(creditor),
        "contractual_rate": client.penalty_rate,
        "penalties_total": penalties_total,
        "indemnity_total": indemnity_total,
        "letter_date": letter_date,
        "deadline": deadline,
        "deadline_days": deadline_days,
        "is_business": client.is_business,
        "reference": reference,
        "invoices_label": _invoices_label(action),
        "iban": creditor.formatted_iban,
        "bic": creditor.bic,
        "payment_link": creditor.payment_link,
        "qr": qr,
        "recipient": recipient,
        "recipient_lines": recipient_lines,
        "sender_lines": sender_lines(creditor),
        "signatory": creditor.signatory or creditor.name,
        "locale": locale,
        "invoices": action.invoices,
        "as_of": letter_date,
    }
    if len(principal) == 1 and len(action.demanded) == 1:
        # Single-currency conveniences; absent (an error if used) for a mixed action.
        [(currency, total)] = principal.items()
        demanded = action.demanded[currency]
        context.update(
            currency=currency, total=total, claimed_total=demanded, demanded_total=demanded
        )
    return context
