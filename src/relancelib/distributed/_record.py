"""Recording a distributed plan: on one machine, through a journal's own ``record``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from relancelib.checks import check_instance
from relancelib.distributed._frames import DistributedPlan

__all__ = ["record_plan"]


def record_plan(
    plan: DistributedPlan,
    journal: Any,
    *,
    on: dt.date | None = None,
    keys: Iterable[str] | None = None,
    batch: int = 8,
    **options: Any,
) -> int:
    """Record the actions of ``plan`` in ``journal`` (its plain ``record``, one action at a
    time) and return how many this call stored.

    Planning runs on the cluster, partition by partition (:meth:`DistributedPlan.iter_plans`);
    recording runs here, on the one machine that holds the journal, so the journal's
    exactly-once guarantee holds as for any other plan.  ``keys`` (the ``action_key`` column
    of the actions frame a person reviewed) limits recording to those actions; an action
    already recorded is not stored twice.  ``options`` go to ``dask.compute`` (e.g.
    ``scheduler="sync"``).
    """
    check_instance(plan, DistributedPlan, "plan")
    chosen = None if keys is None else set(keys)
    stored = 0
    for partition in plan.iter_plans(batch=batch, **options):
        for action in partition.actions:
            if chosen is not None and action.key not in chosen:
                continue
            if journal.record(action, on=on):
                stored += 1
    return stored
