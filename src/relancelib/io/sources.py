"""Where the readers read from and the writers write to: a path, bytes or an open file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, TypeAlias

from relancelib.checks import check_single_line
from relancelib.errors import DataImportError

__all__ = ["Source", "Target", "load_bytes", "source_name"]

#: What the readers accept: a path, the file's bytes, or an open binary or text file.
Source: TypeAlias = "str | os.PathLike[str] | bytes | IO[bytes] | IO[str]"
#: What the writers accept: a path or an open text file (opened with ``newline=""``).
Target: TypeAlias = "str | os.PathLike[str] | IO[str]"


def source_name(source: object, name: str | None) -> str:
    """The name problems give ``source``: ``name``, else the path, ``<bytes>`` or the
    file object's name (``<stream>`` when it has none)."""
    if name is not None:
        return check_single_line(name, "name", what="a name for the problems")
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not isinstance(path, str) or "\x00" in path:
            raise DataImportError("is not a path", field="source", value=path)
        return path
    if isinstance(source, bytes):
        return "<bytes>"
    given = getattr(source, "name", None)
    return given if isinstance(given, str) else "<stream>"


def load_bytes(source: Source, name: str) -> bytes | str:
    """The content of ``source``: bytes, or text for a text stream (already decoded)."""
    if isinstance(source, (str, os.PathLike)):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise DataImportError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if isinstance(source, bytes):
        return source
    if not callable(getattr(source, "read", None)):
        raise DataImportError(
            "must be a path, the file's bytes or an open file", field="source", value=source
        )
    content = source.read()
    if not isinstance(content, (bytes, str)):
        raise DataImportError(f"{name}: the file object gave {type(content).__name__}, not data")
    return content
