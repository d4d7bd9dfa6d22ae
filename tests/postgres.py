"""A throwaway PostgreSQL server for the tests, from Debian's ``postgresql`` package.

``initdb`` and ``postgres`` from ``/usr/lib/postgresql/<version>/bin`` (the newest there) make
a cluster in a fresh temporary folder; the server listens on a Unix socket in that folder
only (no TCP), on a port chosen free.  ``initdb`` refuses to run as root, so under root (CI)
the cluster belongs to the ``postgres`` system user the package creates, and its commands
run through ``runuser``.  The ``postgres_server`` fixture starts one server for the whole
session and stops it at the end.

When the binaries are missing the fixture *fails* with what to install: ``make test``
installs the package, so CI always runs these tests.  A developer without PostgreSQL may set
``RELANCE_SKIP_POSTGRES=1`` to skip them instead.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from relancelib import MemoryJournal, SqliteJournal
from relancelib.journal import LedgerJournal
from relancelib.journal.postgres import PostgresJournal

__all__ = [
    "SQL_STORES",
    "STORES",
    "PostgresServer",
    "SqlRunner",
    "find_binaries",
    "hand_editor",
    "new_schema",
    "open_journal",
    "postgres_server",
]

#: The journal stores the contract tests run over, and those in a database.
STORES = ["memory", "sqlite", "postgres"]
SQL_STORES = ["sqlite", "postgres"]

#: Runs one SQL statement on a journal's database, behind the journal's back.
SqlRunner = Callable[[str], None]

_SCHEMAS = itertools.count(1)

# The watchdog: while its parent (the test process) lives and the folder is there, wait;
# when the parent is gone, stop the server and delete the folder.
_WATCHDOG = """
import os, shutil, subprocess, sys, time
parent, folder, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
while os.getppid() == parent and os.path.isdir(folder):
    time.sleep(1)
if os.path.isdir(folder):
    subprocess.run(stop, capture_output=True, timeout=120)
    shutil.rmtree(folder, ignore_errors=True)
"""


def find_binaries() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb`` and ``pg_ctl``
    (or ``$RELANCE_POSTGRES_BIN``), None when there is none."""
    chosen = os.environ.get("RELANCE_POSTGRES_BIN")
    candidates = [chosen] if chosen else glob.glob("/usr/lib/postgresql/*/bin")

    def version(folder: str) -> float:
        try:
            return float(Path(folder).parent.name)
        except ValueError:
            return 0.0

    for folder in sorted(candidates, key=version, reverse=True):
        if all(os.access(Path(folder, tool), os.X_OK) for tool in ("initdb", "pg_ctl")):
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """A PostgreSQL cluster in a temporary folder, served on a Unix socket there."""

    def __init__(self, binaries: Path, *, durable: bool = False) -> None:
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="relance-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = _free_port()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "relance", "-A", "trust",
                  "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        # Tests need no durability; a benchmark asks for it (fsync as on a real server).
        speed = "" if durable else " -c fsync=off -c synchronous_commit=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o",
            f"-k {self.folder} -c listen_addresses='' -p {self.port}{speed}", "start",
        )  # fmt: skip
        # A test process killed outright (SIGKILL, a timeout) runs no clean-up: a watchdog
        # in its own session stops the server and deletes the folder when it dies.
        subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self.folder),
             *self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip

    def _command(self, tool: str, *args: str) -> list[str]:
        command = [str(self.binaries / tool), *args]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return command

    def _run(self, tool: str, *args: str) -> None:
        command = self._command(tool, *args)
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}{log}"
            )

    @property
    def dsn(self) -> str:
        """The connection string of the server's ``postgres`` database."""
        return f"host={self.folder} port={self.port} user=relance dbname=postgres"

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_server(*, durable: bool = False) -> PostgresServer:
    """Start a throwaway server, or fail (skip with ``RELANCE_SKIP_POSTGRES=1``) saying
    what is missing."""
    binaries = find_binaries()
    if binaries is None:
        message = (
            "PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb. Install Debian's "
            "postgresql package (make system-deps does), or set RELANCE_SKIP_POSTGRES=1 to skip "
            "the PostgreSQL tests on a developer machine."
        )
        if os.environ.get("RELANCE_SKIP_POSTGRES") == "1" and not os.environ.get("CI"):
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    return PostgresServer(binaries, durable=durable)


_SERVER: list[PostgresServer] = []


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> PostgresServer:
    """One server for the whole test session (shared by every module that imports this
    fixture), stopped when the session ends."""
    if not _SERVER:
        server = start_server()
        _SERVER.append(server)
        request.config.add_cleanup(server.stop)
    return _SERVER[0]


def new_schema() -> str:
    """A schema name no other test of this process uses: one fresh journal per test."""
    return f"t{os.getpid()}_{next(_SCHEMAS)}"


def open_journal(store: str, request: pytest.FixtureRequest, folder: Path) -> LedgerJournal:
    """A new, empty journal of ``store`` (one of :data:`STORES`); the PostgreSQL one in a
    fresh schema of the session's server (started only when a test asks for it)."""
    if store == "memory":
        return MemoryJournal()
    if store == "sqlite":
        return SqliteJournal(folder / "journal.sqlite3")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return PostgresJournal(server.dsn, schema=new_schema())


def hand_editor(journal: LedgerJournal, request: pytest.FixtureRequest) -> SqlRunner:
    """A way to run SQL on ``journal``'s tables by hand (statements written in the SQL both
    SQLite and PostgreSQL read), as someone editing the database would."""
    if isinstance(journal, SqliteJournal):
        path = journal.path

        def run_sqlite(statement: str) -> None:
            db = sqlite3.connect(path)
            db.execute(statement)
            db.commit()
            db.close()

        return run_sqlite
    assert isinstance(journal, PostgresJournal)
    import psycopg

    server: PostgresServer = request.getfixturevalue("postgres_server")
    schema = journal.schema

    def run_postgres(statement: str) -> None:
        with psycopg.connect(server.dsn, autocommit=True) as db:
            db.execute(f'SET search_path TO "{schema}"')  # type: ignore[arg-type]
            db.execute(statement)  # type: ignore[arg-type]

    return run_postgres
