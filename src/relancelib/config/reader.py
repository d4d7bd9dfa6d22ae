"""The typed reader of a parsed ``relance.toml``: every error names the file, line and key.

The value rules are the library's (:mod:`relancelib.checks`, :mod:`relancelib.parsing`,
the model's validators); this reader only says them in the config's words and at the
config's key (``relance.toml:14: policy.steps[3].offset_days: 5 is out of order: ...``).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from relancelib import law
from relancelib.checks import check_bool, check_decimal, check_integer, check_text
from relancelib.config.model import DEFAULT_JOURNAL, Config, Sources
from relancelib.config.positions import KeyPath, dotted, key_lines
from relancelib.config.smtp import read_smtp
from relancelib.config.sources import _SOURCE_KEYS as _SOURCE_KEYS
from relancelib.config.sources import read_sources
from relancelib.errors import ConfigError, RelanceError
from relancelib.model import Creditor
from relancelib.parsing import parse_amount, parse_date
from relancelib.policy import Channel, ReminderPolicy, SegmentPolicies, Step

__all__ = ["PRESETS", "Reader"]

#: The names a policy may take as ``preset``.
PRESETS: Mapping[str, Callable[..., ReminderPolicy]] = MappingProxyType(
    {"french_default": ReminderPolicy.french_default}
)

_NOTHING: Any = object()

# The keys of each table (docs/config.md documents each; a test checks it).
_TOP_KEYS = ("creditor", "journal", "law", "policies", "policy", "smtp", "sources", "templates")
_CREDITOR_KEYS = (
    "address", "bic", "email", "iban", "name", "payment_link", "phone", "signatory", "siren",
)  # fmt: skip
_ADDRESS_KEYS = ("city", "country", "lines", "postal_code")
_POLICY_KEYS = (
    "business_days_only", "holidays", "min_balance", "min_gap_days", "name", "preset", "steps",
)  # fmt: skip
_STEP_KEYS = ("channel", "include_penalties", "key", "offset_days", "template")
_LAW_KEYS = ("legal_interest", "mro")
_MRO_KEYS = ("known_through", "rate", "source", "start")
_LEGAL_KEYS = ("private_creditor_rate", "rate", "source", "start")


class Reader:
    """Validates the parsed TOML document, naming file, line and key in every error."""

    def __init__(self, text: str, source: str, base_dir: Path | None) -> None:
        self.source = source
        self.base_dir = base_dir
        self.lines = key_lines(text)

    # -- errors ------------------------------------------------------------------------------

    def line(self, path: KeyPath) -> int | None:
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None

    def error(self, path: KeyPath, message: str, value: Any = _NOTHING) -> ConfigError:
        line = self.line(path)
        where = f"{self.source}:{line}" if line is not None else self.source
        key = dotted(path)
        shown = "" if value is _NOTHING else f"{_show(value)} "
        error = ConfigError(f"{where}: {key}: {shown}{message}")
        error.field = key
        error.value = None if value is _NOTHING else value
        return error

    def refused(self, path: KeyPath, exc: RelanceError) -> ConfigError:
        """A library error (``Creditor.iban: '…' is not a valid IBAN``) said at ``path``: its
        bare reason, and the refused value when the error named one."""
        if exc.field is None:
            return self.error(path, str(exc))
        return self.error(path, exc.reason, _NOTHING if exc.value is None else exc.value)

    def model_error(self, exc: RelanceError, path: KeyPath) -> ConfigError:
        """Translate a model validation error (``Creditor.iban: ...``) to the config's key."""
        field = exc.field or ""
        owner, _dot, name = field.partition(".")
        sub: KeyPath
        if owner == "Address":
            sub = (*path, "address", name)
        elif owner in ("Creditor", "Step", "ReminderPolicy") and name:
            sub = (*path, name)
        else:
            sub = path
        return self.refused(sub, exc)

    # -- typed getters: the library's checks, in the config's words ----------------------------

    def table(self, path: KeyPath, value: Any, known: tuple[str, ...]) -> dict[str, Any]:
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

    def string(self, path: KeyPath, value: Any) -> str:
        try:
            return check_text(value, dotted(path))
        except RelanceError as exc:
            typed = isinstance(value, str)
            reason = exc.reason if typed else f"must be a string, not {_kind(value)}"
            raise self.error(path, reason, value) from None

    def optional_string(self, table: Mapping[str, Any], path: KeyPath, key: str) -> str | None:
        if key not in table:
            return None
        return self.string((*path, key), table[key])

    def integer(self, path: KeyPath, value: Any) -> int:
        try:
            return check_integer(value, dotted(path))
        except RelanceError:
            raise self.error(path, f"must be a whole number, not {_kind(value)}", value) from None

    def boolean(self, path: KeyPath, value: Any) -> bool:
        try:
            return check_bool(value, dotted(path))
        except RelanceError:
            raise self.error(path, f"must be true or false, not {_kind(value)}", value) from None

    def decimal(self, path: KeyPath, value: Any) -> Decimal:
        # TOML floats are parsed as Decimal (parse_float=Decimal): 12.50 is read exactly; a
        # number written as a string is read as outside words ("12,50" too).
        if isinstance(value, str):
            try:
                return parse_amount(value, dotted(path))
            except RelanceError:
                raise self.error(path, "is not a number such as 12.50", value) from None
        try:
            return check_decimal(value, dotted(path))
        except RelanceError as exc:
            typed = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
            reason = exc.reason if typed else f"must be a number such as 12.50, not {_kind(value)}"
            raise self.error(path, reason, value) from None

    def date(self, path: KeyPath, value: Any) -> dt.date:
        # A TOML date, or a date written as a string (2026-07-01, 01/07/2026).
        try:
            return parse_date(value, dotted(path))
        except RelanceError:
            raise self.error(path, "must be a date such as 2026-07-01", value) from None

    def path(self, path: KeyPath, value: Any) -> Path:
        found = Path(self.string(path, value))  # "~" is not expanded: no environment is read
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
        smtp = read_smtp(self, data["smtp"]) if "smtp" in data else None
        return Config(
            creditor,
            SegmentPolicies(default, segments),
            journal,
            sources,
            templates,
            rates,
            smtp=smtp,
        )

    def creditor(self, value: Any) -> Creditor:
        path: KeyPath = ("creditor",)
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

    def default_policy(self, value: Any) -> ReminderPolicy:
        if value is _NOTHING:
            return ReminderPolicy.french_default()
        if isinstance(value, str):
            return self.preset(("policy",), value)()
        return self.policy(("policy",), value, base=None, name="default")

    def preset(self, path: KeyPath, value: Any) -> Callable[..., ReminderPolicy]:
        name = self.string(path, value)
        if name not in PRESETS:
            raise self.error(path, f"is not a known policy (known: {', '.join(PRESETS)})", value)
        return PRESETS[name]

    def segments(self, value: Any, base: Any) -> dict[str, ReminderPolicy]:
        if value is _NOTHING:
            return {}
        path: KeyPath = ("policies",)
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
        self, path: KeyPath, value: Any, *, base: Mapping[str, Any] | None, name: str
    ) -> ReminderPolicy:
        """A policy table; a segment's table takes the keys it does not set from ``base``."""
        own = self.table(path, value, _POLICY_KEYS)
        if "preset" in own and "steps" in own:
            raise self.error((*path, "steps"), "give either 'preset' or 'steps', not both")
        merged: dict[str, tuple[KeyPath, Any]] = {}
        replaces_steps = "preset" in own or "steps" in own
        if base is not None:
            for key, item in base.items():
                if key == "name" or (key in ("preset", "steps") and replaces_steps):
                    continue
                merged[key] = (("policy", key), item)
        for key, item in own.items():
            merged[key] = ((*path, key), item)
        options: dict[str, Any] = {}
        readers: dict[str, Callable[[KeyPath, Any], Any]] = {
            "min_gap_days": self.integer,
            "min_balance": self.decimal,
            "business_days_only": self.boolean,
            "holidays": self.string,
        }
        for key, read in readers.items():
            if key in merged:
                options[key] = read(*merged[key])
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
            raise self.refused(target, exc) from None
        raise self.error(path, 'needs either preset = "french_default" or a list of [[steps]]')

    def steps(self, path: KeyPath, value: Any) -> tuple[Step, ...]:
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
        return read_sources(self, value)

    def read_law(self, value: Any) -> law.Rates:
        path: KeyPath = ("law",)
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
        self, path: KeyPath, value: Any, known: tuple[str, ...], rates: law.Rates
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
            raise self.refused(target, exc) from None


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
