"""Rendering an action: the template of its step, filled in, as a :class:`Message`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import attrs

from relancelib import law
from relancelib.checks import (
    check_date,
    check_instance,
    check_integer,
    check_locale,
    check_sequence,
)
from relancelib.engine import Action, Plan
from relancelib.errors import InvalidFieldError, UnknownLocaleError
from relancelib.model import Creditor
from relancelib.policy import Channel
from relancelib.rendering import templates as tpl
from relancelib.rendering.context import build_context, recipient
from relancelib.rendering.email import message_id
from relancelib.rendering.message import Message
from relancelib.rendering.qr import PaymentQR
from relancelib.rendering.text import clean_subject, html_to_text, text_to_html, tidy_text
from relancelib.workdays import Calendar

__all__ = ["render", "render_plan"]

# The longest time given to pay that render() accepts, in days.
_MAX_DEADLINE_DAYS = 366
# A registered letter may wait 15 days at the post office before it is collected.
_LRAR_COLLECTION_DAYS = 15


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
    if letter_date != action.on:
        action = redate(action, letter_date, rates)
    step = action.step
    channel = action.channel
    template_set, template, builtin = tpl.find_template(step.template_name, client.segment, user)
    if builtin and language != "fr":
        raise UnknownLocaleError(
            "the built-in templates are written in French; pass templates=... to write "
            "in another language",
            field="locale",
            value=locale,
        )
    to, to_lines = recipient(client, channel)
    # A registered letter takes effect on receipt and may wait 15 days at the post office
    # (LAW.md section 10): the date printed leaves those 15 days and then the time to pay.
    wait = _LRAR_COLLECTION_DAYS if channel is Channel.REGISTERED_LETTER else 0
    deadline = _calendar(calendar).legal_deadline(letter_date, wait + deadline_days)
    context = build_context(
        action,
        creditor,
        letter_date=letter_date,
        deadline=deadline,
        deadline_days=deadline_days,
        locale=locale,
        recipient=to,
        recipient_lines=to_lines,
    )
    file_name = template + tpl.SUFFIX
    text_template = tpl.compile_template(template_set.text, file_name)
    html_body: str | None = None
    if not text_template.blocks:
        # A plain source is the text body.
        subject = clean_subject(_default_subject(action, context, template))
        context["subject"] = subject
        text = tpl.render_block(template_set.text, text_template, None, context) or ""
    else:
        subject = clean_subject(
            tpl.render_block(template_set.text, text_template, "subject", context) or ""
        )
        if not subject:
            subject = clean_subject(_default_subject(action, context, template))
        context["subject"] = subject
        text_block = tpl.render_block(template_set.text, text_template, "text", context)
        html_template = tpl.compile_template(template_set.html, file_name)
        html_body = tpl.render_block(template_set.html, html_template, "html", context)
        text = (
            text_block
            if text_block is not None
            else (html_to_text(html_body) if html_body is not None else "")
        )
    text = tidy_text(text)
    html_body = text_to_html(text, subject) if html_body is None else html_body.strip() + "\n"
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
