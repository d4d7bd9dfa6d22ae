"""Crash and race tests: real ``relance run`` processes killed with SIGKILL at random points,
interrupted with SIGINT, and run side by side; then rerun.  After each: the files on disk
are exactly the confirmed records, no Message-ID reached the SMTP server twice, and the
journal verifies.  Trial counts come from ``RELANCE_CRASH_TRIALS`` (``make soak`` raises
them); seeds are printed.
"""

from __future__ import annotations

import concurrent.futures
import email
import email.policy
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from relancelib import SqliteJournal
from relancelib.cli import cli

DAY = "2026-03-16"
TRIALS = int(os.environ.get("RELANCE_CRASH_TRIALS", "50"))
SEED = int(os.environ.get("RELANCE_CRASH_SEED", str(random.SystemRandom().randrange(10**6))))
RELANCE = [str(Path(sys.executable).with_name("relance"))]

pytestmark = pytest.mark.slow


def messages(folder: Path) -> set[str]:
    """The message files of an outbox folder (temporary files start with a dot)."""
    return (
        {p.name for p in folder.iterdir() if not p.name.startswith(".")}
        if folder.exists()
        else set()
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample workspace (``relance init --sample``), its portfolio cut to 8 clients."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("template")
    result = CliRunner().invoke(cli, ["init", str(folder / "relance.toml"), "--sample"])
    assert result.exit_code == 0, result.output

    def cut(name: str, keep: Any) -> set[str]:
        path = folder / name
        header, *rows = path.read_text(encoding="utf-8-sig").splitlines()
        kept = [row for row in rows if keep(row.split(";"))]
        path.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8-sig")
        return {row.split(";", 1)[0] for row in kept}

    ids = cut("clients.csv", lambda cells: cells[2] != "" and cells[0] <= "C010")
    numbers = cut("factures.csv", lambda cells: cells[1] in ids)
    cut("reglements.csv", lambda cells: cells[0] in numbers)
    return folder


def workspace(template: Path, where: Path, smtp_port: int | None = None) -> Path:
    shutil.copytree(template, where)
    if smtp_port is not None:
        config = where / "relance.toml"
        config.write_text(
            config.read_text(encoding="utf-8")
            + f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\nretries = 0\n',
            encoding="utf-8",
        )
    return where


def start(folder: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RELANCE_SMTP_BACKOFF": "0.01"}
    env.pop("RELANCE_CONFIG", None)
    return subprocess.Popen(
        [
            *RELANCE,
            "run",
            "--date",
            DAY,
            "--out",
            str(out),
            "-c",
            str(folder / "relance.toml"),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def check(folder: Path, outs: list[Path]) -> list[str]:
    """Files == confirmed records; no open claim; the journal verifies.  The references."""
    with SqliteJournal(folder / "relance-journal.sqlite") as journal:
        assert journal.verify().ok, journal.verify().problems
        assert journal.claims() == ()
        records = journal.records()
        targets = {
            c.target.split(":", 1)[1]
            for c in journal.claims(pending=False)
            if c.state.value == "confirmed"
        }
    on_disk = {str((out / name).absolute()) for out in outs for name in messages(out)}
    assert on_disk == targets
    assert len(records) == len(targets)
    return [r.reference or "" for r in records]


# The options of the runs of even and odd workspaces: one process, or rendering in two.
JOBS: tuple[tuple[str, ...], ...] = ((), ("--jobs", "2"))
# Kills per workspace before a run to completion, and workspaces crashed side by side.
KILLS_PER_WORKSPACE = 5
PARALLEL = int(os.environ.get("RELANCE_CRASH_PARALLEL", "2"))


def crash_workspace(
    folder: Path, rng: random.Random, *extra: str
) -> tuple[int, int, set[str]]:
    """Kill runs on one workspace at random points, then run to completion and check it:
    (runs started, runs killed, the action keys written)."""
    out = folder / "sortie"
    kills = 0
    for _ in range(KILLS_PER_WORKSPACE):
        process = start(folder, out, *extra)
        # A run spends ~0.8 s importing, then renders, claims, writes and confirms: the
        # kill falls anywhere from the end of the start-up to the end of the run.
        time.sleep(rng.uniform(0.6, 2.2))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
    done = start(folder, out)
    assert done.wait() == 0, done.stderr.read() if done.stderr else ""
    check(folder, [out])
    names = {name.split("_rl-")[1] for name in messages(out)}
    shutil.rmtree(folder)
    return KILLS_PER_WORKSPACE, kills, names


def test_a_run_killed_at_random_points_is_finished_by_the_next_one(
    template: Path, tmp_path: Path
) -> None:
    print(f"\ncrash seed {SEED} (RELANCE_CRASH_SEED to replay), {TRIALS} trials")
    folders = -(-TRIALS // KILLS_PER_WORKSPACE)
    rngs = [random.Random(SEED * 1000 + i) for i in range(folders)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        results = list(
            pool.map(
                # Every other workspace renders in two processes (--jobs 2).
                lambda i: crash_workspace(
                    workspace(template, tmp_path / f"w{i}"), rngs[i], *JOBS[i % 2]
                ),
                range(folders),
            )
        )
    trials = sum(started for started, _, _ in results)
    kills = sum(killed for _, killed, _ in results)
    baseline = results[0][2]
    assert all(names == baseline for _, _, names in results)  # every due action, once
    assert trials >= TRIALS
    print(
        f"crash: {trials} runs started, {kills} killed with SIGKILL, {folders} workspaces"
        f" ({PARALLEL} at a time, half of them with --jobs 2), {len(baseline)} actions each"
    )


def test_sigint_after_commit_loses_nothing(template: Path, tmp_path: Path) -> None:
    folder = workspace(template, tmp_path / "w")
    out = folder / "sortie"
    process = start(folder, out)
    time.sleep(0.9)
    process.send_signal(signal.SIGINT)
    process.wait()
    assert start(folder, out).wait() == 0
    check(folder, [out])


def test_concurrent_runs_into_one_folder_and_into_different_folders(
    template: Path, tmp_path: Path
) -> None:
    folder = workspace(template, tmp_path / "w")
    outs = [folder / "sortie", folder / "sortie", folder / "a", folder / "b"]
    processes = [start(folder, out) for out in outs]
    assert [p.wait() for p in processes] == [0, 0, 0, 0]
    references = check(folder, sorted(set(outs)))
    assert len(references) == len(set(references))


class Log:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.ids.append(str(parsed["Message-ID"]))
        return "250 OK"


def test_sending_runs_killed_at_random_deliver_each_message_once(
    template: Path, tmp_path: Path
) -> None:
    rng = random.Random(SEED + 1)
    from test_smtp import free_port

    log = Log()
    port = free_port()
    controller = Controller(log, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        folder = workspace(template, tmp_path / "w", port)
        out = folder / "sortie"
        kills = settled = 0
        for _ in range(max(3, TRIALS // 10)):
            process = start(folder, out, "--send")
            time.sleep(rng.uniform(0.5, 2.0))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait()
            # A person settles the uncertain sends with the server's log.
            with SqliteJournal(folder / "relance-journal.sqlite") as journal:
                for claim in journal.claims():
                    if claim.target.startswith("smtp:"):
                        settled += 1
                        if claim.record.reference in log.ids:
                            journal.confirm(claim.key)
                        else:
                            journal.release(claim.key, "not in the server's log")
        assert start(folder, out, "--send").wait() == 0
        references = check(folder, [out])
    finally:
        controller.stop()
    sent = [r for r in references if r.startswith("<")]
    assert sorted(log.ids) == sorted(set(log.ids)) == sorted(sent)
    print(
        f"\nsending crash: {kills} kills, {settled} uncertain claims settled, {len(log.ids)} messages delivered once each"
    )


def children(pid: int) -> set[int]:
    """The processes ``pid`` started (Linux: /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found |= {int(child) for child in task.read_text().split()}
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
def test_the_render_processes_end_when_the_run_is_killed(template: Path, tmp_path: Path) -> None:
    folder = workspace(template, tmp_path / "w")
    process = start(folder, folder / "sortie", "--jobs", "2")
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
        workers |= children(process.pid)
        time.sleep(0.02)
    assert len(workers) >= 2, "the run ended before its render processes were seen"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in alive if Path(f"/proc/{pid}").exists() and not _zombie(pid)}
        time.sleep(0.05)
    assert alive == set()
    assert start(folder, folder / "sortie").wait() == 0
    check(folder, [folder / "sortie"])


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (FileNotFoundError, IndexError):
        return True
