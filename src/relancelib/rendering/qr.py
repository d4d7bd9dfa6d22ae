"""The SEPA credit transfer QR code (EPC069-12, "GiroCode"): its payload and its image.

The payload is built here; the code is drawn only when a template shows it (letters, as SVG
at render time) or when an e-mail is built (as PNG, attached inline), and cached by payload.
:mod:`relancelib.rendering.qrcode` encodes it and writes the PNG (≈ 0.15 ms, the very bytes
segno writes); segno, told the mask, writes the SVG of letters.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from relancelib.checks import check_decimal, check_instance, check_single_line
from relancelib.errors import InvalidFieldError, MissingDataError
from relancelib.model import Creditor
from relancelib.rendering import qrcode

__all__ = ["PaymentQR", "epc_qr_payload", "inline", "payment_qr", "png"]

# EPC069-12: the beneficiary name holds at most 70 characters, the remittance text 140.
_EPC_NAME_MAX = 70
_EPC_TEXT_MAX = 140
# EPC069-12: the amount is at most 999 999 999.99 EUR, at least 0.01.
_EPC_MIN_AMOUNT = Decimal("0.01")
_EPC_MAX_AMOUNT = Decimal("999999999.99")


def _epc_amount(amount: Decimal) -> str:
    # As segno writes it: two decimals, trailing zeros and dot dropped ("EUR1200", "EUR12.5").
    return f"EUR{amount:.2f}".rstrip("0").rstrip(".")


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
    check_instance(creditor, Creditor, "creditor")
    amount = check_decimal(amount, "amount")
    check_instance(text, str, "text", what="text")
    if creditor.iban is None:
        raise MissingDataError("the creditor has no IBAN", field="Creditor.iban")
    name = creditor.name[:_EPC_NAME_MAX]
    remittance = text[:_EPC_TEXT_MAX]
    bic = creditor.bic or ""
    lines = [
        "BCD",
        "002",
        "2",
        "SCT",
        bic,
        name,
        creditor.iban,
        _epc_amount(amount),
        "",
        "",
        remittance,
    ]
    try:
        "\n".join(lines).encode("iso-8859-1")
    except UnicodeEncodeError:
        lines[2] = "1"
    return "\n".join(lines)


def _payload_bytes(payload: str) -> bytes:
    """The payload in the character set its third line names (ISO 8859-1 or UTF-8)."""
    lines = payload.split("\n", 3)
    encoding = "iso-8859-1" if len(lines) > 2 and lines[2] == "2" else "utf-8"
    return payload.encode(encoding)


@functools.lru_cache(maxsize=512)
def _symbol(payload: str) -> qrcode.QRSymbol:
    """The QR code of an EPC069-12 payload, as :func:`segno.helpers.make_epc_qr` draws it
    (level M without boost, segno's choice of mask), by :mod:`relancelib.rendering.qrcode`
    in ≈ 0.1 ms instead of segno's ≈ 7 ms."""
    return qrcode.encode(_payload_bytes(payload))


@functools.lru_cache(maxsize=512)
def _qr_code(payload: str) -> Any:
    """segno's QR code of an EPC069-12 payload (it writes the SVG of letters), told the mask
    :func:`_symbol` chose: segno then skips its own slow choice and draws the same code."""
    import segno

    mask = _symbol(payload).mask
    return segno.make_qr(_payload_bytes(payload), error="m", boost_error=False, mask=mask)


@functools.lru_cache(maxsize=512)
def _qr_png(payload: str) -> bytes:
    """The QR code as PNG bytes (4 pixels a module, the 4-module quiet zone), byte for byte
    what segno writes."""
    return qrcode.png(_symbol(payload))


@functools.lru_cache(maxsize=512)
def _qr_uri(payload: str, kind: str) -> str:
    """The QR code as a ``data:`` URI: ``kind`` "svg" (for print) or "png"."""
    if kind == "svg":
        uri: str = _qr_code(payload).svg_data_uri(scale=4, dark="#000", border=4)
        return uri
    return "data:image/png;base64," + base64.b64encode(_qr_png(payload)).decode("ascii")


def png(payload: str) -> bytes:
    """The QR code of ``payload`` as PNG bytes, drawn once per payload (for e-mails)."""
    return _qr_png(payload)


def inline(html: str, content_id: str, payload: str, kind: str) -> str:
    """``html`` with its ``cid:<content_id>`` reference replaced by the QR code as a
    ``data:`` URI of ``kind`` "svg" or "png" (for PDF letters and previews)."""
    return html.replace(f"cid:{content_id}", _qr_uri(payload, kind))


class PaymentQR:
    """A SEPA transfer QR code for templates, drawn only when a template shows it.

    ``cid`` is the ``cid:`` URL of the image :meth:`Message.to_email` attaches to the e-mail
    (the built-in e-mails use it: mail clients show it where many block ``data:`` images,
    and :func:`render` need not draw it); ``png`` and ``svg`` are ``data:`` URIs drawn at
    render time (SVG for print); ``payload`` is the EPC069-12 text.  The code is drawn on first
    use and cached by payload.  Junk arguments raise a :class:`RelanceError` naming them.
    """

    __slots__ = ("_cid_used", "_content_id", "amount", "payload", "reference", "shown")

    def __init__(
        self, creditor: Creditor, amount: Decimal, reference: str, content_id: str
    ) -> None:
        self.payload = epc_qr_payload(creditor, amount, reference)
        amount = check_decimal(amount, "amount")
        if not _EPC_MIN_AMOUNT <= amount <= _EPC_MAX_AMOUNT:
            raise InvalidFieldError(
                f"must be between {_EPC_MIN_AMOUNT} and {_EPC_MAX_AMOUNT} euros (EPC069-12)",
                field="amount",
                value=amount,
            )
        self.amount = amount
        self.reference = reference
        self._content_id = check_single_line(content_id, "content_id", what="Content-ID")
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

    def attached_cid(self, html: str) -> str | None:
        """The Content-ID of the image the e-mail must attach: set when ``html`` (not only
        the text) refers to it as ``cid:``, else ``None``."""
        if self._cid_used and f"cid:{self._content_id}" in html:
            return self._content_id
        return None

    def __bool__(self) -> bool:
        return True


def payment_qr(
    creditor: Creditor, claimed: Mapping[str, Decimal], reference: str, content_id: str
) -> PaymentQR | None:
    """The QR code of a transfer of ``claimed``, when the creditor has an IBAN and everything
    is claimed in euros within EPC069-12's bounds; else ``None``."""
    if creditor.iban is None or set(claimed) != {"EUR"}:
        return None
    amount = claimed["EUR"]
    if not _EPC_MIN_AMOUNT <= amount <= _EPC_MAX_AMOUNT:
        return None
    return PaymentQR(creditor, amount, reference, content_id)
