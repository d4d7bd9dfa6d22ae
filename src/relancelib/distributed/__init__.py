"""Planning a portfolio past one machine, on Dask (the optional extra ``relancelib[dask]``).

Planning is independent per client, so a portfolio given as Dask DataFrames (or Parquet
files) partitioned by client id is planned by running :func:`relancelib.plan` on each
partition (``map_partitions``); the result is the same plan as ``plan()`` over the whole
portfolio in one process.  Amounts travel as exact decimal text, never floats.  Recording
happens on one machine, through the journal.  See ``docs/scaling.md``.

Importing this package does not import Dask; its functions do, and say which extra to
install when it is missing.  Nothing in relancelib imports this package.
"""

from relancelib.distributed._frames import (
    CLIENT_KEYS,
    DistributedPlan,
    PortfolioFrames,
    journal_frame,
    partition_by_client,
    plan_frames,
    read_parquet,
    require_dask,
    write_parquet,
)
from relancelib.distributed._models import frames_from_models
from relancelib.distributed._partition import (
    ACTION_COLUMNS,
    AMOUNT_COLUMNS,
    JOURNAL_COLUMNS,
    PROBLEM_COLUMNS,
    PartitionHistory,
    action_rows,
    plan_partition,
)
from relancelib.distributed._record import record_plan

__all__ = [
    "ACTION_COLUMNS",
    "AMOUNT_COLUMNS",
    "CLIENT_KEYS",
    "JOURNAL_COLUMNS",
    "PROBLEM_COLUMNS",
    "DistributedPlan",
    "PartitionHistory",
    "PortfolioFrames",
    "action_rows",
    "frames_from_models",
    "journal_frame",
    "partition_by_client",
    "plan_frames",
    "plan_partition",
    "read_parquet",
    "record_plan",
    "require_dask",
    "write_parquet",
]
