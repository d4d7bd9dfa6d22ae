"""The files of an outbox folder: one name per action, written atomically, never clobbered.

A name holds the day, a readable part of the client id, the step and the action's key (a
lower-case hash, so two actions never share a name, whatever their client ids, on
case-insensitive file systems too).  A file is written to a temporary name created with
``O_EXCL``, fsync'd, linked to its final name (which fails if that name exists: nothing is
ever overwritten), and the folder is fsync'd: after a crash a file is either whole or absent.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from relancelib.checks import check_instance
from relancelib.engine import Action
from relancelib.policy import Channel

__all__ = [
    "DRY_RUN_MARK",
    "SUFFIXES",
    "digest_of",
    "file_digest",
    "file_name",
    "sync_directory",
    "write_atomically",
]

#: The file suffix of each channel: e-mails are .eml files, letters .pdf, calls and SMS .txt.
SUFFIXES: Mapping[Channel, str] = MappingProxyType(
    {
        Channel.EMAIL: ".eml",
        Channel.PHONE: ".txt",
        Channel.SMS: ".txt",
        Channel.LETTER: ".pdf",
        Channel.REGISTERED_LETTER: ".pdf",
    }
)

#: What marks the name of a file written by a dry run (before its suffix).
DRY_RUN_MARK = ".dry-run"

#: How much of the client id a name shows (the key makes it unique, not this part).
_CLIENT_PART = 32


def _safe_key(key: str) -> str:
    """The key as it appears in a name: itself when it is short lower-case ASCII, else a
    hash of it (a key built by hand may hold anything)."""
    if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,47}", key):
        return key
    return "k" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def file_name(action: Action, *, dry_run: bool = False) -> str:
    """The file name of ``action``'s message:
    ``<day>_<client id, shortened>_<step>_<key>[.dry-run]<suffix>``.

    The key (lower-case) makes the name unique per action, case-insensitively too; the
    client part (letters, digits, ``_`` and ``-``, at most 32 characters) is only there for
    people.
    """
    check_instance(action, Action, "action", what="an Action from relancelib.plan()")
    client = re.sub(r"[^A-Za-z0-9_\-]+", "_", action.client.id).strip("_")[:_CLIENT_PART]
    step = re.sub(r"[^A-Za-z0-9_\-]+", "_", action.step.key)[:_CLIENT_PART]
    mark = DRY_RUN_MARK if dry_run else ""
    return (
        f"{action.on.isoformat()}_{client or 'client'}_{step}_{_safe_key(action.key)}"
        f"{mark}{SUFFIXES[action.channel]}"
    )


def digest_of(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex: what a claim stores to recognise its file."""
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str | None:
    """The SHA-256 of the file at ``path``, or None when there is no such file."""
    try:
        return digest_of(path.read_bytes())
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def sync_directory(folder: Path) -> None:
    """fsync ``folder`` so a new name in it survives a power loss (where the system can)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - systems that cannot open a folder
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)


def write_atomically(path: Path, data: bytes) -> bool:
    """Write ``data`` at ``path`` whole or not at all, never replacing another file.

    Returns True when this call wrote the file, False when the very same bytes were already
    there (a run that stopped after writing).  A different file at ``path`` raises
    :class:`FileExistsError`: no run deletes or overwrites a file it did not write.
    """
    check_instance(path, Path, "path", what="a pathlib.Path")
    check_instance(data, bytes, "data", what="bytes")
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
            os.fsync(handle)
        finally:
            os.close(handle)
        try:
            os.link(temporary, path)
        except FileExistsError:
            if file_digest(path) == digest_of(data):
                return False
            raise FileExistsError(
                17, "another file already has this name (left as it is)", str(path)
            ) from None
        except OSError:
            # No hard links here (some network or FAT file systems): rename, which is
            # atomic, after checking the name is free.
            if path.exists():
                raise
            os.rename(temporary, path)
        sync_directory(path.parent)
        return True
    finally:
        # The temporary file is this call's own.
        temporary.unlink(missing_ok=True)
