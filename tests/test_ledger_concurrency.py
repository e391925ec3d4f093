"""Concurrent appends from many jobs to one origin lose no record."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from conftest import MakeRepo, git
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import LEDGER_REF, read_ledger

if TYPE_CHECKING:
    from pathlib import Path

WRITERS = 8
EACH = 50

# each writer is its own clone, as each CI job has its own checkout
WRITER = """
import sys
from pathlib import Path
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import append_event
from tagship.core.ledger import Event

clone, writer, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
env = {"GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": writer, "GITHUB_REPOSITORY": "o/r"}
for n in range(count):
    event = Event("wait", "sample-pkg", "1.0.0", details={"writer": writer, "n": str(n)})
    append_event(Git(Path(clone)), event, env, attempts=400)
"""


@pytest.mark.integration
def test_concurrent_appends_lose_nothing(make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = make_repo()
    clones = []
    for writer in range(WRITERS):
        clone = tmp_path / f"job{writer}"
        git(tmp_path, "clone", "--quiet", str(repo.origin), str(clone))
        clones.append(clone)
    jobs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(clone), str(writer), str(EACH)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for writer, clone in enumerate(clones)
    ]
    for job in jobs:
        _, err = job.communicate(timeout=300)
        assert job.returncode == 0, err
    check = read_ledger(Git(repo.path))
    assert check.ok, check.problem
    assert len(check.records) == WRITERS * EACH
    assert [r.seq for r in check.records] == list(range(1, WRITERS * EACH + 1))
    written = {(r.event.details["writer"], r.event.details["n"]) for r in check.records}
    assert written == {(str(w), str(n)) for w in range(WRITERS) for n in range(EACH)}
    # one commit per record on origin's ref
    assert git(repo.origin, "rev-list", "--count", LEDGER_REF) == str(WRITERS * EACH)
