"""The e-mail of a message, built with the standard library's :mod:`email` API.

:func:`to_email` returns an :class:`~email.message.EmailMessage`: a ``multipart/alternative``
of the plain text and of the HTML and, when the HTML shows the SEPA QR code, the HTML in a
``multipart/related`` part with the PNG image (``Content-ID``).  The ``Date`` header is 09:00
in Paris (:mod:`zoneinfo`).  Each header is a :class:`~relancelib.rendering.headers.Header`,
encoded (RFC 2047) and folded once, when it is set, and each body is encoded once, by
:mod:`binascii` (quoted-printable) and :mod:`base64`: ``as_bytes()`` only writes them out
(≈ 0.1 ms instead of ≈ 1.5 ms when the standard library folds the headers each time).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime
from io import BytesIO
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from relancelib.checks import check_date
from relancelib.errors import MissingDataError
from relancelib.rendering import qr
from relancelib.rendering.headers import (
    POLICY,
    Header,
    address_header,
    plain_header,
    text_header,
)

if TYPE_CHECKING:
    from relancelib.rendering.message import Message

__all__ = ["PARIS", "message_id", "paris_morning", "qr_content_id", "to_email"]

#: French legal time (CET/CEST), from the IANA database (the system's, or the tzdata package).
PARIS = ZoneInfo("Europe/Paris")

# The file name mail clients show for the attached QR code.
_QR_FILE_NAME = "virement-sepa.png"
# A key that can stand in a boundary as it is (RFC 2046 5.1.1: at most 70 characters).
_BOUNDARY_KEY = re.compile(r"[A-Za-z0-9._-]{1,64}")
# What the standard generator splits a body on (email.generator.NLCRE).
_NEWLINES = re.compile(r"\r\n|\r|\n")


class _Writer(BytesGenerator):
    """The standard :class:`~email.generator.BytesGenerator`, writing each body in one
    piece: it writes a body line by line, two writes a line (a third of ``as_bytes()``).
    The bytes are the same (``tests/test_email.py`` compares them)."""

    def _write_lines(self, lines: str) -> None:
        if lines:
            self.write(_NEWLINES.sub(self._NL, lines))  # type: ignore[attr-defined]


class _Email(EmailMessage):
    """An :class:`~email.message.EmailMessage` written by :class:`_Writer`."""

    def as_bytes(self, unixfrom: bool = False, policy: Policy | None = None) -> bytes:
        """The message as bytes, as :meth:`EmailMessage.as_bytes` writes it."""
        out = BytesIO()
        writer = _Writer(out, mangle_from_=False, policy=self.policy if policy is None else policy)
        writer.flatten(self, unixfrom=unixfrom)
        return out.getvalue()


def paris_morning(day: dt.date) -> dt.datetime:
    """``day`` at 09:00 Paris time, as an aware datetime (CET +01:00 or CEST +02:00).

    Summer time changes at 01:00 UTC (Directive 2000/84/EC), so 09:00 local is always past
    the switch, never ambiguous.
    """
    day = check_date(day, "day")
    return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=PARIS)


def _idna(domain: str) -> str | None:
    """``domain`` in ASCII (IDNA, ``exämple.fr`` → ``xn--exmple-cua.fr``), or ``None``."""
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def _address(header: str, name: str, addr_spec: str) -> Header:
    """The header of ``name <addr_spec>``, its domain in IDNA: an encoded word is not
    allowed in an address (RFC 2047 5), and a relay may not speak SMTPUTF8."""
    username, _, domain = addr_spec.rpartition("@")
    return address_header(header, name, username, _idna(domain) or domain)


def _domain(sender_email: str | None) -> str:
    """The sender's domain in ASCII (IDNA), for Message-ID and Content-ID."""
    if sender_email is None:
        return "relancelib.invalid"
    domain = sender_email.rsplit("@", 1)[1]
    return _idna(domain) or domain.encode("ascii", "ignore").decode("ascii") or "relancelib.invalid"


def message_id(key: str, sender_email: str | None) -> str | None:
    """``<action key@domain of the sender>``: deterministic, so it can be journaled first.

    Not :func:`email.utils.make_msgid`, which is random: the same action keeps its
    Message-ID when it is built again (a resend after a crash).
    """
    if sender_email is None:
        return None
    return f"<{key}@{_domain(sender_email)}>"


def qr_content_id(key: str, sender_email: str | None) -> str:
    """``qr.<action key>@<domain of the sender>``: the Content-ID of the attached QR code."""
    return f"qr.{key}@{_domain(sender_email)}"


def _part(content_type: str, encoding: str, payload: str) -> _Email:
    part = _Email(policy=POLICY)
    part["Content-Type"] = _content_type(content_type)
    part["Content-Transfer-Encoding"] = Header("Content-Transfer-Encoding", encoding, encoding)
    part.set_payload(payload)
    return part


def _content_type(value: str) -> Header:
    """A ``Content-Type`` of ASCII parameters, folded before a parameter past 78 columns."""
    return Header("Content-Type", value, value.replace("; ", ";\n ") if len(value) > 64 else value)


def _quoted_printable(text: str) -> str:
    """``text`` in UTF-8, quoted-printable, its lines ended by ``\n`` and the last one too
    (as ``set_content`` writes a text body)."""
    body = b"\n".join(text.encode("utf-8", "surrogateescape").splitlines()) + b"\n"
    return binascii.b2a_qp(body, istext=True).decode("ascii")


def to_email(message: Message) -> EmailMessage:
    """``message`` as an e-mail: ``multipart/alternative`` of the text and of the HTML (the
    HTML in a ``multipart/related`` with the QR code image when it shows one).

    The boundaries are built from the action key, so the result is the same, byte for byte,
    each time.
    """
    if message.sender_email is None:
        raise MissingDataError(
            "the creditor has no e-mail address to send from", field="Creditor.email"
        )
    if message.recipient_email is None:
        raise MissingDataError(
            f"client {message.client_id!r} has no e-mail address", field="Client.email"
        )
    key = message.action_key
    msg = _Email(policy=POLICY)
    msg["From"] = _address("From", message.sender, message.sender_email)
    msg["To"] = _address("To", message.recipient_name, message.recipient_email)
    msg["Subject"] = text_header("Subject", message.subject)
    msg["Date"] = plain_header("Date", format_datetime(paris_morning(message.date)))
    msg["Message-ID"] = plain_header(
        "Message-ID", message.message_id or message_id(key, message.sender_email) or ""
    )
    msg["X-Relance-Key"] = plain_header("X-Relance-Key", key)
    msg["MIME-Version"] = Header("MIME-Version", "1.0", "1.0")
    # "=_" and "=-" never occur in quoted-printable nor base64 text, and neither boundary is
    # a prefix of the other (RFC 2046 5.1.1).
    mark = key if _BOUNDARY_KEY.fullmatch(key) else hashlib.sha256(key.encode()).hexdigest()[:32]
    msg["Content-Type"] = _content_type(f'multipart/alternative; boundary="=_{mark}"')
    utf8 = 'charset="utf-8"'
    msg.attach(_part(f"text/plain; {utf8}", "quoted-printable", _quoted_printable(message.text)))
    html = _part(f"text/html; {utf8}", "quoted-printable", _quoted_printable(message.html))
    if message.qr_cid is not None and message.qr_payload is not None:
        related = _Email(policy=POLICY)
        # RFC 2387: the type of the root part.
        related["Content-Type"] = _content_type(
            f'multipart/related; boundary="=-{mark}"; type="text/html"'
        )
        related.attach(html)
        image = _part(
            f'image/png; name="{_QR_FILE_NAME}"',
            "base64",
            base64.encodebytes(qr.png(message.qr_payload)).decode("ascii"),
        )
        disposition = f'inline; filename="{_QR_FILE_NAME}"'
        image["Content-Disposition"] = Header("Content-Disposition", disposition, disposition)
        image["Content-ID"] = plain_header("Content-ID", f"<{message.qr_cid}>")
        related.attach(image)
        html = related
    msg.attach(html)
    return msg
