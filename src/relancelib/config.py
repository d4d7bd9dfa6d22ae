"""The ``relance.toml`` configuration file of the ``relance`` command.

:func:`load_config` reads the file with :mod:`tomllib` and validates it entirely on load:
an unknown key, a wrong IBAN, a policy whose steps are out of order... each raises a
:class:`~relancelib.errors.ConfigError` whose message names the file, the line and the
key, e.g. ``relance.toml:14: policy.steps[3].offset_days: 5 is out of order: ...``.
(``tomllib`` gives no line numbers for the values it parses: the line of a key is found
in the raw text.)  Relative paths in the file are resolved against its folder.

The reference of every key is ``docs/config.md``; ``relance init`` writes a commented
example (:data:`EXAMPLE_CONFIG`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeAlias

import attrs

from relancelib import law
from relancelib.errors import ConfigError, RelanceError
from relancelib.model import Client, Creditor
from relancelib.policy import Channel, ReminderPolicy, Step

__all__ = [
    "EXAMPLE_CONFIG",
    "Config",
    "SegmentPolicies",
    "Sources",
    "example_config",
    "load_config",
    "parse_config",
]

#: The names a policy may take as ``preset``.
PRESETS: Mapping[str, Callable[..., ReminderPolicy]] = MappingProxyType(
    {"french_default": ReminderPolicy.french_default}
)

_KeyPath: TypeAlias = tuple[str | int, ...]


def _read_only(value: Mapping[str, ReminderPolicy]) -> Mapping[str, ReminderPolicy]:
    return MappingProxyType(dict(value))


@attrs.frozen
class SegmentPolicies:
    """A callable ``Client -> ReminderPolicy``: the client's segment's policy, else ``default``.

    Pass it to :func:`relancelib.plan` as ``policy``.  The same policy object is returned
    for every client of a segment, so the engine works out each policy's day once.
    """

    default: ReminderPolicy
    segments: Mapping[str, ReminderPolicy] = attrs.field(factory=dict, converter=_read_only)

    def __call__(self, client: Client) -> ReminderPolicy:
        return self.segments.get(client.segment, self.default)

    def policies(self) -> tuple[ReminderPolicy, ...]:
        """The default policy then the segments' policies, in segment order."""
        return (self.default, *(self.segments[name] for name in sorted(self.segments)))


@attrs.frozen
class Sources:
    """Where the invoices come from: CSV files (clients, invoices, payments), a Factur-X folder."""

    clients: Path | None = None
    invoices: Path | None = None
    payments: Path | None = None
    facturx: Path | None = None
    encoding: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when the config names no source of invoices at all."""
        return self.invoices is None and self.facturx is None


@attrs.frozen
class Config:
    """A validated ``relance.toml``: the creditor, the policies, where data and journal live."""

    creditor: Creditor
    policy: SegmentPolicies
    journal: Path
    sources: Sources = attrs.field(factory=Sources)
    templates: Path | None = None
    rates: law.Rates | None = None
    path: Path | None = None

    @property
    def default_policy(self) -> ReminderPolicy:
        """The policy of clients whose segment has no policy of its own."""
        return self.policy.default

    @property
    def calendar(self) -> str:
        """The holiday calendar code of the default policy (used for letter deadlines)."""
        return self.policy.default.holidays


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate the config file at ``path``; :class:`ConfigError` names what is wrong."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{file}: no such file (run 'relance init {file}' to write an example)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{file}:{line}: the file is not UTF-8 text") from None
    config = parse_config(text, source=str(file), base_dir=file.parent)
    return attrs.evolve(config, path=file)


def parse_config(
    text: str, *, source: str = "relance.toml", base_dir: str | os.PathLike[str] | None = None
) -> Config:
    """Validate the TOML ``text`` of a config file; ``source`` names it in errors and relative
    paths are resolved against ``base_dir`` (default: the current folder, unresolved)."""
    if not isinstance(text, str):
        raise ConfigError(f"{source}: the configuration must be text, not {type(text).__name__}")
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f"{source}:{found.group(1)}" if found else source
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    reader = _Reader(text, source, Path(base_dir) if base_dir is not None else None)
    return reader.config(data)


# ---------------------------------------------------------------------------------------------
# Locating keys in the raw text.

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


def _key_lines(text: str) -> dict[_KeyPath, int]:
    """Map each key path of a TOML document to the line (from 1) that defines it.

    A best-effort scanner for error messages: tables, arrays of tables, dotted keys and
    inline tables on one line of a multi-line array are found; anything it cannot follow
    is simply not mapped (the error then names the nearest enclosing key's line).
    """
    lines: dict[_KeyPath, int] = {}
    arrays: dict[_KeyPath, int] = {}
    table: _KeyPath = ()
    in_string = ""
    array_path: _KeyPath | None = None
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


def _resolve(parts: list[str], arrays: Mapping[_KeyPath, int]) -> _KeyPath:
    """The key path of a table header, with the current index of each array of tables in it."""
    path: _KeyPath = ()
    for part in parts:
        path = (*path, part)
        if path in arrays:
            path = (*path, arrays[path])
    return path


def _dotted(path: _KeyPath) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            shown = part if re.fullmatch(_BARE, part) else f'"{part}"'
            text += f".{shown}" if text else shown
    return text or "(top level)"


# ---------------------------------------------------------------------------------------------
# Validation.

_NOTHING: Any = object()

_TOP_KEYS = ("creditor", "journal", "law", "policies", "policy", "sources", "templates")
_CREDITOR_KEYS = (
    "address", "bic", "email", "iban", "name", "payment_link", "phone", "signatory", "siren",
)  # fmt: skip
_ADDRESS_KEYS = ("city", "country", "lines", "postal_code")
_POLICY_KEYS = (
    "business_days_only", "holidays", "min_balance", "min_gap_days", "name", "preset", "steps",
)  # fmt: skip
_STEP_KEYS = ("channel", "include_penalties", "key", "offset_days", "template")
_SOURCE_KEYS = ("clients", "encoding", "facturx", "invoices", "payments")
_LAW_KEYS = ("legal_interest", "mro")
_MRO_KEYS = ("known_through", "rate", "source", "start")
_LEGAL_KEYS = ("private_creditor_rate", "rate", "source", "start")

#: Where the journal goes when the config does not say (next to the config file).
DEFAULT_JOURNAL = "relance-journal.sqlite"


class _Reader:
    """Validates the parsed TOML document, naming file, line and key in every error."""

    def __init__(self, text: str, source: str, base_dir: Path | None) -> None:
        self.source = source
        self.base_dir = base_dir
        self.lines = _key_lines(text)

    # -- errors ------------------------------------------------------------------------------

    def line(self, path: _KeyPath) -> int | None:
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None

    def error(self, path: _KeyPath, message: str, value: Any = _NOTHING) -> ConfigError:
        line = self.line(path)
        where = f"{self.source}:{line}" if line is not None else self.source
        key = _dotted(path)
        shown = "" if value is _NOTHING else f"{_show(value)} "
        error = ConfigError(f"{where}: {key}: {shown}{message}")
        error.field = key
        error.value = None if value is _NOTHING else value
        return error

    # -- typed getters -------------------------------------------------------------------------

    def table(self, path: _KeyPath, value: Any, known: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(path, f"must be a table, not {_kind(value)}", value)
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise self.error(
                    (*path, key), f"unknown key ({hint}known keys: {', '.join(known)})"
                )
        return value

    def string(self, path: _KeyPath, value: Any) -> str:
        if not isinstance(value, str):
            raise self.error(path, f"must be a string, not {_kind(value)}", value)
        if not value.strip():
            raise self.error(path, "must not be empty", value)
        return value

    def optional_string(self, table: Mapping[str, Any], path: _KeyPath, key: str) -> str | None:
        if key not in table:
            return None
        return self.string((*path, key), table[key])

    def integer(self, path: _KeyPath, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(path, f"must be a whole number, not {_kind(value)}", value)
        return value

    def boolean(self, path: _KeyPath, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(path, f"must be true or false, not {_kind(value)}", value)
        return value

    def decimal(self, path: _KeyPath, value: Any) -> Decimal:
        # Floats are parsed as Decimal (parse_float=Decimal): 12.50 is read exactly.
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
            raise self.error(path, f"must be a number such as 12.50, not {_kind(value)}", value)
        try:
            number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
        except ArithmeticError:
            raise self.error(path, "is not a number such as 12.50", value) from None
        if not number.is_finite():
            raise self.error(path, "must be a finite number", value)
        return number

    def date(self, path: _KeyPath, value: Any) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.error(path, "must be a date such as 2026-07-01", value)

    def path(self, path: _KeyPath, value: Any) -> Path:
        text = self.string(path, value)
        if "\x00" in text:
            raise self.error(path, "is not a valid path", value)
        found = Path(text)  # "~" is not expanded: the library reads no environment
        if not found.is_absolute() and self.base_dir is not None:
            found = self.base_dir / found
        return found

    # -- sections ------------------------------------------------------------------------------

    def config(self, data: dict[str, Any]) -> Config:
        self.table((), data, _TOP_KEYS)
        if "creditor" not in data:
            raise self.error(("creditor",), "is required: the [creditor] table is missing")
        creditor = self.creditor(data["creditor"])
        default = self.default_policy(data.get("policy", _NOTHING))
        segments = self.segments(data.get("policies", _NOTHING), data.get("policy", _NOTHING))
        journal = self.path(("journal",), data.get("journal", DEFAULT_JOURNAL))
        templates = self.path(("templates",), data["templates"]) if "templates" in data else None
        sources = self.sources(data.get("sources", {}))
        rates = self.read_law(data["law"]) if "law" in data else None
        return Config(
            creditor,
            SegmentPolicies(default, segments),
            journal,
            sources,
            templates,
            rates,
        )

    def creditor(self, value: Any) -> Creditor:
        path: _KeyPath = ("creditor",)
        table = self.table(path, value, _CREDITOR_KEYS)
        for key in ("name", "address"):
            if key not in table:
                raise self.error((*path, key), "is required")
        for key in _CREDITOR_KEYS:
            if key != "address" and key in table:
                self.string((*path, key), table[key])
        address = self.table((*path, "address"), table["address"], _ADDRESS_KEYS)
        for key in ("lines", "postal_code", "city"):
            if key not in address:
                raise self.error((*path, "address", key), "is required")
        lines = address["lines"]
        if isinstance(lines, str):
            lines = [lines]
        if not isinstance(lines, list) or not lines:
            raise self.error(
                (*path, "address", "lines"), 'must be a list of street lines such as ["12 rue X"]'
            )
        for index, line in enumerate(lines):
            self.string((*path, "address", "lines", index), line)
        for key in ("postal_code", "city", "country"):
            if key in address:
                self.string((*path, "address", key), address[key])
        try:
            return Creditor.from_mapping({**table, "address": {**address, "lines": lines}})
        except RelanceError as exc:
            raise self.model_error(exc, path) from None

    def model_error(self, exc: RelanceError, path: _KeyPath) -> ConfigError:
        """Translate a model validation error (``Creditor.iban: ...``) to the config's key."""
        field = exc.field or ""
        owner, _dot, name = field.partition(".")
        sub: _KeyPath
        if owner == "Address":
            sub = (*path, "address", name)
        elif owner in ("Creditor", "Step", "ReminderPolicy") and name:
            sub = (*path, name)
        else:
            sub = path
        return self.error(sub, *_reason(exc))

    def default_policy(self, value: Any) -> ReminderPolicy:
        if value is _NOTHING:
            return ReminderPolicy.french_default()
        if isinstance(value, str):
            return self.preset(("policy",), value)()
        return self.policy(("policy",), value, base=None, name="default")

    def preset(self, path: _KeyPath, value: Any) -> Callable[..., ReminderPolicy]:
        name = self.string(path, value)
        if name not in PRESETS:
            raise self.error(path, f"is not a known policy (known: {', '.join(PRESETS)})", value)
        return PRESETS[name]

    def segments(self, value: Any, base: Any) -> dict[str, ReminderPolicy]:
        if value is _NOTHING:
            return {}
        path: _KeyPath = ("policies",)
        if not isinstance(value, dict):
            raise self.error(path, f"must hold [policies.<segment>] tables, not {_kind(value)}")
        inherited = {"preset": base} if isinstance(base, str) else base
        if inherited is _NOTHING:
            inherited = {"preset": "french_default"}
        out: dict[str, ReminderPolicy] = {}
        for segment, table in value.items():
            if not isinstance(table, dict):
                raise self.error(
                    (*path, segment), f"must be a table [policies.{segment}], not {_kind(table)}"
                )
            out[segment] = self.policy((*path, segment), table, base=inherited, name=segment)
        return out

    def policy(
        self, path: _KeyPath, value: Any, *, base: Mapping[str, Any] | None, name: str
    ) -> ReminderPolicy:
        """A policy table; a segment's table takes the keys it does not set from ``base``."""
        own = self.table(path, value, _POLICY_KEYS)
        if "preset" in own and "steps" in own:
            raise self.error((*path, "steps"), "give either 'preset' or 'steps', not both")
        merged: dict[str, tuple[_KeyPath, Any]] = {}
        replaces_steps = "preset" in own or "steps" in own
        if base is not None:
            for key, item in base.items():
                if key == "name" or (key in ("preset", "steps") and replaces_steps):
                    continue
                merged[key] = (("policy", key), item)
        for key, item in own.items():
            merged[key] = ((*path, key), item)
        options: dict[str, Any] = {}
        if "min_gap_days" in merged:
            key_path, item = merged["min_gap_days"]
            options["min_gap_days"] = self.integer(key_path, item)
        if "min_balance" in merged:
            key_path, item = merged["min_balance"]
            options["min_balance"] = self.decimal(key_path, item)
        if "business_days_only" in merged:
            key_path, item = merged["business_days_only"]
            options["business_days_only"] = self.boolean(key_path, item)
        if "holidays" in merged:
            key_path, item = merged["holidays"]
            options["holidays"] = self.string(key_path, item)
        policy_name = name
        if "name" in own:
            policy_name = self.string((*path, "name"), own["name"])
        try:
            if "steps" in merged:
                key_path, item = merged["steps"]
                steps = self.steps(key_path, item)
                return ReminderPolicy(policy_name, steps, **options)
            if "preset" in merged:
                key_path, item = merged["preset"]
                chosen = self.preset(key_path, item)(**options)
                # A segment's policy is named after its segment, unless it says otherwise.
                renamed = "name" in own or base is not None
                return attrs.evolve(chosen, name=policy_name) if renamed else chosen
        except RelanceError as exc:
            if isinstance(exc, ConfigError):
                raise
            field = exc.field or ""
            key = "holidays" if field == "Calendar.code" else field.partition(".")[2]
            target = path
            merged_target = merged.get(key)
            if merged_target is not None and key != "steps":
                target = merged_target[0]
            raise self.error(target, *_reason(exc)) from None
        raise self.error(path, 'needs either preset = "french_default" or a list of [[steps]]')

    def steps(self, path: _KeyPath, value: Any) -> tuple[Step, ...]:
        if not isinstance(value, list) or not value:
            raise self.error(path, "must be a non-empty list of steps ([[policy.steps]] tables)")
        steps: list[Step] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(value):
            item_path = (*path, index)
            table = self.table(item_path, item, _STEP_KEYS)
            for key in ("key", "offset_days", "channel"):
                if key not in table:
                    raise self.error((*item_path, key), "is required")
            key = self.string((*item_path, "key"), table["key"])
            if key in seen:
                raise self.error(
                    (*item_path, "key"), f"is used twice (also step {seen[key] + 1})", key
                )
            seen[key] = index
            offset = self.integer((*item_path, "offset_days"), table["offset_days"])
            if steps and offset <= steps[-1].offset_days:
                raise self.error(
                    (*item_path, "offset_days"),
                    f"is out of order: steps must have increasing offsets, and step "
                    f"{steps[-1].key!r} before it has offset_days = {steps[-1].offset_days}",
                    offset,
                )
            channel_text = self.string((*item_path, "channel"), table["channel"])
            try:
                channel = Channel(channel_text)
            except ValueError:
                known = ", ".join(c.value for c in Channel)
                raise self.error(
                    (*item_path, "channel"), f"is not a channel (known: {known})", channel_text
                ) from None
            template = self.optional_string(table, item_path, "template")
            penalties = (
                self.boolean((*item_path, "include_penalties"), table["include_penalties"])
                if "include_penalties" in table
                else False
            )
            try:
                steps.append(
                    Step(key, offset, channel, template=template, include_penalties=penalties)
                )
            except RelanceError as exc:
                raise self.model_error(exc, item_path) from None
        return tuple(steps)

    def sources(self, value: Any) -> Sources:
        path: _KeyPath = ("sources",)
        table = self.table(path, value, _SOURCE_KEYS)
        found: dict[str, Any] = {}
        for key in ("clients", "invoices", "payments", "facturx"):
            if key in table:
                found[key] = self.path((*path, key), table[key])
        if "encoding" in table:
            encoding = self.string((*path, "encoding"), table["encoding"])
            if encoding != "auto":
                try:
                    "".encode(encoding)
                except LookupError:
                    raise self.error(
                        (*path, "encoding"), "is not an encoding Python knows", encoding
                    ) from None
                found["encoding"] = encoding
        if "invoices" in found and "clients" not in found:
            raise self.error((*path, "invoices"), "needs a clients file (sources.clients) too")
        if "payments" in found and "invoices" not in found:
            raise self.error((*path, "payments"), "needs an invoices file to match payments to")
        return Sources(**found)

    def read_law(self, value: Any) -> law.Rates:
        path: _KeyPath = ("law",)
        table = self.table(path, value, _LAW_KEYS)
        rates = law.DEFAULT_RATES
        for key, known in (("mro", _MRO_KEYS), ("legal_interest", _LEGAL_KEYS)):
            rows = table.get(key, [])
            if not isinstance(rows, list):
                raise self.error((*path, key), f"must be a list of [[law.{key}]] tables")
            for index, row in enumerate(rows):
                rates = self.rate_row((*path, key, index), row, known, rates)
        return rates

    def rate_row(
        self, path: _KeyPath, value: Any, known: tuple[str, ...], rates: law.Rates
    ) -> law.Rates:
        row = self.table(path, value, known)
        for key in ("start", "rate", "source"):
            if key not in row:
                raise self.error((*path, key), "is required")
        start = self.date((*path, "start"), row["start"])
        rate = self.decimal((*path, "rate"), row["rate"])
        source = self.string((*path, "source"), row["source"])
        try:
            if path[1] == "mro":
                through = (
                    self.date((*path, "known_through"), row["known_through"])
                    if "known_through" in row
                    else None
                )
                return rates.with_mro(start, rate, source=source, known_through=through)
            private = (
                self.decimal((*path, "private_creditor_rate"), row["private_creditor_rate"])
                if "private_creditor_rate" in row
                else None
            )
            return rates.with_legal_rate(start, rate, source=source, private_creditor_rate=private)
        except RelanceError as exc:
            key = (exc.field or "").rpartition(".")[2]
            target = (*path, key) if key in known else path
            raise self.error(target, *_reason(exc)) from None


def _reason(exc: RelanceError) -> tuple[str, Any]:
    """The message of a library error without its ``field: value`` prefix, and the value."""
    message = str(exc)
    field = exc.field
    if not field or not message.startswith(f"{field}: "):
        return message, _NOTHING
    message = message[len(field) + 2 :]
    text = repr(exc.value)
    shown = text if len(text) <= 80 else text[:77] + "..."
    if message.startswith(f"{shown} "):
        return message[len(shown) + 1 :], exc.value
    return message, _NOTHING


def _kind(value: Any) -> str:
    names = {
        bool: "a boolean", int: "an integer", Decimal: "a number", str: "a string",
        list: "a list", dict: "a table", dt.date: "a date", dt.datetime: "a date-time",
        dt.time: "a time",
    }  # fmt: skip
    return names.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


#: The commented example ``relance init`` writes (it loads as is).
EXAMPLE_CONFIG = """\
# relance.toml — configuration of the `relance` command (relancelib).
# Reference of every key: docs/config.md. Relative paths are read from this file's folder.

# Where the journal of the reminders sent is kept (SQLite file, created on first use).
# It is the evidence trail: what was sent, when, by which channel, with which reference.
journal = "relance-journal.sqlite"

# A folder of templates overriding the built-in French ones: <step key>.j2 files.
# templates = "modeles"

# ---------------------------------------------------------------------------------------------
# The business that sends the reminders (printed on every letter).
[creditor]
name = "Atelier Dupont SARL"
siren = "732829320"                          # checked (Luhn key)
iban = "FR76 3000 6000 0112 3456 7890 189"   # checked (ISO 13616 key)
bic = "AGRIFRPP"
email = "compta@atelier-dupont.fr"
phone = "04 72 00 00 00"
payment_link = "https://paiement.atelier-dupont.fr"   # optional, https:// only
signatory = "Marie Dupont, gérante"                   # optional

[creditor.address]
lines = ["12 rue de la République"]
postal_code = "69002"
city = "Lyon"
# country = "FR"

# ---------------------------------------------------------------------------------------------
# The escalation. Either a preset:
[policy]
preset = "french_default"   # courtoisie -5, relance_1 +1, appel +8, relance_2 +15,
                            # lettre_relance +30, mise_en_demeure +45 (days from the due date)
min_gap_days = 5            # at least 5 days between two actions for a client
min_balance = 15.00         # balances of 15,00 € or less are not chased
business_days_only = true   # nothing on weekends and public holidays...
holidays = "FR"             # ...of this calendar ("FR-57", "FR-67", "FR-68" for Alsace-Moselle)

# ...or your own steps, in increasing order of offset (remove `preset` above):
# [[policy.steps]]
# key = "relance_1"          # also the template name unless `template` is given
# offset_days = 3            # days after the due date (negative: before it)
# channel = "email"          # email, phone, sms, letter, registered_letter
# [[policy.steps]]
# key = "mise_en_demeure"
# offset_days = 30
# channel = "registered_letter"
# include_penalties = true   # late-payment penalties and the 40 € indemnity

# A softer policy for the clients of one segment (the `segment` column of the clients file).
# Keys not given here are taken from [policy].
[policies.vip]
min_gap_days = 10

# ---------------------------------------------------------------------------------------------
# Where the invoices come from (see docs/import.md for the CSV columns).
[sources]
clients = "clients.csv"
invoices = "factures.csv"
payments = "reglements.csv"     # optional
# facturx = "factures-pdf"      # a folder of Factur-X PDF / CII XML invoices
# encoding = "auto"             # or "utf-8", "cp1252"

# ---------------------------------------------------------------------------------------------
# Rates published after this version of relancelib (the shipped tables stop at a known date).
# [[law.mro]]                   # ECB main refinancing rate, by date of effect
# start = 2026-07-01
# rate = 2.15
# source = "BCE, taux des opérations principales de refinancement"
# [[law.legal_interest]]        # legal interest rate of a half-year (CMF L313-2)
# start = 2026-07-01
# rate = 2.50                   # "all other cases"
# private_creditor_rate = 6.50  # optional
# source = "arrêté du ... fixant le taux de l'intérêt légal"
"""


def _toml_string(text: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(text, ensure_ascii=False)


def _creditor_block(creditor: Creditor) -> str:
    lines = ["[creditor]", f"name = {_toml_string(creditor.name)}"]
    for key in ("siren", "iban", "bic", "email", "phone", "payment_link", "signatory"):
        value = getattr(creditor, key)
        if key == "iban":
            value = creditor.formatted_iban
        if value is not None:
            lines.append(f"{key} = {_toml_string(value)}")
    address = creditor.address
    lines += [
        "",
        "[creditor.address]",
        f"lines = [{', '.join(_toml_string(line) for line in address.lines)}]",
        f"postal_code = {_toml_string(address.postal_code)}",
        f"city = {_toml_string(address.city)}",
        f"country = {_toml_string(address.country)}",
    ]
    return "\n".join(lines) + "\n"


def _segment_block(segment: str, policy: ReminderPolicy) -> str:
    lines = [
        f"[policies.{segment}]",
        f"min_gap_days = {policy.min_gap_days}",
        f"min_balance = {policy.min_balance}",
        f"business_days_only = {'true' if policy.business_days_only else 'false'}",
        f"holidays = {_toml_string(policy.holidays)}",
    ]
    for step in policy.steps:
        lines += [
            "",
            f"[[policies.{segment}.steps]]",
            f"key = {_toml_string(step.key)}",
            f"offset_days = {step.offset_days}",
            f"channel = {_toml_string(step.channel.value)}",
        ]
        if step.template is not None:
            lines.append(f"template = {_toml_string(step.template)}")
        if step.include_penalties:
            lines.append("include_penalties = true")
    return "\n".join(lines) + "\n"


def example_config(
    *,
    creditor: Creditor | None = None,
    segments: Mapping[str, ReminderPolicy] | None = None,
) -> str:
    """The commented example config, with ``creditor`` and per-segment ``segments`` policies
    written in when given (``relance init --sample`` uses the sample portfolio's)."""
    text = EXAMPLE_CONFIG
    if creditor is not None:
        start = text.index("[creditor]\n")
        end = text.index("# ----", start)
        text = text[:start] + _creditor_block(creditor) + "\n" + text[end:]
    if segments is not None:
        old = "[policies.vip]\nmin_gap_days = 10\n"
        blocks = "\n".join(_segment_block(name, segments[name]) for name in sorted(segments))
        text = text.replace(old, blocks)
    return text
