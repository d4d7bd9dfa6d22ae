"""Rendering an action: the template of its step, filled in, as a :class:`Message`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, localcontext
from typing import Any

import attrs

from relancelib import law
from relancelib.checks import (
    MONEY_CONTEXT,
    check_currency,
    check_date,
    check_instance,
    check_integer,
    check_locale,
    check_sequence,
    to_money,
)
from relancelib.engine import Action, Plan
from relancelib.errors import InvalidFieldError, TemplateNotFoundError, UnknownLocaleError
from relancelib.journal import Record
from relancelib.model import Creditor
from relancelib.policy import HANDOVER_STEP, Channel
from relancelib.rendering import templates as tpl
from relancelib.rendering.context import build_context, recipient
from relancelib.rendering.dossier import (
    dossier_recipient,
    history_lines,
    last_notice,
    prescriptions,
)
from relancelib.rendering.email import message_id
from relancelib.rendering.message import Message
from relancelib.rendering.qr import PaymentQR
from relancelib.rendering.text import clean_subject, html_to_text, text_to_html, tidy_text
from relancelib.workdays import Calendar

__all__ = ["check_credits", "notice_deadline", "render", "render_plan", "write_blocks"]

# The longest time given to pay that render() accepts, in days.
_MAX_DEADLINE_DAYS = 366


def redate(action: Action, on: dt.date, rates: law.Rates | None = None) -> Action:
    """``action`` with its penalties, interest and totals computed for the day ``on``."""
    items = []
    for item in action.items:
        if item.step.include_penalties and item.penalties is not None:
            start = item.penalties.start
            notified = None
            if not action.client.is_business and start is not None:
                notified = start - dt.timedelta(days=1)
            found = law.claim(item.invoice, action.client, on, notified_on=notified, rates=rates)
            item = attrs.evolve(item, penalties=found.penalties, indemnity=found.indemnity)
        items.append(item)
    # claimed and demanded are worked out again from the new items.
    return Action(
        action.key,
        action.client,
        action.step,
        tuple(items),
        action.totals,
        on,
        channel=action.channel,
    )


def _default_subject(action: Action, context: dict[str, Any], template: str) -> str:
    """The subject of a template without a ``subject`` block: the built-in one, if any."""
    names = tpl.builtin_names()
    builtin = tpl.builtin_set()
    for candidate in (template, action.step.template_name):
        file_name = candidate + tpl.SUFFIX
        if file_name in names:
            compiled = tpl.compile_template(builtin.text, file_name)
            subject = tpl.render_block(builtin.text, compiled, "subject", context)
            if subject and subject.strip():
                return subject
    numbers = [item.invoice.number for item in action.items]
    noun = "Facture" if len(numbers) == 1 else "Factures"
    return f"{noun} {', '.join(numbers)}"


def notice_deadline(notice_on: dt.date, calendar: Calendar, deadline_days: int = 8) -> dt.date:
    """The deadline a formal notice sent by registered letter on ``notice_on`` prints:
    :meth:`Calendar.notice_deadline` (the 15 days a registered letter may wait at the post
    office, then ``deadline_days`` to pay; LAW.md section 10; CPC 641-642)."""
    return calendar.notice_deadline(notice_on, deadline_days)


def check_credits(value: object) -> dict[str, Decimal]:
    """``render(credits=...)``: the client's unallocated credit (credit notes, payments on
    account) as a mapping of currency codes to amounts, or as the credits themselves (any
    objects with ``currency`` and ``amount``, such as ``Portfolio.credits_of(client_id)``),
    summed per currency; zero amounts are left out."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, (list, tuple)):
        pairs = []
        for credit in value:
            if not (hasattr(credit, "currency") and hasattr(credit, "amount")):
                raise InvalidFieldError(
                    "must hold credits with a currency and an amount", field="credits", value=credit
                )
            pairs.append((credit.currency, credit.amount))
    else:
        raise InvalidFieldError(
            "must be a mapping of currency codes to Decimal amounts, or a sequence of credits",
            field="credits",
            value=value,
        )
    credits: dict[str, Decimal] = {}
    with localcontext(MONEY_CONTEXT):
        for currency, amount in pairs:
            code = check_currency(currency, "credits")
            checked = to_money(amount, code, f"credits[{code}]")
            credits[code] = credits.get(code, Decimal("0")) + checked
    return {code: amount for code, amount in sorted(credits.items()) if amount}


def _template(
    action: Action, channel: Channel, segment: str, user: tpl.TemplateSet | None
) -> tuple[tpl.TemplateSet, str, bool]:
    """The template of the action: its step's; for a phone step that goes out in writing (a
    fallback), the step's written variant ``<template>.ecrit`` or the built-in
    ``appel.ecrit`` — a call script is never sent to the client."""
    step = action.step
    if step.channel is Channel.PHONE and channel is not Channel.PHONE:
        try:
            return tpl.find_template(step.template_name + _WRITTEN, segment, user)
        except TemplateNotFoundError:
            return tpl.find_template("appel" + _WRITTEN, segment, user)
    return tpl.find_template(step.template_name, segment, user)


# The suffix of a phone step's template written for the client (e-mail or letter fallback).
_WRITTEN = ".ecrit"


def write_blocks(
    template_set: tpl.TemplateSet,
    template: str,
    context: dict[str, Any],
    default_subject: Callable[[], str],
) -> tuple[str, str, str]:
    """The subject, text and HTML of ``template`` filled with ``context`` (``subject`` is set
    in it once rendered).  A plain source is the text body; a missing body is derived from
    the other; ``default_subject`` is asked when the template writes none."""
    file_name = template + tpl.SUFFIX
    text_template = tpl.compile_template(template_set.text, file_name)
    html_body: str | None = None
    # The context is handed over read-only once for all the blocks ("subject" is a str).
    view = tpl.read_only_context(context)
    if not text_template.blocks:
        # A plain source is the text body.
        subject = clean_subject(default_subject())
        context["subject"] = view["subject"] = subject
        text = tpl.render_block(template_set.text, text_template, None, view, viewed=True) or ""
    else:
        subject = clean_subject(
            tpl.render_block(template_set.text, text_template, "subject", view, viewed=True)
            or ""
        )
        if not subject:
            subject = clean_subject(default_subject())
        context["subject"] = view["subject"] = subject
        text_block = tpl.render_block(template_set.text, text_template, "text", view, viewed=True)
        html_template = tpl.compile_template(template_set.html, file_name)
        html_body = tpl.render_block(
            template_set.html, html_template, "html", view, viewed=True
        )
        text = (
            text_block
            if text_block is not None
            else (html_to_text(html_body) if html_body is not None else "")
        )
    text = tidy_text(text)
    html_body = text_to_html(text, subject) if html_body is None else html_body.strip() + "\n"
    return subject, text, html_body


def _check_deadline_days(value: object) -> int:
    days = check_integer(value, "deadline_days")
    if not 0 <= days <= _MAX_DEADLINE_DAYS:
        raise InvalidFieldError(
            f"must be a whole number of days from 0 to {_MAX_DEADLINE_DAYS}",
            field="deadline_days",
            value=value,
        )
    return days


def _calendar(calendar: object) -> Calendar:
    if isinstance(calendar, Calendar):
        return calendar
    return Calendar.for_code(calendar)


def render(
    action: Action,
    creditor: Creditor,
    *,
    templates: tpl.TemplatesLike = None,
    as_of: dt.date | None = None,
    calendar: Calendar | str = "FR",
    deadline_days: int = 8,
    locale: str | None = None,
    rates: law.Rates | None = None,
    credits: Mapping[str, Decimal] | Sequence[Any] | None = None,
    history: Sequence[Record] = (),
) -> Message:
    """Write the message of ``action``, sent by ``creditor``, with its step's template.

    ``templates`` maps step keys (or ``"<key>.<segment>"`` variants) to Jinja2 sources, or is
    a folder of ``<key>.j2`` files; they come before the built-in French templates.
    ``as_of`` is the date written on the message (default ``action.on``); a message dated
    another day than the plan's has its penalties recomputed for that day (with ``rates``),
    so "calculées jusqu'à la date de la présente lettre" stays true.  The deadline to pay
    is ``calendar.legal_deadline(as_of, deadline_days)`` (Code de procédure civile 641-642),
    and for a registered letter 15 more days for its collection at the post office;
    ``locale`` defaults to the client's.  The SEPA QR code of an e-mail is drawn by
    :meth:`Message.to_email`, not here (the built-in e-mails refer to it as ``cid:``);
    letters show it as an SVG drawn here.

    ``credits`` is the client's unallocated credit (credit notes and payments on account no
    invoice absorbs): a mapping of currencies to amounts, or the credits themselves
    (``Portfolio.credits_of(client_id)``), summed per currency; every built-in message then
    mentions it.  ``history`` is the client's journal records
    (``journal.records(client_id)``): the handover file (``remise_contentieux``) lists them,
    with the formal notice, its registered-letter number and the deadline it printed.  A phone
    step that goes out in writing (``action.channel`` a fallback) is written for the client
    (the ``<template>.ecrit`` variant), never the call script.

    Raises :class:`TemplateNotFoundError`, :class:`TemplateRenderError` (naming the template
    and line), :class:`TemplateSecurityError`, :class:`MissingDataError` (no e-mail address,
    phone or postal address for the channel) or :class:`UnknownLocaleError`; a message is
    returned whole or not at all.
    """
    check_instance(action, Action, "action", what="an Action from relancelib.plan()")
    check_instance(creditor, Creditor, "creditor")
    letter_date = check_date(action.on if as_of is None else as_of, "as_of")
    deadline_days = _check_deadline_days(deadline_days)
    client = action.client
    locale = client.locale if locale is None else locale
    language = check_locale(locale).language  # UnknownLocaleError if Babel does not know it
    user = tpl.user_set(templates)
    credit = check_credits(credits)
    records = tuple(check_sequence(history, Record, "history", what="journal Records"))
    if letter_date != action.on:
        action = redate(action, letter_date, rates)
    step = action.step
    channel = action.channel
    template_set, template, builtin = _template(action, channel, client.segment, user)
    if builtin and language != "fr":
        raise UnknownLocaleError(
            "the built-in templates are written in French; pass templates=... to write "
            "in another language",
            field="locale",
            value=locale,
        )
    handover = step.key == HANDOVER_STEP.key
    # The handover file is written for a lawyer or an agency, not sent to the client.
    to, to_lines = dossier_recipient(client) if handover else recipient(client, channel)
    # A registered letter takes effect on receipt and may wait 15 days at the post office
    # (LAW.md section 10): the date printed leaves those 15 days and then the time to pay.
    days_calendar = _calendar(calendar)
    deadline = days_calendar.notice_deadline(
        letter_date, deadline_days, registered=channel is Channel.REGISTERED_LETTER
    )
    context = build_context(
        action,
        creditor,
        letter_date=letter_date,
        deadline=deadline,
        deadline_days=deadline_days,
        locale=locale,
        recipient=to,
        recipient_lines=to_lines,
        credits=credit,
    )
    own = [r for r in records if r.client_id == client.id and r.on <= letter_date]
    notice = last_notice(own)
    context["history"] = history_lines(own)
    context["notice"] = notice
    context["notice_deadline"] = (
        None if notice is None else notice_deadline(notice.on, days_calendar, deadline_days)
    )
    context["prescriptions"] = prescriptions(action) if handover else {}
    subject, text, html_body = write_blocks(
        template_set, template, context, lambda: _default_subject(action, context, template)
    )
    qr: PaymentQR | None = context["qr"]
    return Message(
        subject,
        text,
        html_body,
        channel,
        to,
        action_key=action.key,
        step_key=step.key,
        client_id=client.id,
        template=template,
        date=letter_date,
        sender=creditor.name,
        sender_email=creditor.email,
        recipient_name=client.name,
        recipient_email=client.email,
        message_id=message_id(action.key, creditor.email),
        deadline=deadline,
        locale=locale,
        qr_payload=qr.payload if qr is not None and qr.shown else None,
        # Set when the HTML shows the image to_email() will attach.
        qr_cid=None if qr is None else qr.attached_cid(html_body),
    )


def render_plan(
    plan: Plan | Iterable[Action], creditor: Creditor, **options: Any
) -> tuple[Message, ...]:
    """Render every action of ``plan`` (in its order) with :func:`render` and ``options``."""
    actions = plan.actions if isinstance(plan, Plan) else check_sequence(plan, Action, "plan")
    return tuple(render(action, creditor, **options) for action in actions)
