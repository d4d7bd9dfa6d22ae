"""Reading CSV exports row by row, in bounded memory: :class:`CsvTable` opens a file, finds
its encoding and separator, maps its header, and yields its rows one at a time.

Named ``reading`` so that ``import csv`` inside this package is the standard library's.
A path is read as a stream (a 1M-line export is never held in memory as text); bytes and
open files are decoded whole, as they already are in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from relancelib.checks import check_instance
from relancelib.errors import DataImportError
from relancelib.io.cells import RawRow
from relancelib.io.columns import ColumnMap, HeaderMap, TableColumn, map_header
from relancelib.io.encoding import candidate_encodings, decode
from relancelib.io.results import ImportProblem
from relancelib.io.sources import Source, load_bytes, source_name

__all__ = ["CsvTable"]

_DELIMITERS = (";", "\t", ",")
#: Bytes decoded at a time when a path is checked and read.
_CHUNK = 1 << 20


def _sniff(first_line: str, name: str) -> str:
    counts = [(first_line.count(d), -i, d) for i, d in enumerate(_DELIMITERS)]
    count, _order, delimiter = max(counts)
    if count == 0:
        raise DataImportError(
            f"{name}: cannot tell the separator: the header line has no ';', tab or ','; "
            "pass delimiter=..."
        )
    return delimiter


def _first_failure(path: Path, encoding: str) -> tuple[int, int] | None:
    """Where ``encoding`` first refuses the file (byte offset, line), decoding it chunk by
    chunk; ``None`` when the whole file decodes."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = lines = 0
    with path.open("rb") as file:
        while True:
            chunk = file.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                position = max(offset + exc.start - len(exc.object) + len(chunk), offset)
                return position, lines + chunk[: position - offset].count(b"\n") + 1
            if not chunk:
                return None
            offset += len(chunk)
            lines += chunk.count(b"\n")


def _open_path(path: Path, encoding: str | None, label: str) -> tuple[IO[str], str]:
    """The file as a text stream, and the encoding it is read with (checked on the whole
    file first, so that a bad byte on line 900,000 is reported before any row is read)."""
    try:
        with path.open("rb") as file:
            sample = file.read(4096)
    except OSError as exc:
        raise DataImportError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    if encoding is not None:
        check_instance(encoding, str, "encoding", what="an encoding name such as 'cp1252'")
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataImportError(f"unknown encoding {encoding!r}", field="encoding") from None
        candidates: tuple[str, ...] = (encoding,)
    else:
        candidates = candidate_encodings(sample)
    for candidate in candidates:
        failure = _first_failure(path, candidate)
        if failure is None:
            stream = open(path, encoding=candidate, newline="")  # noqa: SIM115 - CsvTable closes it
            if stream.read(1) != "\ufeff":  # a UTF-16 byte-order mark the codec keeps
                stream.seek(0)
            return stream, candidate
        first = (candidate, failure)
    candidate, (position, line) = first
    with path.open("rb") as file:
        file.seek(position)
        byte = file.read(1)[0]
    where = f"byte {byte:#04x} on line {line}"
    if encoding is not None:
        raise DataImportError(f"{label}: cannot be decoded as {encoding} ({where})")
    if candidate.startswith("utf-16"):
        raise DataImportError(
            f"{label}: looks like {candidate.upper()} but cannot be decoded as such ({where}); "
            "pass encoding=..."
        )
    raise DataImportError(
        f"{label}: is neither UTF-8, UTF-16 nor Windows-1252 ({where}); pass encoding=..."
    )


class CsvTable:
    """One CSV export, opened: ``encoding``, ``delimiter`` and ``header`` are known once it is
    built; iterating yields each data row as a :class:`RawRow` (or an :class:`ImportProblem`
    for a row with the wrong number of fields), and ``rows`` counts them."""

    def __init__(
        self,
        source: Source,
        schema: Sequence[TableColumn],
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        name: str | None = None,
        columns: ColumnMap | None = None,
        preset: ColumnMap | None = None,
    ) -> None:
        self.label = source_name(source, name)
        self.path = Path(source) if isinstance(source, (str, os.PathLike)) else None
        stream: IO[str]
        if self.path is not None:
            stream, used = _open_path(self.path, encoding, self.label)
            self.encoding: str | None = used
        else:
            text, self.encoding = decode(load_bytes(source, self.label), encoding, self.label)
            stream = io.StringIO(text, newline="")
        self._stream = stream
        try:
            self._start(stream, delimiter, schema, columns, preset)
        except BaseException:
            stream.close()
            raise
        self.rows = 0

    def _start(
        self,
        stream: IO[str],
        delimiter: str | None,
        schema: Sequence[TableColumn],
        columns: ColumnMap | None,
        preset: ColumnMap | None,
    ) -> None:
        read: list[str] = []
        first = None
        for line in stream:
            read.append(line)
            if line.strip():
                first = line
                break
        if first is None:
            raise DataImportError(f"{self.label}: is empty (no header line)")
        # Excel's "sep=;" first line names the separator.
        hint = re.fullmatch(r"sep=([;,\t])", first.strip(" \r\n"))
        if delimiter is None:
            delimiter = hint.group(1) if hint else _sniff(first, self.label)
        elif delimiter not in _DELIMITERS:
            raise DataImportError("must be ';', ',' or a tab", field="delimiter", value=delimiter)
        self.delimiter = delimiter
        self._reader = csv.reader(itertools.chain(read, stream), delimiter=delimiter, strict=True)
        header = None
        while header is None:
            values = self._next(self._reader.line_num + 1)
            if values is None:
                raise DataImportError(f"{self.label}: is empty (no header line)")
            if not any(value.strip() for value in values):
                continue
            if hint is not None:
                hint = None
                continue
            header = values
        self.header: tuple[str, ...] = tuple(header)
        self.map: HeaderMap = map_header(self.header, schema, self.label, columns, preset)
        required = [c.field for c in schema if c.required]
        self._probe = self.map.first(required[0]) if required else None
        titles = self.header
        fields = self.map.fields
        self._single = [(field, idx[0], titles[idx[0]].strip()) for field, idx in fields.items()
                        if len(idx) == 1]  # fmt: skip
        self._joined = [(field, idx, titles[idx[0]].strip()) for field, idx in fields.items()
                        if len(idx) > 1]  # fmt: skip

    def _next(self, start: int) -> list[str] | None:
        """The next row (``start``: the line it starts on), ``None`` at the end.

        A quote that is never closed makes every line after it part of one cell: the file
        is refused (:class:`DataImportError` naming the line), never read a guessed way."""
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            end = self._reader.line_num
            lines = f"line {start}" if end <= start else f"lines {start} to {end}"
            if "unexpected end of data" in str(exc):
                raise DataImportError(
                    f"{self.label}:{start}: a quote (\") opened in the row of {lines} is never "
                    "closed: the file ends inside it; close the quote or remove it, then "
                    "export again"
                ) from None
            raise DataImportError(
                f"{self.label}:{start}: unreadable CSV in the row of {lines} ({exc}); check "
                "the quotes (\") of that row"
            ) from None
        except UnicodeDecodeError as exc:
            raise DataImportError(f"{self.label}: cannot be decoded ({exc.reason})") from None

    def __iter__(self) -> Iterator[RawRow | ImportProblem]:
        raw_row = self.raw_row
        for entry in self.values():
            yield entry if isinstance(entry, ImportProblem) else raw_row(*entry)

    def raw_row(self, line: int, values: Sequence[str]) -> RawRow:
        """The row of ``values`` (read on ``line``) as a :class:`RawRow` of its fields."""
        cells: dict[str, tuple[str, object]] = {
            field: (title, values[index]) for field, index, title in self._single
        }
        for field, indexes, title in self._joined:
            parts = [values[i].strip() for i in indexes if values[i].strip()]
            cells[field] = (title, "|".join(parts))
        return RawRow(line, None, cells)

    def values(self) -> Iterator[tuple[int, list[str]] | ImportProblem]:
        """Each data row as its line and its values as read (blank rows skipped), or a
        problem for a row with the wrong number of fields; closes the file at the end."""
        width = len(self.header)
        probe = self._probe
        start = self._reader.line_num + 1
        try:
            while True:
                values = self._next(start)
                if values is None:
                    return
                line, start = start, self._reader.line_num + 1
                # A row whose first required cell is filled is not blank: no need to look.
                if len(values) == width and (
                    (probe is not None and values[probe].strip())
                    or any(value.strip() for value in values)
                ):
                    self.rows += 1
                    yield line, values
                    continue
                if not any(value.strip() for value in values):
                    continue
                self.rows += 1
                yield ImportProblem(
                    self.label,
                    line,
                    None,
                    f"has {len(values)} fields but the header has {width}; "
                    f"check the separator {self.delimiter!r} and the quotes",
                )
        finally:
            self._stream.close()

    def close(self) -> None:
        self._stream.close()
