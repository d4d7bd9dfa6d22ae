"""Rendering in several processes (``carry_out(..., jobs=N)``, ``relance run --jobs N``) and
what a run prints without a terminal (cron).

The processes only render: the files, their bytes, the records and the outcomes must be the
same as with one process, letters and e-mails alike.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from relancelib import Channel, InvalidFieldError, MemoryJournal, SqliteJournal, plan
from relancelib.cli import cli
from relancelib.cli.progress import LogProgress
from relancelib.engine import Plan
from relancelib.outbox import NotWritten, Written, carry_out
from relancelib.sample import Sample, load_sample

DAY = "2026-03-16"


@pytest.fixture(scope="module")
def sample() -> Sample:
    return load_sample()


@pytest.fixture(scope="module")
def day(sample: Sample) -> Plan:
    history = MemoryJournal()
    sample.replay(history, end=sample.as_of)
    return plan(sample.invoices, sample.clients, sample.policy, sample.as_of, history)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.slow
def test_two_processes_write_the_same_files_and_records_as_one(
    tmp_path: Path, sample: Sample, day: Plan
) -> None:
    actions = list(day.actions)
    assert {a.channel for a in actions} >= {Channel.EMAIL, Channel.LETTER, Channel.PHONE}
    results = {}
    for jobs in (1, 2):
        with SqliteJournal(tmp_path / f"journal-{jobs}.sqlite") as journal:
            results[jobs] = carry_out(
                actions, sample.creditor, tmp_path / f"out-{jobs}", journal,
                policy=sample.policy, jobs=jobs,
            )  # fmt: skip
            records = sorted((r.key, r.reference) for r in journal.records())
            assert journal.verify().ok
        results[jobs] = (results[jobs], records)
    (one, one_records), (two, two_records) = results[1], results[2]
    assert two_records == one_records
    assert [type(o) for o in two.outcomes] == [type(o) for o in one.outcomes]
    assert [o.action.key for o in two.outcomes if isinstance(o, Written | NotWritten)] == [
        o.action.key for o in one.outcomes if isinstance(o, Written | NotWritten)
    ]
    assert [o.reason for o in two.failed] == [o.reason for o in one.failed]
    first, second = files(tmp_path / "out-1"), files(tmp_path / "out-2")
    assert second.keys() == first.keys()
    for name, data in first.items():
        if name.endswith(".pdf"):
            # WeasyPrint stamps each PDF with its own identifier and date: same size, same pages.
            assert abs(len(second[name]) - len(data)) < 200, name
        else:
            assert second[name] == data, name


def test_jobs_must_be_a_whole_number_of_processes(
    tmp_path: Path, sample: Sample, day: Plan
) -> None:
    for jobs in (0, -1, 1.5, "2"):
        with pytest.raises(InvalidFieldError, match="jobs"):
            carry_out([], sample.creditor, tmp_path, None, policy=sample.policy, jobs=jobs)  # type: ignore[arg-type]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_log_progress_prints_a_start_a_line_every_n_actions_or_seconds_and_an_end(
    day: Plan,
) -> None:
    buffer = io.StringIO()
    clock = Clock()
    screen = Console(file=buffer, width=160, no_color=True)
    log = LogProgress(screen, 7, Path("sortie"), jobs=2, every=3, seconds=10.0, clock=clock)
    log.start()
    action = day.actions[0]
    for n in range(7):
        clock.now += 1.0 if n != 4 else 20.0  # the fifth action takes 20 s
        log(Written(action, Path("x.eml"), "x", recorded=True) if n else NotWritten(action, "no"))
    log.finish()
    assert buffer.getvalue().splitlines() == [
        "Carrying out 7 action(s) into sortie/, rendered by 2 processes.",
        "  3/7 after 3 s: 2 written, 1 not written",
        "  5/7 after 24 s: 4 written, 1 not written",
        "  6/7 after 25 s: 5 written, 1 not written",
        "  7/7 done in 26.0 s (0.3/s): 6 written, 1 not written",
    ]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    result = CliRunner().invoke(cli, ["init", str(folder / "relance.toml"), "--sample"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.slow
def test_relance_run_under_cron_prints_progress_lines_and_counts_not_files(
    workspace: Path,
) -> None:
    # A real process whose output is a pipe, as under cron.
    env = {k: v for k, v in os.environ.items() if k != "RELANCE_CONFIG"}
    relance = str(Path(sys.executable).with_name("relance"))
    out = workspace / "sortie"
    start = time.monotonic()
    done = subprocess.run(
        [relance, "run", "--date", DAY, "--out", str(out), "-c", str(workspace / "relance.toml"),
         "--jobs", "2"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert time.monotonic() - start < 120
    assert done.returncode in (0, 4), done.stderr
    written = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert len(written) >= 10
    err = done.stderr.splitlines()
    assert err[0].startswith("Carrying out ")
    assert err[0].endswith(f" into {out}/, rendered by 2 processes.")
    (end,) = [line for line in err if " done in " in line]
    assert end.startswith("  ")
    assert f"{len(written)} written" in end
    assert f"Wrote {len(written)} file(s) to {out}/" in done.stdout
    assert not any(str(path) in done.stdout for path in written)
    with SqliteJournal(workspace / "relance-journal.sqlite") as journal:
        assert len(journal.records()) == len(written)
        assert journal.verify().ok
