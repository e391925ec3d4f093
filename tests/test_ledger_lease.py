"""A ledger append on the remote's head as last fetched: no question to the remote first, a
push under git's lease that lands only on that head, and a stale copy refetched at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conftest import MakeRepo, git
from ledger_kit import CI_ENV, TRACKING_REF, chain, forge, head, publish_event
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import LEDGER_REF, Patience, append_event, read_ledger
from tagship.adapters.process import run
from tagship.core.errors import IntegrityError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from tagship.adapters.process import Completed


class Counted:
    """The process chokepoint, recording the git subcommand of each process it starts."""

    def __init__(self) -> None:
        self.commands: list[str] = []

    def __call__(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> Completed:
        words = [a for a in args[3:] if not a.startswith("-") and "=" not in a]
        self.commands.append(words[0] if words else "")
        return run(args, cwd=cwd, env=env, timeout=timeout, stdin=stdin)


def _patience(sleeps: list[float]) -> Patience:
    return Patience(seconds=30.0, sleep=sleeps.append)


def test_an_append_on_a_fetched_ledger_asks_the_remote_nothing_first(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo()
    append_event(Git(repo.path), publish_event("1.0.0"), CI_ENV)  # fetches nothing: creates
    counted = Counted()
    record = append_event(Git(repo.path, runner=counted), publish_event("1.0.1"), CI_ENV)
    assert record.seq == 2
    assert "ls-remote" not in counted.commands
    assert "fetch" not in counted.commands
    # remote, refs, the stored ledger, blob, tree, commit, push, both refs
    assert counted.commands == [
        "remote",
        "for-each-ref",
        "cat-file",
        "hash-object",
        "mktree",
        "commit-tree",
        "push",
        "update-ref",
    ]
    assert head(repo.origin) == head(repo.path) == head(repo.path, TRACKING_REF)


def test_a_clone_that_never_fetched_the_ledger_asks_first(make_repo: MakeRepo) -> None:
    repo = make_repo()
    append_event(Git(repo.path), publish_event("1.0.0"), CI_ENV)
    fresh = repo.path.parent / "fresh"
    git(repo.path.parent, "clone", "--quiet", str(repo.origin), str(fresh))
    counted, sleeps = Counted(), list[float]()
    record = append_event(
        Git(fresh, runner=counted), publish_event("1.0.1"), CI_ENV, patience=_patience(sleeps)
    )
    assert record.seq == 2
    assert counted.commands.count("push") == 1  # asked, fetched, then pushed once
    assert "ls-remote" in counted.commands
    assert sleeps == []


def test_a_stale_copy_costs_one_rejected_push_and_no_sleep(make_repo: MakeRepo) -> None:
    repo = make_repo()
    append_event(Git(repo.path), publish_event("1.0.0"), CI_ENV)
    other = repo.path.parent / "other"
    git(repo.path.parent, "clone", "--quiet", str(repo.origin), str(other))
    append_event(Git(other), publish_event("1.0.1"), CI_ENV)  # origin moved meanwhile
    counted, sleeps = Counted(), list[float]()
    record = append_event(
        Git(repo.path, runner=counted), publish_event("1.0.2"), CI_ENV, patience=_patience(sleeps)
    )
    assert record.seq == 3
    assert counted.commands.count("push") == 2
    assert "fetch" in counted.commands
    assert sleeps == []  # a stale copy is no contention: no backoff
    assert [r.seq for r in read_ledger(Git(other)).records] == [1, 2, 3]


def test_a_remote_rewound_behind_the_fetched_copy_is_refused_not_healed(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo()
    g = Git(repo.path)
    for n in range(3):
        append_event(g, publish_event(f"1.0.{n}"), CI_ENV)
    first = git(repo.origin, "rev-list", "--max-parents=0", LEDGER_REF)
    git(repo.origin, "update-ref", LEDGER_REF, first)  # origin cut back to record 1
    with pytest.raises(IntegrityError, match="refusing to append"):
        append_event(g, publish_event("1.0.3"), CI_ENV)
    assert git(repo.origin, "rev-parse", LEDGER_REF) == first  # origin left as found


def test_a_tampered_copy_of_the_remote_is_not_trusted_without_asking(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo()
    g = Git(repo.path)
    append_event(g, publish_event("1.0.0"), CI_ENV)
    good = head(repo.origin)
    # the clone's copy of origin's ledger rewritten; origin itself is intact
    forged = forge(repo, chain(2))
    git(repo.path, "push", "--quiet", "--force", "origin", f"{good}:{LEDGER_REF}")
    git(repo.path, "update-ref", TRACKING_REF, forged)
    record = append_event(g, publish_event("1.0.1"), CI_ENV)
    assert record.seq == 2
    assert [r.seq for r in read_ledger(g).records] == [1, 2]
