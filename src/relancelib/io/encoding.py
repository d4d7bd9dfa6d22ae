"""Which encoding a file's bytes are in: a byte-order mark, UTF-16, UTF-8, else Windows-1252.

French accounting software and Excel write CSV files in four encodings: UTF-8 (with or
without a byte-order mark), Windows-1252 (cp1252, French Excel's "CSV (séparateur: point-
virgule)") and UTF-16 (Excel's "Texte Unicode", little-endian with a byte-order mark; some
exports drop the mark or write big-endian).

The rule is written here rather than asked of ``charset-normalizer`` (3.5.3), measured on
15 French CSV exports (the sample portfolio written by ``write_*_csv`` in both styles, whole
and cut to 2 or 3 lines, and the examples of ``docs/import.md``), each in UTF-8, UTF-8 with
BOM, cp1252 and UTF-16 LE/BE with and without BOM (105 files): charset-normalizer read 4 of
the 15 cp1252 files as another code page (cp1250 or cp1125: "è" became "č", "œ" "ś", "€"
"А"), names pure-ASCII UTF-8 ``"ascii"``, and took 1.4 ms on average and up to 100 ms per
file; this rule read all 105 right in at most 0.1 ms.  A French export that is not UTF is
cp1252; UTF-16 shows itself by its NUL bytes (:func:`utf16_without_bom`); strict decoding
then confirms or refuses the guess.
"""

from __future__ import annotations

import codecs

from relancelib.checks import check_instance
from relancelib.errors import DataImportError

__all__ = ["candidate_encodings", "decode", "utf16_without_bom"]

#: Bytes looked at to recognise UTF-16 without a byte-order mark.
_SAMPLE = 4096

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``data`` has the NUL bytes of UTF-16 text.

    A CSV file starts with its header, whose first character is below U+0100 (the column
    names are Latin), so UTF-16 starts with a NUL byte next to a non-NUL one, which no
    UTF-8 or cp1252 text does; the rest of the first 4 KiB must agree (NULs on that side
    of the code units at least four times as often as on the other), whatever the
    language of the cells.
    """
    sample = data[:_SAMPLE]
    if len(sample) < 2:
        return None
    # In little-endian UTF-16, the high (mostly zero) byte of each code unit comes second.
    first, second = sample[0::2].count(0), sample[1::2].count(0)
    if sample[0] != 0 and sample[1] == 0 and second >= 4 * first:
        return "utf-16-le"
    if sample[0] == 0 and sample[1] != 0 and first >= 4 * second:
        return "utf-16-be"
    return None


def candidate_encodings(data: bytes) -> tuple[str, ...]:
    """The encodings to try on ``data``, in order: the one its byte-order mark names, else
    UTF-16 when its NUL bytes say so, else UTF-8 then cp1252."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return (name,)
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        return (utf16,)
    return ("utf-8", "cp1252")


def decode(data: bytes | str, encoding: str | None, name: str) -> tuple[str, str | None]:
    """The text of ``data`` (without byte-order mark) and the encoding it was read with
    (``None`` for text, already decoded); ``encoding=None`` detects it."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), None
    if encoding is not None:
        check_instance(encoding, str, "encoding", what="an encoding name such as 'cp1252'")
        try:
            text = data.decode(encoding)
        except LookupError:
            raise DataImportError(f"unknown encoding {encoding!r}", field="encoding") from None
        except UnicodeDecodeError as exc:
            raise DataImportError(
                f"{name}: cannot be decoded as {encoding} ({_where(data, exc.start, encoding)})"
            ) from None
        return text.removeprefix("\ufeff"), encoding
    candidates = candidate_encodings(data)
    for candidate in candidates:
        try:
            return data.decode(candidate).removeprefix("\ufeff"), candidate
        except UnicodeDecodeError as exc:
            failure = exc
    where = _where(data, failure.start, candidates[0])
    if candidates[0].startswith("utf-16"):
        raise DataImportError(
            f"{name}: looks like {candidates[0].upper()} but cannot be decoded as such "
            f"({where}); pass encoding=..."
        )
    raise DataImportError(
        f"{name}: is neither UTF-8, UTF-16 nor Windows-1252 ({where}); pass encoding=..."
    )


def _where(data: bytes, position: int, encoding: str) -> str:
    """``byte 0xe9 on line 2``: the byte a decoder refused, and its line."""
    line = data[:position].decode(encoding, errors="replace").count("\n") + 1
    return f"byte {data[position]:#04x} on line {line}"
