"""The portfolio a config's ``[sources]`` name: CSV files and a Factur-X folder, merged."""

from __future__ import annotations

from relancelib.config.model import Config
from relancelib.errors import ConfigError, DataImportError
from relancelib.io import (
    ImportProblem,
    Portfolio,
    read_clients_csv,
    read_facturx_files,
    read_portfolio,
)
from relancelib.model import Client, Invoice

__all__ = ["load_portfolio"]

#: The suffixes of the files read in a ``sources.facturx`` folder (any case).
FACTURX_SUFFIXES = (".pdf", ".xml")


def load_portfolio(config: Config) -> Portfolio:
    """Read and merge the clients and invoices ``config.sources`` names.

    The CSV files (clients, invoices, payments) are read together; a clients file without
    invoices completes the buyers of the Factur-X invoices (an e-mail, a segment): a client
    of the file comes before the buyer of the same id.  A Factur-X invoice issued by another
    SIREN than the creditor's is left out.  What cannot be read or is left out is in
    ``problems``, naming its file (and line); the run goes on without it.

    A config that names no invoices raises :class:`ConfigError`; a source file or folder
    that does not exist, :class:`DataImportError`.
    """
    sources = config.sources
    named_in = config.path or "the config"
    if sources.is_empty:
        raise ConfigError(
            f"{config.path or 'relance.toml'}: sources: names no invoices; set sources.invoices "
            "(CSV) or sources.facturx (a folder of Factur-X invoices)"
        )
    clients: dict[str, Client] = {}
    invoices: list[Invoice] = []
    problems: list[ImportProblem] = []
    encodings: dict[str, str | None] = {}
    if sources.invoices is not None and sources.clients is not None:
        for path in (sources.clients, sources.invoices, sources.payments):
            if path is not None and not path.is_file():
                raise DataImportError(f"{path}: no such file (named in {named_in})")
        read = read_portfolio(
            clients=sources.clients,
            invoices=sources.invoices,
            payments=sources.payments,
            encoding=sources.encoding,
        )
        clients.update((client.id, client) for client in read.clients)
        invoices.extend(read.invoices)
        problems.extend(read.problems)
        encodings.update(read.encodings)
    elif sources.clients is not None:
        if not sources.clients.is_file():
            raise DataImportError(f"{sources.clients}: no such file (sources.clients)")
        known = read_clients_csv(sources.clients, encoding=sources.encoding)
        clients.update((client.id, client) for client in known.items)
        problems.extend(known.problems)
        encodings[known.source or str(sources.clients)] = known.encoding
    if sources.facturx is not None:
        folder = sources.facturx
        if not folder.is_dir():
            raise DataImportError(f"{folder}: no such folder (sources.facturx)")
        files = sorted(
            path
            for path in folder.iterdir()
            if path.is_file() and path.suffix.lower() in FACTURX_SUFFIXES
        )
        result = read_facturx_files(files)
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
            problems.extend(_problem(found.source, warning) for warning in found.warnings)
            clients.setdefault(found.buyer.id, found.buyer)  # the clients file comes first
            invoices.append(found.invoice)
    return Portfolio(tuple(clients.values()), tuple(invoices), tuple(problems), encodings)


def _problem(source: str, message: str) -> ImportProblem:
    """A problem with a whole file (no line, no column)."""
    return ImportProblem(source, None, None, message)
