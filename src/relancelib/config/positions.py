"""Where each key of a TOML document is written: the line numbers of config errors.

:mod:`tomllib` gives no positions for the values it parses, so :func:`key_lines` finds the
line of each key in the raw text.  It is hand-written on purpose: ``tomlkit``, the TOML
library that keeps a document's layout, keeps no positions either (tested with tomlkit
0.15.2: an item carries only its ``Trivia`` — indent, comment, trail — and out-of-order
tables come back as proxies), so lines would have to be recounted by re-rendering the
document piece by piece through its private ``Container._render_*`` methods; and it reads
``0.10`` as a float, where :mod:`tomllib` hands it to ``Decimal`` exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TypeAlias

__all__ = ["KeyPath", "dotted", "key_lines"]

#: A key's path in the document: table names, and an index for each array item.
KeyPath: TypeAlias = tuple[str | int, ...]

_BARE = r"[A-Za-z0-9_\-]+"
_QUOTED = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_PART = re.compile(rf"\s*({_BARE}|{_QUOTED})\s*")
_HEADER = re.compile(r"^\s*(\[\[|\[)([^\[\]]*)(\]\]|\])\s*(#.*)?$")
_KEY_LINE = re.compile(rf"^\s*((?:{_BARE}|{_QUOTED})(?:\s*\.\s*(?:{_BARE}|{_QUOTED}))*)\s*=(.*)$")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_BARE}|{_QUOTED})\s*=")


def _split_key(text: str) -> list[str]:
    parts: list[str] = []
    for chunk in _split_dots(text):
        match = _PART.fullmatch(chunk)
        if match is None:
            return []
        part = match.group(1)
        if part[0] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return parts


def _split_dots(text: str) -> Iterator[str]:
    current, quote = [], ""
    for char in text:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
            current.append(char)
        elif char == ".":
            yield "".join(current)
            current = []
        else:
            current.append(char)
    yield "".join(current)


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map each key path of a TOML document to the line (from 1) that defines it.

    A best-effort scanner for error messages: tables, arrays of tables, dotted keys and
    inline tables on one line of a multi-line array are found; anything it cannot follow
    is simply not mapped (the error then names the nearest enclosing key's line).
    """
    lines: dict[KeyPath, int] = {}
    arrays: dict[KeyPath, int] = {}
    table: KeyPath = ()
    in_string = ""
    array_path: KeyPath | None = None
    array_index = -1
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if line.count(in_string) % 2 == 1:
                in_string = ""
            continue
        if array_path is not None:
            stripped = line.strip()
            if stripped.startswith("{"):
                array_index += 1
                item = (*array_path, array_index)
                lines.setdefault(item, number)
                for match in _INLINE_KEY.finditer(stripped):
                    lines.setdefault((*item, *_split_key(match.group(1))), number)
            depth += _bracket_balance(line)
            if depth <= 0:
                array_path = None
            continue
        header = _HEADER.match(line)
        if header is not None and header.group(1) == header.group(3)[::-1].replace("]", "["):
            parts = _split_key(header.group(2))
            if not parts:
                continue
            if header.group(1) == "[[":
                parent = _resolve(parts[:-1], arrays)
                name = (*parent, parts[-1])
                arrays[name] = arrays.get(name, -1) + 1
                table = (*name, arrays[name])
                lines.setdefault(name, number)
            else:
                table = _resolve(parts, arrays)
            lines.setdefault(table, number)
            continue
        key_line = _KEY_LINE.match(line)
        if key_line is None:
            continue
        path = (*table, *_split_key(key_line.group(1)))
        lines.setdefault(path, number)
        value = key_line.group(2)
        for quote in ('"""', "'''"):
            if value.count(quote) % 2 == 1:
                in_string = quote
        stripped = value.split("#", 1)[0].strip() if '"' not in value else value.strip()
        if stripped.startswith("{"):
            for inline in _INLINE_KEY.finditer(stripped):
                lines.setdefault((*path, *_split_key(inline.group(1))), number)
        if stripped.startswith("["):
            balance = _bracket_balance(value)
            if balance > 0:
                array_path, array_index, depth = path, -1, balance
            else:
                for index, _item in enumerate(re.finditer(r"\{", stripped)):
                    lines.setdefault((*path, index), number)
    return lines


def _bracket_balance(text: str) -> int:
    balance, quote = 0, ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char == "[":
            balance += 1
        elif char == "]":
            balance -= 1
    return balance


def _resolve(parts: list[str], arrays: Mapping[KeyPath, int]) -> KeyPath:
    """The key path of a table header, with the current index of each array of tables in it."""
    path: KeyPath = ()
    for part in parts:
        path = (*path, part)
        if path in arrays:
            path = (*path, arrays[path])
    return path


def dotted(path: KeyPath) -> str:
    """A key path as the config's reference writes it: ``policy.steps[3].offset_days``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            shown = part if re.fullmatch(_BARE, part) else f'"{part}"'
            text += f".{shown}" if text else shown
    return text or "(top level)"
