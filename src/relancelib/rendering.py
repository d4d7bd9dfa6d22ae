"""Rendering: turn an :class:`~relancelib.engine.Action` into a message or a letter.

:func:`render` chooses the Jinja2 template of the action's step (a user template first,
then the built-in French one, with per-segment variants such as ``relance_1.vip.j2``),
renders its ``subject``, ``text`` and ``html`` blocks in Jinja2's sandbox and returns a
frozen :class:`Message`.  A message knows how to become an e-mail
(:meth:`Message.to_email`), a PDF letter (:meth:`Message.to_pdf`, with the
``relancelib[pdf]`` extra) or a preview in Jupyter.

Templates run in a :class:`~jinja2.sandbox.SandboxedEnvironment` with
:class:`~jinja2.StrictUndefined`: a missing variable is an error, never a blank in a
letter.  The same source is compiled twice — with HTML autoescaping for the ``html`` block,
without it for ``subject`` and ``text`` — so a client called ``<b>Dupont</b>`` is escaped
in HTML and written as is in plain text, and a subject never spans two header lines.

The variables and filters a template sees are listed in :data:`TEMPLATE_VARIABLES` and
:data:`TEMPLATE_FILTERS`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.policy
import functools
import html as _html
import io
import os
import re
import traceback
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, formataddr
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeAlias

import attrs
import jinja2
from jinja2 import StrictUndefined, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from relancelib import formatting, law
from relancelib.engine import Action, ActionItem, Plan
from relancelib.errors import (
    InvalidFieldError,
    MissingDataError,
    RelanceError,
    TemplateNotFoundError,
    TemplateRenderError,
    TemplateSecurityError,
    UnknownLocaleError,
)
from relancelib.model import Address, Client, Creditor, Invoice, Payment
from relancelib.policy import Channel, Step
from relancelib.workdays import Calendar

__all__ = [
    "TEMPLATE_FILTERS",
    "TEMPLATE_VARIABLES",
    "Message",
    "PaymentQR",
    "TemplatesLike",
    "builtin_templates",
    "epc_qr_payload",
    "render",
    "render_plan",
]

TemplatesLike: TypeAlias = "Mapping[str, str] | str | os.PathLike[str] | None"
"""What ``render(templates=...)`` accepts: a mapping of step keys to Jinja2 sources, a folder
of ``<key>.j2`` files, or ``None`` for the built-in templates only."""

#: The variables every template sees (besides the filters below).
TEMPLATE_VARIABLES: Mapping[str, str] = {
    "action": "the Action (key, items, totals, claimed, on)",
    "client": "the Client (name, email, phone, address, kind, segment...)",
    "creditor": "the Creditor (name, address, iban, bic, email, phone, payment_link...)",
    "step": "the action's Step (key, channel, offset_days)",
    "items": "the ActionItems: invoice, balance, days_overdue, penalties, indemnity, claimed",
    "totals": "principal due per currency (a mapping)",
    "claimed": "principal + penalties + indemnities per currency (a mapping)",
    "penalties_total": "the computed penalties (or legal interest) per currency",
    "indemnity_total": "the recovery indemnities per currency",
    "letter_date": "the date of the message (render's as_of, default action.on)",
    "deadline": "calendar.legal_deadline(letter_date, deadline_days) (CPC 641-642)",
    "deadline_days": "the number of days given to pay (8 by default)",
    "is_business": "True for a business client (L441-10 penalties, 40 € indemnity)",
    "reference": "the payment reference to quote: the invoice number(s)",
    "invoices_label": "'facture F-1', 'factures F-1 et F-2', '4 factures' (for subjects)",
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
    "total": "the principal due (only when all invoices share one currency)",
    "claimed_total": "principal + penalties + indemnity (only with a single currency)",
}

#: The filters every template can use; they write in the message's locale.
TEMPLATE_FILTERS: Mapping[str, str] = {
    "amount": "{{ item.balance|amount(item.currency) }} → 1 234,56 €",
    "date": "{{ letter_date|date }} → 1er février 2025; date('full') → samedi 1er février 2025",
    "words": "{{ total|words('EUR') }} → mille deux cent trente-quatre euros et ...",
    "percent": "{{ period.rate|percent }} → 13,15 %",
    "days": "{{ item.days_overdue|days }} → 15 jours",
    "format_amount, format_date, amount_in_words, format_percent, format_days": (
        "the same filters under the names of relancelib.formatting's functions"
    ),
}

_SEGMENT = re.compile(r"^[A-Za-z0-9_\-]+$")
_NEWLINES = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]")
# Blanks that fold (not the no-break spaces of French typography).
_SPACES = re.compile(r"[ \t\r\n\f\v\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SUFFIX = ".j2"
# EPC069-12: the beneficiary name holds at most 70 characters, the remittance text 140.
_EPC_NAME_MAX = 70
_EPC_TEXT_MAX = 140
_EPC_MAX_AMOUNT = Decimal("999999999.99")
_QR_FILE_NAME = "virement-sepa.png"


# ---------------------------------------------------------------------------------------------
# The message.


def _single_line(field: str) -> Callable[[Any, Any, Any], None]:
    def check(_inst: Any, _attr: Any, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, str) or _NEWLINES.search(value) or _CONTROL.search(value):
            raise InvalidFieldError(
                "must be a single line of text (no CR/LF: they would forge e-mail headers)",
                field=field,
                value=value,
            )

    return check


def _check_recipient(inst: Any, _attr: Any, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidFieldError(
            "must be a non-empty string", field="Message.recipient", value=value
        )
    if not inst.channel.is_postal:
        _single_line("Message.recipient")(inst, _attr, value)


# The addr-spec of a Content-ID: dot-atom text, "@", a domain (RFC 5322 msg-id, RFC 2392).
_CONTENT_ID = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+@[A-Za-z0-9.\-]+$")


def _check_qr_cid(inst: Any, _attr: Any, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not _CONTENT_ID.match(value):
        raise InvalidFieldError(
            "must be a Content-ID such as 'qr.rl-…@example.fr' (no angle brackets)",
            field="Message.qr_cid",
            value=value,
        )
    if inst.qr_payload is None:
        raise InvalidFieldError(
            "needs qr_payload: the QR code is drawn from it when the e-mail is built",
            field="Message.qr_cid",
            value=value,
        )


def _check_channel(_inst: Any, _attr: Any, value: Any) -> None:
    if not isinstance(value, Channel):
        raise InvalidFieldError("must be a Channel", field="Message.channel", value=value)


@attrs.frozen
class Message:
    """A rendered reminder: what to send, to whom, through which channel.

    ``recipient`` is the client's e-mail address (EMAIL), telephone number (PHONE, SMS) or
    postal address block (letters).  ``date`` is the date written on the message;
    ``message_id`` the deterministic Message-ID of its e-mail (from the action key and the
    creditor's e-mail domain; ``None`` when the creditor has no e-mail address), to store
    in the journal as evidence.  ``qr_payload`` is the EPC069-12 text of the SEPA transfer
    QR code the message shows, if any.  ``qr_cid`` is set when the HTML refers to that code
    as ``cid:<qr_cid>`` (the built-in e-mails do): the code is not drawn by :func:`render`
    but by :meth:`to_email`, which attaches it as an inline image with that Content-ID, and
    by :meth:`to_pdf` and the notebook preview, which put it inline in the HTML.
    """

    subject: str = attrs.field(validator=_single_line("Message.subject"))
    text: str
    html: str
    channel: Channel = attrs.field(validator=_check_channel)
    recipient: str = attrs.field(validator=_check_recipient)
    action_key: str = attrs.field(kw_only=True, validator=_single_line("Message.action_key"))
    step_key: str = attrs.field(kw_only=True)
    client_id: str = attrs.field(kw_only=True)
    template: str = attrs.field(kw_only=True)
    date: dt.date = attrs.field(kw_only=True)
    sender: str = attrs.field(kw_only=True, validator=_single_line("Message.sender"))
    sender_email: str | None = attrs.field(
        default=None, kw_only=True, validator=_single_line("Message.sender_email")
    )
    recipient_name: str = attrs.field(
        default="", kw_only=True, validator=_single_line("Message.recipient_name")
    )
    recipient_email: str | None = attrs.field(
        default=None, kw_only=True, validator=_single_line("Message.recipient_email")
    )
    message_id: str | None = attrs.field(
        default=None, kw_only=True, validator=_single_line("Message.message_id")
    )
    deadline: dt.date | None = attrs.field(default=None, kw_only=True)
    locale: str = attrs.field(default="fr_FR", kw_only=True)
    qr_payload: str | None = attrs.field(default=None, kw_only=True, repr=False)
    qr_cid: str | None = attrs.field(
        default=None, kw_only=True, repr=False, validator=_check_qr_cid
    )

    def to_email(self) -> EmailMessage:
        """The message as an e-mail with plain-text and HTML alternatives.

        ``From`` is the creditor (name and e-mail), ``To`` the client; ``Date`` is the
        message's date at 09:00 Europe/Paris (never the clock) and ``Message-ID`` is
        :attr:`message_id`.  Non-ASCII names and subjects are RFC 2047 encoded words; both
        bodies are UTF-8, quoted-printable.  When the HTML shows the SEPA QR code
        (:attr:`qr_cid`), the code is drawn now and the HTML alternative becomes a
        ``multipart/related`` part: the HTML, then the PNG image (base64, ``Content-ID:
        <qr_cid>``, ``Content-Disposition: inline``), which mail clients show in place of
        the ``cid:`` reference — many block ``data:`` images.  The result is the same, byte
        for byte, each time.
        """
        if self.sender_email is None:
            raise MissingDataError(
                "the creditor has no e-mail address to send from", field="Creditor.email"
            )
        if self.recipient_email is None:
            raise MissingDataError(
                f"client {self.client_id!r} has no e-mail address", field="Client.email"
            )
        # Headers are written in their final, encoded form and stored without parsing, as the
        # standard library's parser stores them: they are parsed (lazily) only when read.
        # Building the same message with ``msg["From"] = ...`` and ``set_content()`` parses
        # every header and quoted-printable-encodes in pure Python, ten times slower.
        boundary = f"=_{self.action_key}"  # "=_" never occurs in quoted-printable text
        msg = EmailMessage(policy=email.policy.default)
        for name, value in (
            ("From", _encode_address(self.sender, self.sender_email)),
            ("To", _encode_address(self.recipient_name, self.recipient_email)),
            ("Subject", _encode_header(self.subject)),
            ("Date", format_datetime(paris_morning(self.date))),
            ("Message-ID", self.message_id or _message_id(self.action_key, self.sender_email)),
            ("X-Relance-Key", self.action_key),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        ):
            msg.set_raw(name, value)
        html: MIMEPart = _text_part(self.html, "html")
        if self.qr_cid is not None and self.qr_payload is not None:
            # "=-" never occurs in quoted-printable nor base64 text either, and neither
            # boundary is a prefix of the other (RFC 2046 5.1.1).
            related = MIMEPart(policy=email.policy.default)
            related.set_raw(
                "Content-Type",
                f'multipart/related; type="text/html"; boundary="=-{self.action_key}"',
            )
            related.set_payload([html, _image_part(_qr_png(self.qr_payload), self.qr_cid)])
            html = related
        msg.set_payload([_text_part(self.text, "plain"), html])
        return msg

    def to_pdf(self) -> bytes:
        """The message laid out as a PDF (A4 for letters), with WeasyPrint.

        Needs the optional extra ``relancelib[pdf]``; without it a :class:`RelanceError`
        says so.
        """
        try:
            import weasyprint
        except (ImportError, OSError) as exc:  # OSError: WeasyPrint without Pango
            raise RelanceError(
                "PDF output needs WeasyPrint: install it with pip install 'relancelib[pdf]' "
                f"({exc})"
            ) from exc
        document: bytes = weasyprint.HTML(string=self._inline_qr("svg")).write_pdf()
        return document

    def _inline_qr(self, kind: str) -> str:
        """The HTML with the ``cid:`` reference to the QR code replaced by a ``data:`` URI."""
        if self.qr_cid is None or self.qr_payload is None:
            return self.html
        return self.html.replace(f"cid:{self.qr_cid}", _qr_uri(self.qr_payload, kind))

    def _repr_html_(self) -> str:
        """An e-mail-client-like preview for Jupyter: the headers, then the HTML body."""
        esc = _html.escape
        rows = [
            ("De", f"{self.sender} <{self.sender_email}>" if self.sender_email else self.sender),
            (
                "À",
                self.recipient
                if self.channel.is_postal
                else f"{self.recipient_name} <{self.recipient}>",
            ),
            ("Objet", self.subject),
            ("Date", formatting.format_date(self.date, locale=self.locale)),
            ("Canal", self.channel.value),
            ("Action", self.action_key),
        ]
        head = "".join(
            f'<tr><th style="text-align:left;padding-right:1em;vertical-align:top">{esc(k)}</th>'
            f'<td style="white-space:pre-line">{esc(v)}</td></tr>'
            for k, v in rows
        )
        return (
            '<div class="relancelib-message">'
            f'<table style="font-family:sans-serif;font-size:0.9em">{head}</table>'
            f'<iframe sandbox srcdoc="{esc(self._inline_qr("png"), quote=True)}" '
            'style="width:100%;height:640px;border:1px solid #ccc;background:white"></iframe>'
            "</div>"
        )


def _image_part(png: bytes, content_id: str) -> MIMEPart:
    part = MIMEPart(policy=email.policy.default)
    part.set_raw("Content-Type", f'image/png; name="{_QR_FILE_NAME}"')
    part.set_raw("Content-Transfer-Encoding", "base64")
    part.set_raw("Content-ID", f"<{content_id}>")
    part.set_raw("Content-Disposition", f'inline; filename="{_QR_FILE_NAME}"')
    part.set_payload(base64.encodebytes(png).decode("ascii"))  # lines of 76 characters
    return part


def _text_part(body: str, subtype: str) -> MIMEPart:
    part = MIMEPart(policy=email.policy.default)
    part.set_raw("Content-Type", f'text/{subtype}; charset="utf-8"')
    part.set_raw("Content-Transfer-Encoding", "quoted-printable")
    part.set_payload(binascii.b2a_qp(body.encode("utf-8"), istext=True).decode("ascii"))
    return part


# An encoded word "=?utf-8?b?...?=" of 39 bytes is 64 characters: with "Subject: " it fits a line.
_WORD_BYTES = 39


def _encode_header(value: str, *, force: bool = False) -> str:
    """``value`` as an unstructured header: as is when ASCII, else RFC 2047 encoded words."""
    if not force and value.isascii() and len(value) < 900:
        return value
    words: list[str] = []
    chunk = ""
    for char in value:
        if len((chunk + char).encode("utf-8")) > _WORD_BYTES:
            words.append(chunk)
            chunk = ""
        chunk += char
    words.append(chunk)
    encoded = (base64.b64encode(word.encode("utf-8")).decode("ascii") for word in words)
    return "\n ".join(f"=?utf-8?b?{word}?=" for word in encoded)


def _encode_address(name: str, address: str) -> str:
    """``Name <address>`` for a header, the name quoted or RFC 2047 encoded, lines ≤ 78."""
    if not name:
        return address
    if name.isascii():
        text = formataddr((name, address))  # quotes the name when it needs it
        if len(text) > 66:
            quoted = text[: -len(address) - 3]
            text = f"{quoted}\n <{address}>"
        return text
    return f"{_encode_header(name, force=True)}\n <{address}>"


def paris_morning(day: dt.date) -> dt.datetime:
    """``day`` at 09:00 Paris time, as an aware datetime (CET +01:00 or CEST +02:00).

    The EU rule (Directive 2000/84/EC): summer time from the last Sunday of March to the last
    Sunday of October, switching at 01:00 UTC, so 09:00 local is already past the switch.
    Computed here rather than read from the system's tz database, so it never depends on the
    machine.
    """
    summer = _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10)
    offset = dt.timezone(dt.timedelta(hours=2 if summer else 1))
    return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=offset)


def _last_sunday(year: int, month: int) -> dt.date:
    last = dt.date(year, month, 31)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


# ---------------------------------------------------------------------------------------------
# SEPA transfer QR code (EPC069-12, "GiroCode").


def _epc_amount(amount: Decimal) -> str:
    # As segno writes it: two decimals, trailing zeros and dot dropped ("EUR1200", "EUR12.5").
    return f"EUR{amount:.2f}".rstrip("0").rstrip(".")


def _epc_fields(creditor: Creditor, amount: Decimal, text: str) -> tuple[str, str, str, str]:
    name = creditor.name[:_EPC_NAME_MAX]
    return name, creditor.iban or "", text[:_EPC_TEXT_MAX], creditor.bic or ""


def epc_qr_payload(creditor: Creditor, amount: Decimal, text: str) -> str:
    """The EPC069-12 (version 002) payload of a SEPA credit transfer QR code.

    Lines: ``BCD``, ``002``, the character set (``2`` ISO 8859-1 when it suffices, else ``1``
    UTF-8), ``SCT``, the BIC (may be empty), the beneficiary name (≤ 70 characters), the IBAN,
    ``EUR`` and the amount, an empty purpose, an empty structured reference and the
    unstructured remittance text (≤ 140 characters).  It is exactly what
    :func:`segno.helpers.make_epc_qr` encodes when ISO 8859-1 suffices (segno's helper would
    try the other ISO 8859 parts before UTF-8); the QR code drawn is
    ``segno.make_qr(payload in its character set, error="m", boost_error=False)``.
    """
    if creditor.iban is None:
        raise MissingDataError("the creditor has no IBAN", field="Creditor.iban")
    name, iban, remittance, bic = _epc_fields(creditor, amount, text)
    lines = ["BCD", "002", "2", "SCT", bic, name, iban, _epc_amount(amount), "", "", remittance]
    try:
        "\n".join(lines).encode("iso-8859-1")
    except UnicodeEncodeError:
        lines[2] = "1"
    return "\n".join(lines)


@functools.lru_cache(maxsize=512)
def _qr_code(payload: str) -> Any:
    """The QR code of an EPC069-12 payload, as :func:`segno.helpers.make_epc_qr` draws it.

    Error correction level M without boost, the text in the character set its third line
    names (ISO 8859-1 or UTF-8).  Choosing the mask is pure Python and costs milliseconds.
    """
    import segno

    lines = payload.split("\n", 3)
    encoding = "iso-8859-1" if len(lines) > 2 and lines[2] == "2" else "utf-8"
    return segno.make_qr(payload.encode(encoding), error="m", boost_error=False)


@functools.lru_cache(maxsize=512)
def _qr_png(payload: str) -> bytes:
    """The QR code as PNG bytes (4 pixels a module, the 4-module quiet zone)."""
    buffer = io.BytesIO()
    _qr_code(payload).save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()


@functools.lru_cache(maxsize=512)
def _qr_uri(payload: str, kind: str) -> str:
    """The QR code as a ``data:`` URI: ``kind`` "svg" (for print) or "png"."""
    if kind == "svg":
        uri: str = _qr_code(payload).svg_data_uri(scale=4, dark="#000", border=4)
        return uri
    return "data:image/png;base64," + base64.b64encode(_qr_png(payload)).decode("ascii")


class PaymentQR:
    """A SEPA transfer QR code for templates, drawn only when a template shows it.

    ``cid`` is the ``cid:`` URL of the image :meth:`Message.to_email` attaches to the e-mail
    (the built-in e-mails use it: mail clients show it where many block ``data:`` images,
    and :func:`render` need not draw it); ``png`` and ``svg`` are ``data:`` URIs drawn at
    render time (SVG for print); ``payload`` is the EPC069-12 text.  Drawing a QR code costs
    milliseconds, so it is done on first use and cached by payload.
    """

    __slots__ = ("_cid_used", "_content_id", "amount", "payload", "reference", "shown")

    def __init__(
        self, creditor: Creditor, amount: Decimal, reference: str, content_id: str
    ) -> None:
        self.amount = amount
        self.reference = reference
        self.payload = epc_qr_payload(creditor, amount, reference)
        self._content_id = content_id
        self._cid_used = False
        self.shown = False

    @property
    def cid(self) -> str:
        """``cid:<Content-ID>``: the QR code attached to the e-mail (not drawn now)."""
        self.shown = True
        self._cid_used = True
        return f"cid:{self._content_id}"

    @property
    def png(self) -> str:
        """The QR code as a PNG ``data:`` URI."""
        self.shown = True
        return _qr_uri(self.payload, "png")

    @property
    def svg(self) -> str:
        """The QR code as an SVG ``data:`` URI."""
        self.shown = True
        return _qr_uri(self.payload, "svg")

    def __bool__(self) -> bool:
        return True


# ---------------------------------------------------------------------------------------------
# Template environments.


def _defined(value: Any) -> Any:
    """``value``, or the UndefinedError naming the missing variable a filter was given."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises "'total' is undefined"
        raise jinja2.UndefinedError("a filter was given an undefined value")
    return value


@pass_context
def _f_amount(ctx: Context, value: Decimal | int, currency: str = "EUR") -> str:
    return formatting.format_amount(_defined(value), currency, locale=ctx["locale"])


@pass_context
def _f_date(ctx: Context, value: dt.date, style: formatting.DateStyle = "long") -> str:
    return formatting.format_date(_defined(value), style=style, locale=ctx["locale"])


@pass_context
def _f_words(ctx: Context, value: Decimal | int, currency: str = "EUR") -> str:
    return formatting.amount_in_words(_defined(value), currency, locale=ctx["locale"])


@pass_context
def _f_percent(ctx: Context, value: Decimal | int) -> str:
    return formatting.format_percent(_defined(value), locale=ctx["locale"])


@pass_context
def _f_days(ctx: Context, value: int) -> str:
    return formatting.format_days(_defined(value), locale=ctx["locale"])


class _Sandbox(SandboxedEnvironment):
    """Jinja2's sandbox, with a fast path for the public attributes of known safe types.

    The frozen attrs records a template sees hold data and pure methods only (so do dates,
    decimals, imported template modules and loop objects): reading one of their public
    attributes needs none of the generic checks, which cost a third of the render time.
    Everything else — private and dunder names included — goes through the sandbox.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) in _RECORD_TYPES and attribute[:1] != "_":
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)


def _environment(
    loader: jinja2.BaseLoader, *, html: bool, auto_reload: bool
) -> SandboxedEnvironment:
    env = _Sandbox(
        loader=loader,
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=auto_reload,
        cache_size=1000,
    )
    env.filters.update(
        amount=_f_amount, date=_f_date, words=_f_words, percent=_f_percent, days=_f_days
    )
    # The same filters under the names of the formatting functions they call.
    env.filters.update(
        format_amount=_f_amount,
        format_date=_f_date,
        amount_in_words=_f_words,
        format_percent=_f_percent,
        format_days=_f_days,
    )
    return env


_RECORD_TYPES: frozenset[type] = frozenset(
    (
        Action,
        ActionItem,
        Address,
        Client,
        Creditor,
        Invoice,
        Payment,
        Step,
        law.Penalties,
        law.Period,
        PaymentQR,
        dt.date,
        Decimal,
        jinja2.environment.TemplateModule,  # {% import ... as m %}: m.macro
        jinja2.runtime.LoopContext,  # loop.index, loop.last...
    )
)


class _MappingLoader(jinja2.BaseLoader):
    """Templates given as a mapping of names to sources (names end with ``.j2``)."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = dict(sources)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        try:
            source = self.sources[template]
        except KeyError:
            raise jinja2.TemplateNotFound(template) from None
        return source, f"<templates[{template[: -len(_SUFFIX)]!r}]>", lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.sources)


class _TemplateSet:
    """The text and HTML environments over one set of templates, and which names exist."""

    def __init__(
        self, loader: jinja2.BaseLoader, has: Callable[[str], bool], *, auto_reload: bool
    ) -> None:
        self.text = _environment(loader, html=False, auto_reload=auto_reload)
        self.html = _environment(loader, html=True, auto_reload=auto_reload)
        self.has = has


@functools.cache
def _builtin_loader() -> jinja2.BaseLoader:
    return jinja2.PackageLoader("relancelib", "templates")


@functools.cache
def _builtin_names() -> frozenset[str]:
    return frozenset(_builtin_loader().list_templates())


@functools.cache
def _builtin_set() -> _TemplateSet:
    return _TemplateSet(_builtin_loader(), _builtin_names().__contains__, auto_reload=False)


def builtin_templates() -> tuple[str, ...]:
    """The names of the built-in templates (step keys and variants, without ``.j2``)."""
    return tuple(sorted(n[: -len(_SUFFIX)] for n in _builtin_names() if not n.startswith("_")))


@functools.lru_cache(maxsize=64)
def _mapping_set(items: tuple[tuple[str, str], ...]) -> _TemplateSet:
    sources = dict(items)
    loader = jinja2.ChoiceLoader([_MappingLoader(sources), _builtin_loader()])
    return _TemplateSet(loader, sources.__contains__, auto_reload=False)


@functools.lru_cache(maxsize=64)
def _folder_set(folder: str) -> _TemplateSet:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(folder), _builtin_loader()])

    def has(name: str) -> bool:
        return os.path.isfile(os.path.join(folder, name))

    return _TemplateSet(loader, has, auto_reload=True)


def _user_set(templates: object) -> _TemplateSet | None:
    if templates is None:
        return None
    if isinstance(templates, (str, os.PathLike)):
        folder = Path(templates)
        if not folder.is_dir():
            raise TemplateNotFoundError(
                "is not a folder of <key>.j2 templates", field="templates", value=str(templates)
            )
        return _folder_set(str(folder.resolve()))
    if isinstance(templates, Mapping):
        items: list[tuple[str, str]] = []
        for key, source in templates.items():
            if not isinstance(key, str) or not key or _NEWLINES.search(key):
                raise InvalidFieldError("keys must be template names", field="templates", value=key)
            if not isinstance(source, str):
                raise InvalidFieldError(
                    f"the template {key!r} must be a string of Jinja2 source",
                    field="templates",
                    value=source,
                )
            name = key if key.endswith(_SUFFIX) else key + _SUFFIX
            items.append((name, source))
        return _mapping_set(tuple(sorted(items)))
    raise InvalidFieldError(
        "must be a mapping of step keys to Jinja2 sources, or a folder of <key>.j2 files",
        field="templates",
        value=templates,
    )


def _find_template(
    name: str, segment: str, user: _TemplateSet | None
) -> tuple[_TemplateSet, str, bool]:
    """The template set, the file name and whether it is built in, for a step's template.

    User templates come first (the segment variant, then the plain name), then the built-in
    ones in the same order.
    """
    candidates = [name]
    if _SEGMENT.match(segment):
        variants = dict.fromkeys((f"{name}.{segment}", f"{name}.{segment.lower()}"))
        candidates = [*variants, name]
    sets: list[tuple[_TemplateSet, bool]] = [] if user is None else [(user, False)]
    sets.append((_builtin_set(), True))
    for template_set, builtin in sets:
        for candidate in candidates:
            if template_set.has(candidate + _SUFFIX):
                return template_set, candidate, builtin
    raise TemplateNotFoundError(
        f"no template {name!r} (looked for {', '.join(c + _SUFFIX for c in candidates)} "
        "in the user templates and the built-in ones)",
        field="template",
        value=name,
    )


# ---------------------------------------------------------------------------------------------
# Errors: a template error names the template and the line.

_TEMPLATE_FRAMES = ("top-level template code", "template")


def _template_location(exc: BaseException, fallback: str) -> tuple[str, int | None]:
    """The template and line where ``exc`` happened, from Jinja's rewritten traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return _template_label(exc.filename or exc.name or fallback), exc.lineno
    where: tuple[str, int | None] = (fallback, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.name in _TEMPLATE_FRAMES or frame.name.startswith("block "):
            where = (_template_label(frame.filename), frame.lineno)
    return where


def _template_label(filename: str) -> str:
    match = re.fullmatch(r"<templates\['(.+)'\]>", filename)
    if match:
        return match.group(1) + _SUFFIX
    return os.path.basename(filename)


def _template_error(exc: BaseException, env: jinja2.Environment, name: str) -> RelanceError:
    """Translate an exception raised by Jinja while compiling or rendering ``name``."""
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateNotFoundError(
            f"template {name!r} includes or imports {exc.name!r}, which does not exist",
            field="template",
            value=name,
        )
    if not isinstance(exc, jinja2.TemplateSyntaxError):
        try:
            env.handle_exception()  # re-raises ``exc`` with template lines in its traceback
        except BaseException as rewritten:  # the rewritten ``exc`` itself
            exc = rewritten
    template, line = _template_location(exc, name)
    where = f"template {template!r}" + (f", line {line}" if line is not None else "")
    if template != name:
        where += f" (rendering {name!r})"
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, SecurityError):
        return TemplateSecurityError(f"{where}: unsafe operation refused by the sandbox: {detail}")
    return TemplateRenderError(f"{where}: {type(exc).__name__}: {detail}")


# ---------------------------------------------------------------------------------------------
# Rendering.


def _check_locale(locale: object) -> str:
    if not isinstance(locale, str):
        raise UnknownLocaleError(
            "must be a locale name such as 'fr_FR'", field="locale", value=locale
        )
    formatting.format_date(dt.date(2000, 1, 1), locale=locale)  # UnknownLocaleError if unknown
    return locale


def _language(locale: str) -> str:
    return re.split(r"[_\-@]", locale, maxsplit=1)[0].lower()


def _calendar(calendar: object) -> Calendar:
    if isinstance(calendar, Calendar):
        return calendar
    return Calendar.for_code(calendar)


def _address_lines(name: str, client_address: Any) -> list[str]:
    """The postal block of a window envelope (NF Z10-011): name, lines, CODE CITY, COUNTRY."""
    lines = [name, *client_address.lines]
    lines.append(f"{client_address.postal_code} {client_address.city.upper()}")
    if client_address.country != "FR":
        lines.append(_country_name(client_address.country).upper())
    return lines


@functools.cache
def _country_name(code: str) -> str:
    from babel import Locale

    return str(Locale("fr").territories.get(code, code))


def _recipient(client: Client, channel: Channel) -> tuple[str, list[str]]:
    attribute = channel.contact_field
    value = getattr(client, attribute)
    if value is None:
        raise MissingDataError(
            f"client {client.id!r} has no {channel.contact_label} for the {channel.value} channel",
            field=f"Client.{attribute}",
        )
    if channel.is_postal:
        lines = _address_lines(client.name, value)
        return "\n".join(lines), lines
    return str(value), []


def _sender_lines(creditor: Creditor) -> list[str]:
    address = creditor.address
    lines = [creditor.name, *address.lines, f"{address.postal_code} {address.city}"]
    if address.country != "FR":
        lines.append(_country_name(address.country))
    return lines


def _domain(sender_email: str | None) -> str:
    """The sender's domain in ASCII (IDNA), for Message-ID and Content-ID."""
    if sender_email is None:
        return "relancelib.invalid"
    domain = sender_email.rsplit("@", 1)[1]
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain.encode("ascii", "ignore").decode("ascii") or "relancelib.invalid"


def _message_id(key: str, sender_email: str | None) -> str | None:
    """``<action key@domain of the sender>``: deterministic, so it can be journaled first."""
    if sender_email is None:
        return None
    return f"<{key}@{_domain(sender_email)}>"


def _qr_content_id(key: str, sender_email: str | None) -> str:
    """``qr.<action key>@<domain of the sender>``: the Content-ID of the attached QR code."""
    return f"qr.{key}@{_domain(sender_email)}"


def _reference(action: Action) -> str:
    return ", ".join(item.invoice.number for item in action.items)


def _invoices_label(action: Action) -> str:
    """How a French subject names the invoices: one, two or three by number, more by count."""
    numbers = [item.invoice.number for item in action.items]
    if len(numbers) == 1:
        return f"facture {numbers[0]}"
    if len(numbers) <= 3:
        return f"factures {', '.join(numbers[:-1])} et {numbers[-1]}"
    return f"{len(numbers)} factures"


def _qr(action: Action, creditor: Creditor, reference: str) -> PaymentQR | None:
    """The QR code when the creditor has an IBAN and everything is claimed in euros."""
    if creditor.iban is None or set(action.claimed) != {"EUR"}:
        return None
    amount = action.claimed["EUR"]
    if not Decimal("0.01") <= amount <= _EPC_MAX_AMOUNT:
        return None
    return PaymentQR(creditor, amount, reference, _qr_content_id(action.key, creditor.email))


def _context(
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
    reference = _reference(action)
    client = action.client
    penalties_total: dict[str, Decimal] = {}
    indemnity_total: dict[str, Decimal] = {}
    for item in action.items:
        currency = item.currency
        if item.penalties is not None and item.penalties.days:
            penalties_total[currency] = penalties_total.get(currency, 0) + item.penalties.amount
        indemnity_total[currency] = indemnity_total.get(currency, 0) + item.indemnity
    context: dict[str, Any] = {
        "action": action,
        "client": client,
        "creditor": creditor,
        "step": action.step,
        "items": action.items,
        "totals": action.totals,
        "claimed": action.claimed,
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
        "qr": _qr(action, creditor, reference),
        "recipient": recipient,
        "recipient_lines": recipient_lines,
        "sender_lines": _sender_lines(creditor),
        "signatory": creditor.signatory or creditor.name,
        "locale": locale,
        "invoices": action.invoices,
        "as_of": letter_date,
    }
    if len(action.totals) == 1:
        # Single-currency conveniences; absent (an error if used) for a mixed action.
        [(currency, total)] = action.totals.items()
        context.update(currency=currency, total=total, claimed_total=action.claimed[currency])
    return context


class _HTMLToText(HTMLParser):
    """A crude HTML-to-text converter for templates that give only an ``html`` block."""

    _BREAKS = frozenset(("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "ul"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "title"):
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("  ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(_SPACES.sub(" ", data))

    def text(self) -> str:
        lines = (line.strip() for line in "".join(self.parts).splitlines())
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _html_to_text(markup: str) -> str:
    parser = _HTMLToText()
    parser.feed(markup)
    parser.close()
    return parser.text()


def _text_to_html(text: str, title: str) -> str:
    """Wrap a plain-text body in a minimal HTML document, escaped, one paragraph a block."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(_html.escape(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head><meta charset="utf-8">'
        f"<title>{_html.escape(title)}</title></head>\n"
        f'<body style="font-family:sans-serif">\n{body}\n</body>\n</html>\n'
    )


def _tidy_text(text: str) -> str:
    """Trailing blanks off each line, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def _clean_subject(subject: str) -> str:
    # A subject is one header line: CR, LF and runs of blanks collapse to one space.
    return _SPACES.sub(" ", _CONTROL.sub(" ", subject)).strip()


def _default_subject(action: Action, context: dict[str, Any], template: str) -> str:
    """The subject of a template without a ``subject`` block: the built-in one, if any."""
    names = _builtin_names()
    builtin = _builtin_set()
    for candidate in (template, action.step.template_name):
        file_name = candidate + _SUFFIX
        if file_name in names:
            compiled = _compile(builtin.text, file_name)
            subject = _render_block(builtin.text, compiled, "subject", context)
            if subject and subject.strip():
                return subject
    numbers = [item.invoice.number for item in action.items]
    noun = "Facture" if len(numbers) == 1 else "Factures"
    return f"{noun} {', '.join(numbers)}"


def _compile(env: SandboxedEnvironment, file_name: str) -> jinja2.Template:
    """The compiled template (cached by the environment), or a relancelib error."""
    try:
        return env.get_template(file_name)
    except Exception as exc:
        raise _template_error(exc, env, file_name) from exc


def _render_block(
    env: SandboxedEnvironment,
    template: jinja2.Template,
    block: str | None,
    context: dict[str, Any],
) -> str | None:
    """Render one block of ``template`` (the whole template for ``block=None``).

    ``None`` when the template has no such block.  Any failure inside the template, from an
    undefined variable to a filter refusing its argument, becomes a TemplateRenderError
    naming the template and the line.
    """
    try:
        if block is None:
            return template.render(context)
        render_block = template.blocks.get(block)
        if render_block is None:
            return None
        return "".join(render_block(template.new_context(context)))  # new_context copies
    except Exception as exc:
        raise _template_error(exc, env, template.name or "<template>") from exc


def render(
    action: Action,
    creditor: Creditor,
    *,
    templates: TemplatesLike = None,
    as_of: dt.date | None = None,
    calendar: Calendar | str = "FR",
    deadline_days: int = 8,
    locale: str | None = None,
) -> Message:
    """Write the message of ``action``, sent by ``creditor``, with its step's template.

    ``templates`` maps step keys (or ``"<key>.<segment>"`` variants) to Jinja2 sources, or is
    a folder of ``<key>.j2`` files; they come before the built-in French templates.
    ``as_of`` is the date written on the message (default ``action.on``); the deadline to pay
    is ``calendar.legal_deadline(as_of, deadline_days)`` (Code de procédure civile 641-642);
    ``locale`` defaults to the client's.  The SEPA QR code of an e-mail is drawn by
    :meth:`Message.to_email`, not here (the built-in e-mails refer to it as ``cid:``);
    letters show it as an SVG drawn here.

    Raises :class:`TemplateNotFoundError`, :class:`TemplateRenderError` (naming the template
    and line), :class:`TemplateSecurityError`, :class:`MissingDataError` (no e-mail address,
    phone or postal address for the channel) or :class:`UnknownLocaleError`; a message is
    returned whole or not at all.
    """
    if not isinstance(action, Action):
        raise InvalidFieldError(
            "must be an Action from relancelib.plan()", field="action", value=action
        )
    if not isinstance(creditor, Creditor):
        raise InvalidFieldError("must be a Creditor", field="creditor", value=creditor)
    letter_date = action.on if as_of is None else as_of
    if not isinstance(letter_date, dt.date) or isinstance(letter_date, dt.datetime):
        raise InvalidFieldError(
            f"must be a datetime.date, not {type(letter_date).__name__}", field="as_of", value=as_of
        )
    if (
        isinstance(deadline_days, bool)
        or not isinstance(deadline_days, int)
        or not 0 <= deadline_days <= 366
    ):
        raise InvalidFieldError(
            "must be a whole number of days from 0 to 366",
            field="deadline_days",
            value=deadline_days,
        )
    client = action.client
    locale = _check_locale(client.locale if locale is None else locale)
    user = _user_set(templates)
    step = action.step
    channel = step.channel
    template_set, template, builtin = _find_template(step.template_name, client.segment, user)
    if builtin and _language(locale) != "fr":
        raise UnknownLocaleError(
            "the built-in templates are written in French; pass templates=... to write "
            "in another language",
            field="locale",
            value=locale,
        )
    recipient, recipient_lines = _recipient(client, channel)
    deadline = _calendar(calendar).legal_deadline(letter_date, deadline_days)
    context = _context(
        action,
        creditor,
        letter_date=letter_date,
        deadline=deadline,
        deadline_days=deadline_days,
        locale=locale,
        recipient=recipient,
        recipient_lines=recipient_lines,
    )
    file_name = template + _SUFFIX
    text_template = _compile(template_set.text, file_name)
    html_body: str | None = None
    if not text_template.blocks:
        # A plain source is the text body.
        subject = _clean_subject(_default_subject(action, context, template))
        context["subject"] = subject
        text = _render_block(template_set.text, text_template, None, context) or ""
    else:
        subject = _clean_subject(
            _render_block(template_set.text, text_template, "subject", context) or ""
        )
        if not subject:
            subject = _clean_subject(_default_subject(action, context, template))
        context["subject"] = subject
        text_block = _render_block(template_set.text, text_template, "text", context)
        html_template = _compile(template_set.html, file_name)
        html_body = _render_block(template_set.html, html_template, "html", context)
        text = (
            text_block
            if text_block is not None
            else (_html_to_text(html_body) if html_body is not None else "")
        )
    text = _tidy_text(text)
    html_body = _text_to_html(text, subject) if html_body is None else html_body.strip() + "\n"
    qr: PaymentQR | None = context["qr"]
    qr_cid = None
    if qr is not None and qr._cid_used and f"cid:{qr._content_id}" in html_body:
        qr_cid = qr._content_id  # the HTML shows the image to_email() will attach
    return Message(
        subject,
        text,
        html_body,
        channel,
        recipient,
        action_key=action.key,
        step_key=step.key,
        client_id=client.id,
        template=template,
        date=letter_date,
        sender=creditor.name,
        sender_email=creditor.email,
        recipient_name=client.name,
        recipient_email=client.email,
        message_id=_message_id(action.key, creditor.email),
        deadline=deadline,
        locale=locale,
        qr_payload=qr.payload if qr is not None and qr.shown else None,
        qr_cid=qr_cid,
    )


def render_plan(
    plan: Plan | Iterable[Action], creditor: Creditor, **options: Any
) -> tuple[Message, ...]:
    """Render every action of ``plan`` (in its order) with :func:`render` and ``options``."""
    actions = plan.actions if isinstance(plan, Plan) else tuple(plan)
    return tuple(render(action, creditor, **options) for action in actions)
