"""Letters: the postal address blocks and the PDF, laid out by WeasyPrint.

WeasyPrint is the optional extra ``relancelib[pdf]``; it is imported only when a PDF is asked
for.
"""

from __future__ import annotations

import functools
from typing import Any

from relancelib.errors import RelanceError
from relancelib.model import Address, Creditor

__all__ = ["address_lines", "sender_lines", "to_pdf"]

_ALLOWED_URLS = frozenset({"data"})


@functools.cache
def _country_name(code: str) -> str:
    from babel import Locale

    return str(Locale("fr").territories.get(code, code))


def address_lines(name: str, address: Address) -> list[str]:
    """The postal block of a window envelope (NF Z10-011): name, lines, CODE CITY, COUNTRY."""
    lines = [name, *address.lines]
    lines.append(f"{address.postal_code} {address.city.upper()}")
    if address.country != "FR":
        lines.append(_country_name(address.country).upper())
    return lines


def sender_lines(creditor: Creditor) -> list[str]:
    """The creditor's postal block, as a letterhead writes it (the city not in capitals)."""
    address = creditor.address
    lines = [creditor.name, *address.lines, f"{address.postal_code} {address.city}"]
    if address.country != "FR":
        lines.append(_country_name(address.country))
    return lines


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint without Pango
        raise RelanceError(
            f"PDF output needs WeasyPrint: install it with pip install 'relancelib[pdf]' ({exc})"
        ) from exc
    return weasyprint


@functools.cache
def _shared() -> tuple[Any, Any]:
    """The URL fetcher and the font configuration every letter of the process shares.

    A font configuration per letter (WeasyPrint's default) loads the system's fonts again
    each time and keeps them: a fifth of the time of a letter, and native memory that grows
    with every letter and is never given back.  One for the process keeps memory flat.
    """
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    # Only data: URLs are read (the QR code, images a template embeds): a template cannot make
    # the PDF read a local file (file:///etc/passwd as an attachment) nor reach the network.
    fetcher = weasyprint.URLFetcher(allowed_protocols=_ALLOWED_URLS, allow_redirects=False)
    return fetcher, FontConfiguration()


def to_pdf(html: str) -> bytes:
    """``html`` laid out as a PDF by WeasyPrint (A4 for the built-in letters).

    Only ``data:`` URLs are fetched; any other image, stylesheet or attachment is left out.
    The fonts are loaded once per process.  Without the optional extra ``relancelib[pdf]``,
    a :class:`RelanceError` says so.
    """
    weasyprint = _weasyprint()
    fetcher, fonts = _shared()
    document: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(
        font_config=fonts
    )
    return document
