"""The portfolio a config's ``[sources]`` name: CSV exports and folders of e-invoices, merged."""

from __future__ import annotations

from pathlib import Path

from relancelib.checks import check_instance
from relancelib.config.model import Config
from relancelib.errors import ConfigError, DataImportError
from relancelib.io import (
    Credit,
    ImportProblem,
    Portfolio,
    allocate_credit_notes,
    check_rejections,
    read_clients_csv,
    read_einvoice_files,
    read_portfolio,
)
from relancelib.io.rejections import refuse_too_many
from relancelib.io.results import CreditNote
from relancelib.model import Client, Invoice

__all__ = ["load_portfolio"]

#: The suffixes of the files read in an e-invoice folder (any case): Factur-X PDF, CII and
#: UBL XML.
FACTURX_SUFFIXES = (".pdf", ".xml")


def load_portfolio(config: Config) -> Portfolio:
    """Read and merge the clients and invoices ``config.sources`` names.

    The CSV files (clients, invoices, payments) are read together, with their column
    mappings and preset; a clients file without invoices completes the buyers of the
    e-invoices (an e-mail, a segment): a client of the file comes before the buyer of the
    same id.  An e-invoice issued by another SIREN than the creditor's is left out; e-invoice
    credit notes are allocated to the invoices they name.  What cannot be read or is left out
    is in ``problems``, naming its file (and line); the run goes on without it, unless a file
    lost every row or more than ``sources.max_rejected`` of them: then
    :class:`DataImportError` says which (never "nothing is due" by accident).

    A config that names no invoices raises :class:`ConfigError`; a source file or folder
    that does not exist, :class:`DataImportError`.
    """
    check_instance(config, Config, "config", what="a Config (see load_config)")
    sources = config.sources
    named_in = config.path or "the config"
    if sources.is_empty:
        raise ConfigError(
            f"{config.path or 'relance.toml'}: sources: names no invoices; set sources.invoices "
            "(CSV) or sources.einvoices (a folder of Factur-X, CII or UBL invoices)"
        )
    clients: dict[str, Client] = {}
    invoices: list[Invoice] = []
    credits: list[Credit] = []
    problems: list[ImportProblem] = []
    warnings: list[ImportProblem] = []
    encodings: dict[str, str | None] = {}
    rows: dict[str, int] = {}
    ignored: dict[str, tuple[str, ...]] = {}
    suggestions: dict[str, dict[str, str]] = {}
    if sources.invoices is not None and sources.clients is not None:
        for path in (sources.clients, sources.invoices, sources.payments):
            if path is not None and not path.is_file():
                raise DataImportError(f"{path}: no such file (named in {named_in})")
        read = read_portfolio(
            clients=sources.clients,
            invoices=sources.invoices,
            payments=sources.payments,
            encoding=sources.encoding,
            columns=sources.columns,
            preset=sources.preset,
            export_date=sources.export_date,
        )
        clients.update((client.id, client) for client in read.clients)
        invoices.extend(read.invoices)
        credits.extend(read.credits)
        problems.extend(read.problems)
        warnings.extend(read.warnings)
        encodings.update(read.encodings)
        rows.update(read.rows)
        ignored.update(read.ignored_columns)
        suggestions.update({k: dict(v) for k, v in read.suggestions.items()})
    elif sources.clients is not None:
        if not sources.clients.is_file():
            raise DataImportError(f"{sources.clients}: no such file (sources.clients)")
        known = read_clients_csv(
            sources.clients,
            encoding=sources.encoding,
            columns=sources.columns.get("clients"),
            preset=sources.preset,
        )
        label = known.source or str(sources.clients)
        clients.update((client.id, client) for client in known.items)
        problems.extend(known.problems)
        warnings.extend(known.warnings)
        encodings[label] = known.encoding
        rows[label] = known.rows
        ignored[label] = known.ignored_columns
        suggestions[label] = dict(known.suggestions)
    notes: list[CreditNote] = []
    folders: list[tuple[Path, int, list[ImportProblem]]] = []
    for key in ("einvoices", "facturx"):
        folder = getattr(sources, key)
        if folder is not None:
            before = len(problems)
            files = _read_folder(config, folder, key, clients, invoices, notes, problems, warnings)
            folders.append((folder, files, problems[before:]))
    if notes:
        allocated, more = allocate_credit_notes(invoices, notes)
        invoices[:] = allocated
        credits.extend(more)
    portfolio = Portfolio(
        tuple(clients.values()),
        tuple(invoices),
        tuple(problems),
        encodings,
        tuple(credits),
        tuple(warnings),
        rows,
        ignored,
        suggestions,
    )
    check_rejections(portfolio, sources.max_rejected)
    for folder, files, refused in folders:
        # A folder whose e-invoices were (nearly) all refused is a file of refused rows.
        if refused:
            refuse_too_many(
                str(folder), files, len(refused), refused[0], sources.max_rejected, "e-invoices"
            )
    return portfolio


def _read_folder(
    config: Config,
    folder: Path,
    key: str,
    clients: dict[str, Client],
    invoices: list[Invoice],
    notes: list[CreditNote],
    problems: list[ImportProblem],
    warnings: list[ImportProblem],
) -> int:
    """Read every e-invoice of ``folder`` into the lists given; the number of files read."""
    if not folder.is_dir():
        raise DataImportError(f"{folder}: no such folder (sources.{key})")
    files = sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and path.suffix.lower() in FACTURX_SUFFIXES
    )
    result = read_einvoice_files(files)
    problems.extend(result.problems)
    siren = config.creditor.siren
    for found in result.items:
        if siren and found.seller_siren not in (None, siren):
            problems.append(
                _problem(
                    found.source,
                    f"issued by SIREN {found.seller_siren}, not by "
                    f"{config.creditor.name} ({siren}); the invoice is left out",
                )
            )
            continue
        warnings.extend(_problem(found.source, warning) for warning in found.warnings)
        clients.setdefault(found.buyer.id, found.buyer)  # the clients file comes first
        if found.invoice is not None:
            invoices.append(found.invoice)
        if found.credit_note is not None:
            notes.append(found.credit_note)
    return len(files)


def _problem(source: str, message: str) -> ImportProblem:
    """A problem with a whole file (no line, no column)."""
    return ImportProblem(source, None, None, message)
