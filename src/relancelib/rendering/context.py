"""The template context: what a template sees of an action, its client and the creditor.

:data:`TEMPLATE_VARIABLES` documents each variable; :func:`build_context` builds them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from relancelib.engine import Action, ActionItem
from relancelib.errors import MissingDataError
from relancelib.formatting import format_amount, format_date
from relancelib.model import Client, Creditor
from relancelib.policy import Channel
from relancelib.rendering.email import qr_content_id
from relancelib.rendering.letters import address_lines, sender_lines
from relancelib.rendering.qr import payment_qr

__all__ = [
    "TEMPLATE_VARIABLES",
    "build_context",
    "greetings",
    "legal_mentions",
    "own_words",
    "recipient",
]

#: The variables every template sees (besides the filters of TEMPLATE_FILTERS).
TEMPLATE_VARIABLES: Mapping[str, str] = {
    "action": "the Action (key, items, totals, claimed, demanded, channel, on)",
    "channel": "the channel actually used (action.channel: the step's or a fallback)",
    "own_items": (
        "the items the message demands (at the action's step); item.promise is a broken "
        "promise to pay, item.instalment the missed instalment the item chases"
    ),
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
    "invoices_label": (
        "the own items: 'facture F-1', 'factures F-1 et F-2', '4 factures', 'échéance du 15 mars "
        "2025 (facture F-1)' for a missed instalment"
    ),
    "words": (
        "the own items in words, counts and instalments agreed: words.following ('la facture "
        "suivante', 'les échéances suivantes'...), words.of_following ('de la facture "
        "suivante'), words.this ('cette facture'), words.about ('notre facture F-1'), "
        "words.of_about ('de notre facture F-1'), words.title ('notre facture', 'l’échéancier "
        "convenu pour notre facture F-1'), "
        "words.instalments (True when an own item is an instalment)"
    ),
    "promises": (
        "the broken promises to pay of the overdue items, once each: p.promise (a PromiseToPay), "
        "p.what ('cette facture', 'la facture F-1', an amount), p.paid (paid since), p.item"
    ),
    "other_groups": "the other overdue items grouped by step: group.step, group['items']",
    "credits": "the client's unallocated credit per currency (render's credits), or {}",
    "message_key": "the message's reference: the action key (the event key of a plan)",
    "history": "the client's journal Records to the letter date, oldest first (render's history)",
    "notice": "the last formal notice among them (the last registered letter), or None",
    "notice_deadline": "the deadline that notice printed (15 days at the post office + 8), or None",
    "prescriptions": "the handover file: each invoice number's last day of limitation",
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


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} et {parts[-1]}"


def _item_label(item: ActionItem, locale: str) -> str:
    """An item as a subject names it: "facture F-1", "échéance du 15 mars 2025 (facture F-1)"."""
    if item.instalment is None:
        return f"facture {item.invoice.number}"
    due = format_date(item.instalment.due, locale=locale)
    return f"échéance du {due} (facture {item.invoice.number})"


def _invoices_label(own: tuple[ActionItem, ...], locale: str) -> str:
    """How a French subject names the own items: one, two or three by number, more by count
    (all feminine nouns: "restée impayée" agrees with any of them)."""
    numbers = [item.invoice.number for item in own]
    instalments = sum(item.instalment is not None for item in own)
    if not instalments:
        if len(numbers) == 1:
            return f"facture {numbers[0]}"
        if len(numbers) <= 3:
            return f"factures {_joined(numbers)}"
        return f"{len(numbers)} factures"
    if len(own) <= 3:
        return _joined([_item_label(item, locale) for item in own])
    if instalments == len(own):
        return f"{len(own)} échéances"
    return f"{len(own)} factures et échéances"


def own_words(own: tuple[ActionItem, ...], locale: str = "fr_FR") -> dict[str, Any]:
    """The own items in words, counts agreed: an instalment of an agreed plan is "l’échéance",
    never the whole invoice called unpaid (see :data:`TEMPLATE_VARIABLES`, ``words``)."""
    count = len(own)
    instalments = sum(item.instalment is not None for item in own)
    numbers = sorted({item.invoice.number for item in own})
    if not instalments:
        noun = ("facture", "factures")
    elif instalments == count:
        noun = ("échéance", "échéances")
    else:
        noun = ("somme", "sommes")
    if count == 1:
        article = "l’" if noun[0][0] == "é" else "la "
        following = f"{article}{noun[0]} suivante"
        of_following = f"de {following}"
        this = f"cette {noun[0]}"
    else:
        following = f"les {noun[1]} suivantes"
        of_following = f"des {noun[1]} suivantes"
        this = f"ces {noun[1]}"
    label = _invoices_label(own, locale)
    ours = f"nos factures {_joined(numbers)}" if len(numbers) > 1 else f"notre facture {numbers[0]}"
    if not instalments:
        about = f"notre {label}" if count == 1 else f"nos {label}"
        title = "notre facture" if count == 1 else "nos factures"
    elif instalments == count:
        plans = "l’échéancier convenu" if len(numbers) == 1 else "les échéanciers convenus"
        of_plans = "de l’échéancier convenu" if len(numbers) == 1 else "des échéanciers convenus"
        about = f"l’{label}" if count == 1 else f"les échéances en retard {of_plans} pour {ours}"
        title = f"{plans} pour {ours}"
    else:
        about = ours if len(numbers) <= 3 else "nos factures"
        title = "nos factures et des échéanciers convenus"
    of_about = f"des {about[4:]}" if about.startswith("les ") else f"de {about}"
    return {
        "of_about": of_about,
        "following": following,
        "of_following": of_following,
        "this": this,
        "about": about,
        "title": title,
        "instalments": bool(instalments),
    }


def _promises(action: Action, on: dt.date) -> list[dict[str, Any]]:
    """The broken promises the message recalls, once each, with what they were about in words
    ("cette facture", "la facture F-1", an amount)."""
    seen: dict[str, dict[str, Any]] = {}
    overdue = (*action.own_items, *action.other_items)
    for item in overdue:
        promise = item.promise
        if promise is None or promise.key in seen:
            continue
        if promise.amount is not None:
            what = format_amount(promise.amount, item.currency)
        elif promise.invoice_number is None:
            # A promise for all the client's invoices.
            what = "cette facture" if len(overdue) == 1 else "vos factures"
        elif [i.invoice.number for i in action.own_items] == [promise.invoice_number]:
            # The one invoice the message demands, named just before.
            what = "cette facture"
        else:
            what = f"la facture {promise.invoice_number}"
        # What was paid on the invoice since the promise (a partial payment is said).
        paid = sum(
            (p.amount for p in item.invoice.payments if promise.on <= p.on <= on),
            Decimal("0"),
        )
        seen[promise.key] = {"promise": promise, "what": what, "item": item, "paid": paid}
    return list(seen.values())


def _other_groups(action: Action) -> list[dict[str, Any]]:
    """The other overdue items grouped by step, earliest step first (each group is written in
    the words of its step)."""
    groups: dict[str, dict[str, Any]] = {}
    for item in action.other_items:
        group = groups.setdefault(item.step.key, {"step": item.step, "items": []})
        group["items"].append(item)
    return sorted(groups.values(), key=lambda group: group["step"].offset_days)


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
    credits: Mapping[str, Decimal] | None = None,
) -> dict[str, Any]:
    """The variables of :data:`TEMPLATE_VARIABLES` (all but ``subject``, set once rendered;
    the handover's ``history`` and ``notice`` are added by :func:`render`)."""
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
        "invoices_label": _invoices_label(own, locale),
        "words": own_words(own, locale),
        "promises": _promises(action, letter_date),
        "other_groups": _other_groups(action),
        "credits": dict(sorted((credits or {}).items())),
        "message_key": action.key,
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
