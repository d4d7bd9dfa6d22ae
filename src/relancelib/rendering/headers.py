"""E-mail header values encoded (RFC 2047) and folded (RFC 5322) once, when they are set.

The standard library's header objects parse a value when it is set and fold it again each
time the message is written; both walk a parse tree in pure Python (≈ 1 ms an e-mail, most
of ``as_bytes()``).  :class:`Header` is a header object as the :mod:`email` API expects one
(``msg["Subject"] = Header(...)``, ``policy.fold``): its text is the value, its wire form is
computed here, once, with plain string operations: ASCII words as they are, words with other
characters as UTF-8 ``q`` encoded words, lines folded at spaces under 78 characters.  Any
value outside the common cases (non-ASCII local parts, very long tokens) is folded by the
standard library's own header classes instead.  A reader decodes either to the same value.
"""

from __future__ import annotations

import email.policy
import re
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.policy import Policy
from typing import Any

__all__ = ["POLICY", "Header", "address_header", "plain_header", "text_header"]

# The longest line written (RFC 5322 2.1.1 recommends 78 characters, CRLF excluded).
_MAX_LINE = 78
# The longest encoded word (RFC 2047 2): "=?utf-8?q?" + text + "?=".
_MAX_WORD = 75
_WORD_START = "=?utf-8?q?"
_TEXT_ROOM = _MAX_WORD - len(_WORD_START) - 2
# The longest ASCII word written as it is (a longer one goes in encoded words, which fold).
_LONGEST_WORD = 60
# RFC 2047 5(3): what a "q" encoded word in a phrase may hold as is; a space becomes "_".
_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
_Q = tuple(
    "_" if byte == 0x20 else chr(byte) if byte in _Q_SAFE else f"={byte:02X}" for byte in range(256)
)
# RFC 5322 3.2.3: the characters a display name can hold unquoted (atext and spaces).
# The "q" code of a UTF-8 continuation byte starts with one of these.
_CONT = ("=8", "=9", "=A", "=B")
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_PRINTABLE = re.compile(r"[\x21-\x7e]+( [\x21-\x7e]+)*")


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, each header class built once (``HeaderRegistry``
    creates a new class for every header it parses)."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __reduce__(self) -> tuple[type[_HeaderClasses], tuple[()]]:
        # The classes it made are made on the fly (not picklable): a copy starts afresh.
        return type(self), ()

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls


#: The policy of the e-mails: :data:`email.policy.default` with the header classes cached.
POLICY = email.policy.default.clone(header_factory=_HeaderClasses())


class Header(str):
    """A header value set once, written as encoded and folded then.

    Its text is the value as a reader decodes it (``msg["Subject"] == subject``); ``fold``
    returns the wire form (``policy.fold`` calls it); any other attribute of the standard
    library's header objects (``addresses``, ``params``…) comes from parsing the wire form,
    on first use.
    """

    name: str
    _wire: str
    _parsed: BaseHeader | None

    def __new__(cls, name: str, value: str, wire: str) -> Header:
        self = super().__new__(cls, value)
        self.name, self._wire, self._parsed = name, wire, None
        return self

    def __getnewargs__(self) -> tuple[str, str, str]:  # type: ignore[override]
        return self.name, str(self), self._wire

    def __getstate__(self) -> dict[str, object]:
        # The parsed header's class is made on the fly by the registry: not picklable.
        return {"name": self.name, "_wire": self._wire, "_parsed": None}

    def fold(self, *, policy: Policy) -> str:
        """``Name: value`` as written, lines ended by the policy's line separator."""
        wire = f"{self.name}: {self._wire}\n"
        return wire if policy.linesep == "\n" else wire.replace("\n", policy.linesep)

    def __getattr__(self, attribute: str) -> Any:
        # Only for what str has not: the standard header object's attributes.
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        if self._parsed is None:
            unfolded = re.sub(r"\n(?=[ \t])", "", self._wire)
            self._parsed = POLICY.header_factory(self.name, unfolded)
        return getattr(self._parsed, attribute)


def _fallback(name: str, value: object) -> Header:
    """The standard library's encoding and folding, for the values this module leaves to it."""
    parsed = POLICY.header_factory(name, value)
    wire = parsed.fold(policy=POLICY)[len(name) + 2 :].rstrip("\n")
    return Header(name, str(parsed), wire)


def _encoded_words(text: str, name: str) -> list[str]:
    """``text`` as UTF-8 ``q`` encoded words, each at most 75 characters and short enough to
    follow ``name:`` on a line of 78, never splitting a character (RFC 2047 5)."""
    code = "".join(map(_Q.__getitem__, text.encode("utf-8", "surrogatepass")))
    room = min(_TEXT_ROOM, _MAX_LINE - len(name) - 2 - len(_WORD_START) - 2)
    words = []
    while len(code) > room:
        cut = room
        # Back to a character's start: not inside "=XX", not before a continuation byte.
        while code[cut - 1] == "=" or code[cut - 2] == "=" or code.startswith(_CONT, cut):
            cut -= 1
        words.append(_WORD_START + code[:cut] + "?=")
        code = code[cut:]
    words.append(_WORD_START + code + "?=")
    return words


def _fold(name: str, tokens: list[str]) -> str:
    """``tokens`` joined by spaces, a line break before a token that would pass 78
    characters."""
    lines: list[str] = []
    line = len(name) + 1
    for token in tokens:
        if lines and line + 1 + len(token) > _MAX_LINE:
            lines.append("\n ")
            line = 1
        elif lines:
            lines.append(" ")
            line += 1
        else:
            line += 1
        lines.append(token)
        line += len(token)
    return "".join(lines)


def plain_header(name: str, value: str) -> Header:
    """A header written as it is (a Message-ID, a key): printable ASCII on one line, else
    left to the standard library."""
    if value.isascii() and _PRINTABLE.fullmatch(value) and len(name) + 2 + len(value) <= 998:
        return Header(name, value, value)
    return _fallback(name, value)


def text_header(name: str, value: str) -> Header:
    """An unstructured header (``Subject``): ASCII words as they are, each run of words
    with other characters as encoded words (the spaces inside the run encoded with them),
    folded at spaces."""
    words = value.split(" ")
    if "" in words or not _PRINTABLE.fullmatch(value.encode("ascii", "replace").decode()):
        # Leading, trailing or repeated spaces, or a tab: all in encoded words, which keep them.
        if value.isascii() and "=?" not in value:
            return _fallback(name, value)
        return Header(name, value, _fold(name, _encoded_words(value, name)))
    tokens: list[str] = []
    run: list[str] = []
    for word in words:
        if word.isascii() and "=?" not in word and len(word) <= _LONGEST_WORD:
            if run:
                tokens += _encoded_words(" ".join(run), name)
                run = []
            tokens.append(word)
        else:
            run.append(word)
    if run:
        tokens += _encoded_words(" ".join(run), name)
    return Header(name, value, _fold(name, tokens))


def _phrase(name: str, display_name: str) -> list[str]:
    """A display name as RFC 5322 writes it: atoms, a quoted string, or encoded words."""
    if display_name.isascii() and "=?" not in display_name:
        words = display_name.split(" ")
        if (
            _ATOMS.fullmatch(display_name)
            and display_name.split() == words
            and max(map(len, words)) <= _LONGEST_WORD
        ):
            return words
        quoted = display_name.replace("\\", "\\\\").replace('"', '\\"')
        if len(quoted) + 2 <= _LONGEST_WORD:
            return [f'"{quoted}"']
    return _encoded_words(display_name, name)


def address_header(name: str, display_name: str, local: str, domain: str) -> Header:
    """``From``/``To`` of one mailbox: the display name (encoded when it must be), then
    ``<local@domain>``; the domain already in ASCII (IDNA)."""
    addr_spec = f"{local}@{domain}"
    if not (_DOT_ATOM.fullmatch(local) and domain.isascii() and _DOT_ATOM.fullmatch(domain)):
        return _fallback(name, Address(display_name, local, domain))
    if not display_name:
        return Header(name, addr_spec, addr_spec)
    phrase = _phrase(name, display_name)
    if len(phrase) > 1 and phrase[0].startswith(_WORD_START):
        # Readers put a space between the encoded words of a display name: a name too long
        # for one is left to the standard library.
        return _fallback(name, Address(display_name, local, domain))
    shown = display_name
    if display_name.isascii() and not _ATOMS.fullmatch(display_name):
        shown = '"' + display_name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    wire = _fold(name, [*phrase, f"<{addr_spec}>"])
    return Header(name, f"{shown} <{addr_spec}>", wire)
