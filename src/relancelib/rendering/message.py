"""The rendered message: what to send, to whom, through which channel.

A :class:`Message` is frozen and checked: the fields that become e-mail headers are single
lines (:func:`relancelib.checks.check_single_line`), so a template or a client name never
forges a header.  It knows how to become an e-mail, a PDF letter or a notebook preview.
"""

from __future__ import annotations

import datetime as dt
import html as _html
import re
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import attrs

from relancelib import formatting
from relancelib.checks import (
    check_instance,
    check_single_line,
    check_text,
    has_control_characters,
    validator,
)
from relancelib.errors import InvalidFieldError
from relancelib.policy import Channel
from relancelib.rendering import letters, qr
from relancelib.rendering.email import to_email

__all__ = ["Message"]

_SINGLE_LINE = "must be a single line of text (no CR/LF: they would forge e-mail headers)"


def _line(field: str) -> Callable[[Any, Any, Any], None]:
    """A validator: ``None``, ``""`` or a single line of text (an optional header value)."""

    def check(_inst: Any, _attr: Any, value: Any) -> None:
        if value is None or value == "":
            return
        if not isinstance(value, str) or has_control_characters(value):
            raise InvalidFieldError(_SINGLE_LINE, field=field, value=value)

    return check


def _check_channel(_inst: Any, _attr: Any, value: Any) -> None:
    check_instance(value, Channel, "Message.channel")


def _check_recipient(inst: Any, _attr: Any, value: Any) -> None:
    # A postal address is a block of lines; an e-mail address or a phone number one line.
    if inst.channel.is_postal:
        check_text(value, "Message.recipient", multiline=True)
    else:
        check_single_line(value, "Message.recipient")


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

    subject: str = attrs.field(validator=validator(check_single_line, "Message.subject"))
    text: str
    html: str
    channel: Channel = attrs.field(validator=_check_channel)
    recipient: str = attrs.field(validator=_check_recipient)
    action_key: str = attrs.field(
        kw_only=True, validator=validator(check_single_line, "Message.action_key")
    )
    step_key: str = attrs.field(kw_only=True)
    client_id: str = attrs.field(kw_only=True)
    template: str = attrs.field(kw_only=True)
    date: dt.date = attrs.field(kw_only=True)
    sender: str = attrs.field(
        kw_only=True, validator=validator(check_single_line, "Message.sender")
    )
    sender_email: str | None = attrs.field(
        default=None, kw_only=True, validator=_line("Message.sender_email")
    )
    recipient_name: str = attrs.field(
        default="", kw_only=True, validator=_line("Message.recipient_name")
    )
    recipient_email: str | None = attrs.field(
        default=None, kw_only=True, validator=_line("Message.recipient_email")
    )
    message_id: str | None = attrs.field(
        default=None, kw_only=True, validator=_line("Message.message_id")
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
        :attr:`message_id`.  The standard library encodes non-ASCII names and subjects (RFC
        2047); both bodies are UTF-8, quoted-printable.  When the HTML shows the SEPA QR code
        (:attr:`qr_cid`), the code is drawn now and the HTML alternative becomes a
        ``multipart/related`` part: the HTML, then the PNG image (base64, ``Content-ID:
        <qr_cid>``, ``Content-Disposition: inline``), which mail clients show in place of
        the ``cid:`` reference — many block ``data:`` images.  The result is the same, byte
        for byte, each time.
        """
        return to_email(self)

    def to_pdf(self) -> bytes:
        """The message laid out as a PDF (A4 for letters), with WeasyPrint.

        Needs the optional extra ``relancelib[pdf]``; without it a :class:`RelanceError`
        says so.
        """
        return letters.to_pdf(self._inline_qr("svg"))

    def _inline_qr(self, kind: str) -> str:
        """The HTML with the ``cid:`` reference to the QR code replaced by a ``data:`` URI."""
        if self.qr_cid is None or self.qr_payload is None:
            return self.html
        return qr.inline(self.html, self.qr_cid, self.qr_payload, kind)

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
