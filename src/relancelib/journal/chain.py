"""The hash chain that makes a journal tamper-evident, and erasable without breaking it.

Every change to a journal (a record, a claim, its release, an amendment, an event, a
forgetting) is appended as one :class:`ChainEntry`.  Each field of an entry is stored with a
random nonce; the entry's hash covers the previous entry's hash and the *digest* of each
field (``sha256(nonce, value)``), never the value itself.  So erasing a field's value and nonce
(GDPR: :meth:`~relancelib.journal.SqliteJournal.forget`) keeps its digest, and the chain
still verifies; changing any value, deleting or reordering an entry breaks it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from relancelib.checks import check_integer
from relancelib.errors import InvalidFieldError

__all__ = [
    "GENESIS",
    "PERSONAL_FIELDS",
    "ChainEntry",
    "Verification",
    "canonical",
    "entry_hash",
    "erase_body",
    "field_digest",
    "pseudonym",
    "seal",
    "verify_chain",
]

#: The "previous hash" of the first entry.
GENESIS = "0" * 64

#: The fields ``forget`` erases: what can name or reach a person.
PERSONAL_FIELDS = frozenset(
    {"client_id", "reference", "target", "note", "lrar", "who", "reason", "why", "for_client"}
)


def canonical(value: object) -> str:
    """``value`` as canonical JSON (sorted keys, no spaces): what is hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def field_digest(nonce: str, value: object) -> str:
    """The digest of one field: ``sha256(nonce, canonical JSON of value)``."""
    return hashlib.sha256(f"{nonce}\x1f{canonical(value)}".encode()).hexdigest()


def pseudonym(digest: str) -> str:
    """What an erased client id becomes in the journal's tables."""
    return f"forgotten-{digest[:16]}"


def seal(fields: Mapping[str, object]) -> dict[str, dict[str, Any]]:
    """The stored body of an entry: each field with a fresh random nonce."""
    return {name: {"n": os.urandom(16).hex(), "v": value} for name, value in fields.items()}


def _digests(body: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    digests = {}
    for name, cell in body.items():
        if "h" in cell:
            digests[name] = str(cell["h"])
        else:
            digests[name] = field_digest(str(cell["n"]), cell["v"])
    return digests


def entry_hash(prev: str, seq: int, kind: str, key: str, body: Mapping[str, Any]) -> str:
    """The hash of an entry: its place, its kind, its key and the digests of its fields."""
    digests = _digests(body)
    return hashlib.sha256(
        canonical({"prev": prev, "seq": seq, "kind": kind, "key": key, "fields": digests}).encode()
    ).hexdigest()


def erase_body(body: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """``body`` with its personal fields replaced by their digests (value and nonce gone)."""
    out: dict[str, dict[str, Any]] = {}
    for name, cell in body.items():
        if name in PERSONAL_FIELDS and "h" not in cell and cell.get("v") is not None:
            out[name] = {"h": field_digest(str(cell["n"]), cell["v"])}
        else:
            out[name] = dict(cell)
    return out


def _frozen(body: object) -> Mapping[str, Mapping[str, Any]]:
    if not isinstance(body, Mapping) or not all(
        isinstance(name, str) and isinstance(cell, Mapping) for name, cell in body.items()
    ):
        raise InvalidFieldError(
            "must map each field name to a mapping", field="ChainEntry.body", value=body
        )
    return MappingProxyType({name: MappingProxyType(dict(cell)) for name, cell in body.items()})


def _check_int(_inst: Any, _attr: Any, value: Any) -> None:
    check_integer(value, "ChainEntry.seq")


def _check_str(_inst: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        field = f"ChainEntry.{attribute.name}"
        raise InvalidFieldError("must be a string", field=field, value=value)


@attrs.frozen
class ChainEntry:
    """One change to a journal, as the chain holds it.

    ``kind`` is ``record``, ``claim``, ``release``, ``amend``, ``event`` or ``forget``;
    ``body`` maps each field to ``{"n": nonce, "v": value}``, or to ``{"h": digest}`` once
    erased.
    """

    seq: int = attrs.field(validator=_check_int)
    kind: str = attrs.field(validator=_check_str)
    key: str = attrs.field(validator=_check_str)
    body: Mapping[str, Mapping[str, Any]] = attrs.field(converter=_frozen)
    prev: str = attrs.field(validator=_check_str)
    hash: str = attrs.field(validator=_check_str)

    @property
    def values(self) -> dict[str, Any]:
        """Each field's value (``None`` for an erased one)."""
        return {name: cell.get("v") for name, cell in self.body.items()}

    @property
    def erased(self) -> frozenset[str]:
        """The names of the fields erased by ``forget``."""
        return frozenset(name for name, cell in self.body.items() if "h" in cell)

    def digest(self, name: str) -> str:
        """The digest of field ``name`` (kept when the value is erased)."""
        return _digests({name: self.body[name]})[name]

    def to_json(self) -> dict[str, Any]:
        """The entry as plain JSON (the evidence dossier's ``records.json``)."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "key": self.key,
            "fields": {name: dict(cell) for name, cell in self.body.items()},
            "prev": self.prev,
            "hash": self.hash,
        }


@attrs.frozen
class Verification:
    """What :meth:`verify` found: ``ok`` when the chain is whole and every table agrees
    with it; ``head`` is the last entry's hash (note it elsewhere: a truncated journal
    then shows)."""

    entries: int
    head: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok


def verify_chain(entries: Iterable[ChainEntry]) -> tuple[list[str], str, int]:
    """The problems of a chain, its head hash and its length: consecutive places, each
    entry linked to the previous one, each hash recomputed from the fields."""
    problems: list[str] = []
    prev = GENESIS
    count = 0
    for expected, entry in enumerate(entries, start=1):
        count += 1
        if entry.seq != expected:
            problems.append(f"entry {entry.seq}: expected entry {expected} (one missing or moved)")
        if entry.prev != prev:
            problems.append(f"entry {entry.seq}: not linked to the entry before it")
        try:
            computed = entry_hash(entry.prev, entry.seq, entry.kind, entry.key, entry.body)
        except (KeyError, TypeError, ValueError, AttributeError):
            problems.append(f"entry {entry.seq}: malformed")
            computed = ""
        if computed != entry.hash:
            problems.append(f"entry {entry.seq} ({entry.kind} {entry.key}): hash does not match")
        prev = entry.hash
    return problems, prev, count
