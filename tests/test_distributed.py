"""relancelib.distributed: the plan of a portfolio partitioned by client id on Dask is the
plan of ``plan()`` over the whole portfolio, row by row."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("dask.dataframe")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from relancelib import Journal, MemoryJournal, Plan, ReminderPolicy, plan  # noqa: E402
from relancelib.distributed import (  # noqa: E402
    ACTION_COLUMNS,
    AMOUNT_COLUMNS,
    PROBLEM_COLUMNS,
    action_rows,
    partition_by_client,
    plan_frames,
    read_parquet,
    record_plan,
    write_parquet,
)
from relancelib.distributed._models import frames_from_models  # noqa: E402
from relancelib.errors import RelanceError  # noqa: E402
from relancelib.strategies import dates, policies, portfolios  # noqa: E402

# Appended, not prepended: benchmarks/distributed.py must not hide the distributed package.
sys.path.append(str(Path(__file__).parent.parent / "benchmarks"))
import engine as bench  # noqa: E402

POLICY = ReminderPolicy.french_default()


def rows_of(frame: Any) -> list[dict[str, Any]]:
    """The rows of a computed frame as plain Python values (pandas' NA as None)."""
    plain = frame.astype(object).where(frame.notna(), None)
    return [
        {k: int(v) if k == "days_overdue" and v is not None else v for k, v in row.items()}
        for row in plain.to_dict("records")
    ]


def problem_rows(result: Plan) -> list[tuple[str, str, str]]:
    return sorted((p.invoice_number, p.severity.value, p.message) for p in result.problems)


def assert_same_plan(expected: Plan, actions: Any, problems: Any) -> None:
    assert list(actions.columns) == list(ACTION_COLUMNS)
    assert list(problems.columns) == list(PROBLEM_COLUMNS)
    assert rows_of(actions) == action_rows(expected)
    got = sorted(tuple(row.values()) for row in rows_of(problems))
    assert got == problem_rows(expected)


@pytest.fixture(scope="module")
def portfolio() -> tuple[list[Any], list[Any], MemoryJournal]:
    # 3,000 invoices of 800 clients, a third partly paid, with 10,000 journal records.
    clients, invoices, journal = bench.build(3000, 800)
    return clients, invoices, journal


@pytest.mark.slow
def test_local_cluster_gives_the_same_plan_as_plan(portfolio: Any) -> None:
    distributed = pytest.importorskip("distributed")
    clients, invoices, journal = portfolio
    expected = plan(invoices, clients, POLICY, bench.AS_OF, journal)
    assert len(expected.actions) > 100
    frames = frames_from_models(clients, invoices, journal)
    split = partition_by_client(**frames, npartitions=6)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        result = plan_frames(split, POLICY, bench.AS_OF)
        actions, problems = result.compute()
        assert_same_plan(expected, actions, problems)
        # Recording runs here, through the journal: what plan() would have recorded.
        copy = MemoryJournal(journal.records())
        reviewed = set(actions["action_key"])
        assert record_plan(result, copy, keys=reviewed) == len(expected.actions)
    assert plan(invoices, clients, POLICY, bench.AS_OF, copy).actions == ()
    reference = MemoryJournal(journal.records())
    for action in expected.actions:
        reference.record(action)
    assert [(r.key, r.steps, r.on) for r in copy.records()] == [
        (r.key, r.steps, r.on) for r in reference.records()
    ]


def test_amounts_travel_as_exact_text(portfolio: Any) -> None:
    clients, invoices, _journal = portfolio
    split = partition_by_client(**frames_from_models(clients[:50], invoices[:200]), npartitions=2)
    actions, _problems = plan_frames(split, POLICY, bench.AS_OF).compute(scheduler="sync")
    for column in AMOUNT_COLUMNS:
        assert str(actions[column].dtype) == "string"
    assert all(
        Decimal(text) == Decimal(text).quantize(Decimal("0.01")) for text in actions["balance"]
    )


def test_parquet_round_trip_gives_the_same_plan(portfolio: Any, tmp_path: Path) -> None:
    clients, invoices, journal = portfolio
    clients, invoices = clients[:100], [i for i in invoices if i.client_id < "C0000100"]
    small = MemoryJournal(r for r in journal.records() if r.client_id < "C0000100")
    expected = plan(invoices, clients, POLICY, bench.AS_OF, small)
    write_parquet(
        partition_by_client(**frames_from_models(clients, invoices, small), npartitions=3), tmp_path
    )
    split = read_parquet(tmp_path)
    assert split.npartitions == 3
    actions, problems = plan_frames(split, POLICY, bench.AS_OF).compute(scheduler="sync")
    assert_same_plan(expected, actions, problems)


def test_frames_partitioned_differently_are_refused(portfolio: Any) -> None:
    clients, invoices, _journal = portfolio
    frames = frames_from_models(clients[:40], invoices[:100])
    four = partition_by_client(**frames, npartitions=4)
    two = partition_by_client(**frames, npartitions=2)
    mixed = type(four)(four.invoices, two.clients)
    with pytest.raises(RelanceError, match="not partitioned like the invoices"):
        plan_frames(mixed, POLICY, bench.AS_OF)


def test_rows_that_cannot_be_read_are_problems() -> None:
    invoices = pd.DataFrame(
        {
            "number": ["F1", "F2"],
            "client_id": ["A", "A"],
            "issue_date": ["2025-04-01", "2025-04-01"],
            "due_date": ["2025-05-01", "2025-13-01"],
            "amount": ["120.50", "30"],
        }
    )
    clients = pd.DataFrame({"id": ["A"], "name": ["Alpha"], "email": ["a@example.fr"]})
    split = partition_by_client(invoices, clients, npartitions=1)
    actions, problems = plan_frames(split, POLICY, bench.AS_OF).compute(scheduler="sync")
    assert list(actions["invoice"]) == ["F1"]
    assert list(actions["balance"]) == ["120.50"]
    assert len(problems[problems["severity"] == "error"]) == 1


def test_the_library_imports_without_dask_and_says_which_extra_to_install() -> None:
    code = (
        "import sys; sys.modules['dask'] = None; sys.modules['dask.dataframe'] = None\n"
        "import relancelib, relancelib.distributed as d\n"
        "try:\n    d.require_dask()\nexcept relancelib.RelanceError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'relancelib[dask]'" in out.stdout
    plain = subprocess.run(
        [sys.executable, "-c", "import relancelib, sys; print('dask' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert plain.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------

START = dt.date(2025, 1, 2)


@settings(
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    world=portfolios(
        issue_dates=dates(START, dt.date(2025, 3, 31)), max_clients=5, max_invoices=10
    ),
    policy=policies(),
    history_days=st.integers(0, 60),
    as_of=dates(dt.date(2025, 2, 1), dt.date(2025, 5, 31)),
    npartitions=st.integers(1, 3),
)
def test_partitioned_plan_is_the_plan_of_the_whole_portfolio(
    world: Any, policy: ReminderPolicy, history_days: int, as_of: dt.date, npartitions: int
) -> None:
    clients, invoices = world
    journal: Journal = MemoryJournal()
    for offset in range(0, history_days, 3):
        for action in plan(
            invoices, clients, policy, START + dt.timedelta(offset), journal
        ).actions:
            journal.record(action)
    expected = plan(invoices, clients, policy, as_of, journal)
    frames = frames_from_models(clients, invoices, journal)
    split = partition_by_client(**frames, npartitions=npartitions)
    actions, problems = plan_frames(split, policy, as_of).compute(scheduler="sync")
    assert_same_plan(expected, actions, problems)


def test_scaling_page_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    text = (Path(__file__).parent.parent / "docs" / "scaling.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    exec(compile(block, "scaling.md", "exec"), {})
    assert "item_step" in capsys.readouterr().out


def test_dask_frames_are_partitioned_like_pandas_frames(portfolio: Any) -> None:
    import dask.dataframe as dd

    clients, invoices, journal = portfolio
    clients, invoices = clients[:60], [i for i in invoices if i.client_id < "C0000060"]
    small = MemoryJournal(r for r in journal.records() if r.client_id < "C0000060")
    expected = plan(invoices, clients, POLICY, bench.AS_OF, small)
    frames = frames_from_models(clients, invoices, small)
    lazy = {name: dd.from_pandas(frame, npartitions=2) for name, frame in frames.items()}
    split = partition_by_client(**lazy, npartitions=3)
    actions, problems = plan_frames(split, POLICY, bench.AS_OF).compute(scheduler="sync")
    assert_same_plan(expected, actions, problems)
