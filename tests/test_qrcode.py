"""relancelib.rendering.qrcode draws the very QR codes segno draws, ≈ 50 times faster.

segno is the oracle: for many EPC069-12 payloads (ISO 8859-1 and UTF-8, every length a
transfer can have, and longer byte strings up to version 40) the version, the mask, every
module and every byte of the PNG must be segno's.  The speed is measured by
``benchmarks/render.py``, not here.
"""

from __future__ import annotations

import io
import random

import pytest
import segno

from relancelib import InvalidFieldError
from relancelib.rendering import qrcode

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -,./éèàçÉ€Ωß"


def segno_png(code: segno.QRCode) -> bytes:
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()


def epc_payloads(count: int, seed: int) -> list[bytes]:
    """EPC069-12 payloads of random names, amounts and remittance texts."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        name = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 71)))
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 141)))
        amount = f"EUR{rng.randrange(1, 10**11) / 100:.2f}".rstrip("0").rstrip(".")
        fields = ["BCD", "002", "1", "SCT", rng.choice(["", "AGRIFRPP"]), name,
                  "FR7630006000011234567890189", amount, "", "", text]  # fmt: skip
        payload = "\n".join(fields)
        try:
            fields[2] = "2"
            found.append("\n".join(fields).encode("iso-8859-1"))
        except UnicodeEncodeError:
            found.append(payload.encode("utf-8"))
    return found


def assert_same_as_segno(data: bytes) -> None:
    expected = segno.make_qr(data, error="m", boost_error=False)
    symbol = qrcode.encode(data)
    assert (symbol.version, symbol.mask) == (expected.version, expected.mask)
    assert symbol.size == len(expected.matrix)
    assert symbol.rows() == [bytes(row) for row in expected.matrix]
    assert qrcode.png(symbol) == segno_png(expected)


@pytest.mark.parametrize("seed", range(4))
def test_epc_payloads_give_segno_s_code_and_png(seed: int) -> None:
    for data in epc_payloads(60, seed):
        assert_same_as_segno(data)


def test_every_version_is_segno_s() -> None:
    # Byte strings that need versions 1 to 40, the EPC header first (so segno picks byte
    # mode, as for a payload).
    rng = random.Random(40)
    lengths = [5, 10, 20, 30, 50, 80, 100, 120, 150, 200, 250, 300, 350, 400, 500, 600, 700,
               800, 900, 1000, 1200, 1400, 1600, 1800, 2000, 2200, 2331]  # fmt: skip
    versions = set()
    for length in lengths:
        data = (b"BCD\n" + bytes(rng.randrange(256) for _ in range(length)))[:length]
        assert_same_as_segno(data)
        versions.add(qrcode.encode(data).version)
    assert min(versions) == 1
    assert max(versions) == 40


def test_a_code_too_big_is_a_relance_error() -> None:
    with pytest.raises(InvalidFieldError, match="do not fit in a QR code"):
        qrcode.encode(b"x" * 2332)
