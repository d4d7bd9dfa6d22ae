"""A portfolio as Dask DataFrames partitioned by client id, planned partition by partition.

Planning is independent per client: the rule of a client's invoices reads only that
client, its invoices, their payments and its own journal records.  So a portfolio whose
frames are all indexed by client id with the **same divisions** is planned by one
``map_partitions`` call that runs :func:`relancelib.plan` on each partition (see
:mod:`relancelib.distributed._partition`), and the concatenated result is the plan of the
whole portfolio.  Dask (the optional extra ``relancelib[dask]``) is imported when called.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from relancelib.actions import Plan
from relancelib.checks import check_date, check_instance
from relancelib.distributed._partition import (
    ACTION_COLUMNS,
    JOURNAL_COLUMNS,
    PROBLEM_COLUMNS,
    PolicyArg,
    output_frame,
    plan_of_partition,
    plan_partition,
)
from relancelib.errors import RelanceError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CLIENT_KEYS",
    "DistributedPlan",
    "PortfolioFrames",
    "journal_frame",
    "partition_by_client",
    "plan_frames",
    "read_parquet",
    "require_dask",
    "write_parquet",
]

#: The column that holds the client id in each frame (the frames' index once partitioned).
CLIENT_KEYS = {"invoices": "client_id", "clients": "id", "payments": "client_id",
               "journal": "client_id"}  # fmt: skip


def require_dask() -> Any:
    """``dask.dataframe``, or a :class:`RelanceError` naming the extra to install."""
    try:
        import dask.dataframe as dd
    except ImportError as exc:
        raise RelanceError(
            "relancelib.distributed needs Dask: install it with pip install "
            f"'relancelib[dask]' ({exc})"
        ) from exc
    return dd


def _dask() -> Any:
    """The ``dask`` module (its ``compute`` and ``delayed``), checked like
    :func:`require_dask`."""
    require_dask()
    return importlib.import_module("dask")


@attrs.frozen
class PortfolioFrames:
    """Invoices, clients, payments and the journal's state as Dask DataFrames, each indexed
    by its client id with the same divisions (build it with :func:`partition_by_client` or
    :func:`read_parquet`).  ``payments`` and ``journal`` may be ``None``."""

    invoices: Any
    clients: Any
    payments: Any = None
    journal: Any = None

    def frames(self) -> dict[str, Any]:
        """The frames given, by name."""
        named = {"invoices": self.invoices, "clients": self.clients,
                 "payments": self.payments, "journal": self.journal}  # fmt: skip
        return {name: frame for name, frame in named.items() if frame is not None}

    @property
    def npartitions(self) -> int:
        return int(self.invoices.npartitions)

    def check(self) -> None:
        """Refuse frames that are not partitioned alike: a client's rows must meet in one
        partition, or its plan would be wrong."""
        frames = self.frames()
        divisions = {name: tuple(frame.divisions) for name, frame in frames.items()}
        first = divisions["invoices"]
        for name, other in divisions.items():
            if None in other or other != first:
                raise RelanceError(
                    f"the {name} frame is not partitioned like the invoices (divisions "
                    f"{other[:3]}… against {first[:3]}…): build the frames with "
                    "partition_by_client() or read_parquet()"
                )


def journal_frame(journal: Any) -> pd.DataFrame:
    """The state of ``journal`` (any relancelib journal) as the rows the partitions read:
    one row per (invoice, step) pair recorded, columns ``key, client_id, invoice, step, on``
    (built from :func:`relancelib.display.records_to_frame`)."""
    from relancelib.display import records_to_frame

    frame = records_to_frame(journal.records())
    frame = frame.drop(columns=["step"]).rename(columns={"invoice_step": "step"})
    return frame[list(JOURNAL_COLUMNS)]


def _divisions(frames: dict[str, Any], npartitions: int) -> tuple[str, ...]:
    import pandas as pd

    ids: set[str] = set()
    for name, frame in frames.items():
        column = frame[CLIENT_KEYS[name]]
        values = column.unique() if isinstance(frame, pd.DataFrame) else column.unique().compute()
        ids.update(str(value) for value in values)
    if not ids:
        raise RelanceError("the portfolio holds no client id")
    ordered = sorted(ids)
    count = max(1, min(npartitions, len(ordered)))
    step = len(ordered) / count
    cuts = sorted({ordered[int(i * step)] for i in range(count)})
    return (*cuts, ordered[-1])


def _piece(piece: pd.DataFrame) -> pd.DataFrame:
    return piece


def _by_client(frame: Any, column: str, divisions: tuple[str, ...]) -> Any:
    import pandas as pd

    dd = require_dask()
    if isinstance(frame, pd.DataFrame):
        # Cut the sorted rows at the divisions: partition i holds ids from divisions[i] up
        # to (not including) divisions[i + 1], the last one up to and including the last id.
        ordered = frame.astype({column: "string"}).set_index(column).sort_index()
        cuts = [0, *ordered.index.searchsorted(list(divisions[1:-1]), side="left"), len(ordered)]
        pieces = [ordered.iloc[start:end] for start, end in itertools.pairwise(cuts)]
        return dd.from_map(
            _piece, pieces, divisions=divisions, meta=ordered.iloc[:0], enforce_metadata=False
        )
    frame = frame.astype({column: "string"})
    return frame.set_index(column, divisions=list(divisions))


def partition_by_client(
    invoices: Any,
    clients: Any,
    payments: Any = None,
    journal: Any = None,
    *,
    npartitions: int,
) -> PortfolioFrames:
    """Index each frame (pandas or Dask) by its client id — ``client_id`` for invoices,
    payments and the journal, ``id`` for clients — with the same ``npartitions`` divisions,
    so that all of a client's rows meet in one partition."""
    given = {"invoices": invoices, "clients": clients, "payments": payments, "journal": journal}
    frames = {name: frame for name, frame in given.items() if frame is not None}
    divisions = _divisions(frames, npartitions)
    split = {
        name: _by_client(frame, CLIENT_KEYS[name], divisions) for name, frame in frames.items()
    }
    return PortfolioFrames(**split)


def write_parquet(portfolio: PortfolioFrames, directory: str | os.PathLike[str]) -> None:
    """Write each frame to ``directory/<name>`` as Parquet, with its index (the client id),
    so that :func:`read_parquet` reads it back with the same divisions."""
    for name, frame in portfolio.frames().items():
        frame.to_parquet(os.path.join(directory, name), write_index=True)


def read_parquet(directory: str | os.PathLike[str]) -> PortfolioFrames:
    """The portfolio written by :func:`write_parquet` (local or shared storage: any path or
    URL Dask reads, ``s3://…`` included, given its filesystem package)."""
    dd = require_dask()
    frames = {}
    for name, column in CLIENT_KEYS.items():
        path = os.path.join(directory, name)
        if name in ("payments", "journal") and not _exists(path):
            continue
        frames[name] = dd.read_parquet(path, index=column, calculate_divisions=True)
    return PortfolioFrames(**frames)


def _exists(path: str) -> bool:
    return "://" in path or os.path.exists(path)


@attrs.frozen
class DistributedPlan:
    """The plan of a partitioned portfolio: ``actions`` (columns of
    :data:`relancelib.display.PLAN_COLUMNS`) and ``problems`` (``invoice, severity,
    message``) as lazy Dask DataFrames.  ``compute()`` computes both in one pass."""

    portfolio: PortfolioFrames
    policy: PolicyArg
    as_of: dt.date
    output: Any = attrs.field(repr=False)

    @property
    def actions(self) -> Any:
        out = self.output
        return out[out["kind"] == "action"][list(ACTION_COLUMNS)]

    @property
    def problems(self) -> Any:
        out = self.output
        return out[out["kind"] == "problem"][list(PROBLEM_COLUMNS)]

    def compute(self, **options: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The actions and the problems as pandas frames (partition order: by client id;
        within a partition, problems sorted by invoice number as :func:`plan` sorts them)."""
        dask = _dask()
        actions, problems = dask.compute(self.actions, self.problems, **options)
        return actions.reset_index(drop=True), problems.reset_index(drop=True)

    def iter_plans(self, *, batch: int = 8, **options: Any) -> Iterator[Plan]:
        """The :class:`relancelib.Plan` of each partition, computed ``batch`` partitions at a
        time on the cluster and brought to this machine in client-id order: the objects
        :func:`record_plan` records and :func:`relancelib.outbox.carry_out` carries out."""
        dask = _dask()
        parts = [frame.to_delayed() for frame in self.portfolio.frames().values()]
        names = list(self.portfolio.frames())
        delayed_plan = dask.delayed(_plan_objects, pure=True)
        for start in range(0, len(parts[0]), batch):
            tasks = []
            for index in range(start, min(start + batch, len(parts[0]))):
                given = dict(zip(names, (p[index] for p in parts), strict=True))
                tasks.append(
                    delayed_plan(
                        given["invoices"],
                        given["clients"],
                        given.get("payments"),
                        given.get("journal"),
                        self.policy,
                        self.as_of,
                    )
                )
            yield from dask.compute(*tasks, **options)


def _plan_objects(
    invoices: pd.DataFrame,
    clients: pd.DataFrame,
    payments: pd.DataFrame | None,
    journal: pd.DataFrame | None,
    policy: PolicyArg,
    as_of: dt.date,
) -> Plan:
    return plan_of_partition(invoices, clients, payments, journal, policy, as_of)[0]


def plan_frames(portfolio: PortfolioFrames, policy: PolicyArg, as_of: dt.date) -> DistributedPlan:
    """Plan every partition of ``portfolio`` with :func:`relancelib.plan` (one
    ``map_partitions``): the same actions and problems as ``plan()`` over the whole
    portfolio in one process.  Nothing runs until ``compute()``."""
    dd = require_dask()
    check_instance(portfolio, PortfolioFrames, "portfolio")
    as_of = check_date(as_of, "as_of")
    portfolio.check()
    output = dd.map_partitions(
        plan_partition,
        portfolio.invoices,
        portfolio.clients,
        portfolio.payments,
        portfolio.journal,
        policy,
        as_of,
        meta=output_frame([]),
        align_dataframes=False,
        enforce_metadata=False,
    )
    return DistributedPlan(portfolio, policy, as_of, output)
