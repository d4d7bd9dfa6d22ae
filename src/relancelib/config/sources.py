"""The ``[sources]`` table of ``relance.toml``: files read as exported, their column
mappings and preset, the export date, the share of rows that may be rejected, and a folder
of e-invoices."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from relancelib.config.model import Sources
from relancelib.io import PRESETS
from relancelib.io.columns import CLIENT_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS

if TYPE_CHECKING:
    from relancelib.config.positions import KeyPath
    from relancelib.config.reader import Reader

__all__ = ["read_sources"]

# The keys of [sources] and of a [sources.<file>] table (docs/config.md documents each).
_SOURCE_KEYS = (
    "clients", "einvoices", "encoding", "export_date", "facturx", "invoices", "max_rejected",
    "payments", "preset",
)  # fmt: skip
_FILE_KEYS = ("columns", "path")
_FIELDS = {
    "clients": tuple(column.field for column in CLIENT_COLUMNS),
    "invoices": tuple(column.field for column in INVOICE_COLUMNS),
    "payments": tuple(column.field for column in PAYMENT_COLUMNS),
}


def read_sources(reader: Reader, value: Any) -> Sources:
    """The validated ``[sources]`` table; a file is a path, or a table with ``path`` and
    ``columns`` (``[sources.invoices.columns] number = "N° pièce"``)."""
    path: KeyPath = ("sources",)
    table = reader.table(path, value, _SOURCE_KEYS)
    found: dict[str, Any] = {}
    columns: dict[str, dict[str, str]] = {}
    for key in ("clients", "invoices", "payments"):
        if key not in table:
            continue
        item = table[key]
        if isinstance(item, dict):
            sub = reader.table((*path, key), item, _FILE_KEYS)
            if "path" not in sub:
                raise reader.error((*path, key, "path"), "is required")
            found[key] = reader.path((*path, key, "path"), sub["path"])
            if "columns" in sub:
                columns[key] = _columns(reader, (*path, key, "columns"), sub["columns"], key)
        else:
            found[key] = reader.path((*path, key), item)
    for key in ("facturx", "einvoices"):
        if key in table:
            found[key] = reader.path((*path, key), table[key])
    if "encoding" in table:
        encoding = reader.string((*path, "encoding"), table["encoding"])
        if encoding != "auto":
            try:
                "".encode(encoding)
            except LookupError:
                raise reader.error(
                    (*path, "encoding"), "is not an encoding Python knows", encoding
                ) from None
            found["encoding"] = encoding
    if "preset" in table:
        preset = reader.string((*path, "preset"), table["preset"])
        if preset not in PRESETS:
            raise reader.error(
                (*path, "preset"), f"is not a known export (known: {', '.join(PRESETS)})", preset
            )
        found["preset"] = preset
    if "export_date" in table:
        found["export_date"] = reader.date((*path, "export_date"), table["export_date"])
    if "max_rejected" in table:
        share = reader.decimal((*path, "max_rejected"), table["max_rejected"])
        if not Decimal(0) <= share <= Decimal(1):
            raise reader.error(
                (*path, "max_rejected"), "must be a share from 0 to 1, such as 0.5", share
            )
        found["max_rejected"] = share
    if "invoices" in found and "clients" not in found:
        raise reader.error((*path, "invoices"), "needs a clients file (sources.clients) too")
    if "payments" in found and "invoices" not in found:
        raise reader.error((*path, "payments"), "needs an invoices file to match payments to")
    return Sources(**found, columns=columns)


def _columns(reader: Reader, path: KeyPath, value: Any, kind: str) -> dict[str, str]:
    table = reader.table(path, value, _FIELDS[kind])
    return {field: reader.string((*path, field), title) for field, title in table.items()}
