"""The files of an outbox folder: one name per action, written atomically."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from relancelib.engine import Action
from relancelib.policy import Channel

__all__ = ["SUFFIXES", "file_name", "write_atomically"]

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


def file_name(action: Action) -> str:
    """The file name of ``action``'s message: ``<day>_<client id>_<step><suffix>``, the
    client id reduced to letters, digits, ``_`` and ``-``."""
    client = re.sub(r"[^A-Za-z0-9_\-]+", "_", action.client.id).strip("_") or "client"
    return f"{action.on.isoformat()}_{client}_{action.step.key}{SUFFIXES[action.channel]}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it: a reader (or a
    crash) never sees half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
