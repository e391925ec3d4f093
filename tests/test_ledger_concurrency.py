"""Concurrent appends from many jobs to one origin lose no record: 8 jobs, each its own
clone, each running the real CLI 50 times on this small machine, land 400 of 400."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest

from conftest import git
from ledger_kit import head
from releases import make_release
from servers import running_pypiserver
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import LEDGER_REF, read_ledger

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import MakeRepo

pytestmark = pytest.mark.integration

WRITERS = 8
EACH = 50


# one CI job: the real CLI's entry point once per run attempt, in one process per job (a
# process start per record would make the test three times slower and prove nothing more)
_JOB = """
import os, sys
from tagship.cli import main
clone, writer, each = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.environ.update(GITHUB_ACTIONS="true", GITHUB_REPOSITORY="o/r", GITHUB_RUN_ID=writer)
for attempt in range(each):
    os.environ["GITHUB_RUN_ATTEMPT"] = str(attempt)
    code = main(["-C", clone, "wait", "--index", "local", "--timeout", "30"])
    if code:
        print(f"job {writer} attempt {attempt}: exit {code}")
"""


def _job(clone: Path, writer: int) -> list[str]:
    """`tagship wait` (the cheapest command that appends a record: one look at the index,
    then a `wait` record) once per run attempt; the failures it saw."""
    done = subprocess.run(
        [sys.executable, "-c", _JOB, str(clone), str(writer), str(EACH)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    failures = [line for line in done.stdout.splitlines() if line.startswith("job ")]
    if done.returncode != 0:
        failures.append(f"job {writer}: exit {done.returncode} {done.stderr[-500:]}")
    return failures


@pytest.mark.slow
def test_concurrent_appends_lose_nothing(make_repo: MakeRepo, tmp_path: Path) -> None:
    with running_pypiserver(tmp_path / "packages") as index:
        release = make_release(make_repo, index.upload_url, index.simple_url)
        for entry in release.manifest.files:
            shutil.copy(release.dist / entry.name, index.directory)
        clones = []
        for writer in range(WRITERS):
            clone = tmp_path / f"job{writer}"
            git(tmp_path, "clone", "--quiet", str(release.repo.origin), str(clone))
            shutil.copytree(release.dist, clone / "dist")
            clones.append(clone)
        start = time.monotonic()
        with ThreadPoolExecutor(WRITERS) as pool:
            failures = [f for found in pool.map(_job, clones, range(WRITERS)) for f in found]
        elapsed = time.monotonic() - start
    assert failures == [], f"{len(failures)} appends failed in {elapsed:.0f} s: {failures[:3]}"
    check = read_ledger(Git(release.repo.path))
    assert check.ok, check.problem
    assert [r.seq for r in check.records] == list(range(1, WRITERS * EACH + 1))
    assert {r.event.kind for r in check.records} == {"wait"}
    landed = {(r.actor.run_id, r.actor.run_attempt) for r in check.records}
    assert landed == {(str(w), str(a)) for w in range(WRITERS) for a in range(EACH)}
    # one commit per record on origin's ref, and every job's own copy followed it
    commits = git(release.repo.origin, "rev-list", LEDGER_REF).split()
    assert len(commits) == WRITERS * EACH
    assert {head(clone) for clone in clones} <= set(commits)
