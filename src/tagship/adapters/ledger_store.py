"""The ledger in git: one file, `ledger.jsonl`, on the ref `refs/tagship/ledger`.

Each append is one commit on that ref (parent: the previous head) pushed to `origin`, so the
ledger travels with the repository and a tag-triggered CI job can append without pushing to
`main`. Appends from concurrent jobs never lose a record: the push lands only on the head the
record was chained on (git's lease), and a rejected push fetches the new head, re-chains the
record on it and tries again, with jittered backoff unless only the clone's copy was stale, for
as long as `Patience` allows (a time, not a count: a busy origin slows every job).
The clone's own ref only moves onto a chain that holds all of it (`ledger_refs`).

API for the other steps (publish, tag, yank, rollback, GitHub Release):

- `append_event(git, event, env) -> Record`: record an action that changed the world.
- `read_ledger(git) -> ChainCheck`, `ledger_head(git) -> str | None`.
- `local_only(git)`: origin has no ledger yet the local ref has records: origin is behind,
  and the next append pushes them first, never starting a second chain.
- `anchors(git)`: the head hashes anchored in release tag messages; to anchor a tag, write
  `core.ledger.anchor_line(ledger_head(git))` into its message right after appending the
  `tag` event (same for a GitHub Release body after the `github-release` event).
"""

from __future__ import annotations

import itertools
import platform
import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from tagship.adapters.git_plumbing import STALE_LEASE
from tagship.adapters.ledger_refs import (
    ABSENT,
    LEDGER_FILE,
    LEDGER_REF,
    advance,
    find_mismatch,
    has_remote,
    load_commit,
    load_ref,
    sync,
    tracking_ref,
)
from tagship.ci import ACTOR_KINDS, read_run
from tagship.core.errors import IntegrityError, ServiceError
from tagship.core.ledger import (
    LOCAL,
    Actor,
    Anchor,
    ChainCheck,
    make_record,
    parse_anchor,
)
from tagship.core.ledger_copies import restore_hint

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from tagship.adapters.git import Git
    from tagship.core.ledger import Event, Record

__all__ = [
    "LEDGER_FILE",
    "LEDGER_REF",
    "PATIENCE",
    "Patience",
    "actor_from_env",
    "anchors",
    "append_event",
    "ledger_head",
    "local_only",
    "read_ledger",
]
_REFS = "refs/tagship/"


@dataclass(frozen=True)
class Patience:
    """How long an append keeps retrying rejected pushes, and how it waits in between: full
    jitter over a doubling backoff (capped), so competing jobs do not retry in lockstep. The
    clock, the sleep and the random draw are parameters so that tests can drive them."""

    seconds: float = 60.0
    base: float = 0.1
    cap: float = 2.0
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    uniform: Callable[[float, float], float] = random.uniform

    def pause(self, retry: int, deadline: float) -> bool:
        """Sleep before retry number `retry` (1, 2...), never past `deadline`; False when
        the deadline has passed and no retry should follow."""
        remaining = deadline - self.monotonic()
        if remaining <= 0:
            return False
        self.sleep(min(remaining, self.uniform(0, min(self.cap, self.base * 2 ** (retry - 1)))))
        return True


PATIENCE = Patience()


def actor_from_env(env: Mapping[str, str], git: Git | None = None) -> Actor:
    """The actor of a record: the CI host's job (the seam reads it from `env`), else this
    machine. Only names and ids are taken, never a token."""
    ci = read_run(env)
    if ci.host is not None:
        return Actor(
            kind=ACTOR_KINDS[ci.host],
            repository=ci.repository,
            workflow=ci.workflow_file,
            workflow_ref=ci.workflow_ref,
            run_id=ci.run_id,
            run_attempt=ci.run_attempt,
            ref=ci.ref or None,
            sha=ci.sha,
            environment=ci.environment,
            triggered_by=ci.actor,
        )
    user = None
    if git is not None:
        user = git.config_value("user.email") or git.config_value("user.name")
    return Actor(kind=LOCAL, user=user, host=platform.node() or None)


def _utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_ledger(git: Git, *, remote: str | None = "origin") -> ChainCheck:
    """The ledger as verified records: `remote`'s when the repository has that remote and
    it holds a ledger, else the local ref. The result says where the chain breaks, or where
    it lacks or changes a record of the local copy (`.problem`, a `CopyMismatch`: the
    local ref then stays where it is); it does not raise for that. A verified remote ledger
    that holds every local record moves the local ref onto it."""
    if remote is None or not has_remote(git, remote):
        return load_ref(git, LEDGER_REF)[2]
    sync(git, remote)
    commit, text, check = load_ref(git, tracking_ref(remote))
    if commit is None:
        # origin is behind: records appended before it existed (or after its ledger was
        # deleted) are the ledger until the next append pushes them (`local_only` tells)
        return load_ref(git, LEDGER_REF)[2]
    if not check.ok:
        return check
    mismatch = advance(git, remote, commit, text)
    if mismatch is not None:
        return ChainCheck(check.records[: mismatch.position - 1], mismatch)
    return check


def local_only(git: Git, *, remote: str = "origin") -> bool:
    """True when `remote` had no ledger at the last read while the local ref has records
    (appended before the remote existed, or deleted on the remote): the next append pushes
    them, `git push origin refs/tagship/ledger` does it now."""
    return (
        has_remote(git, remote)
        and git.ref_sha(tracking_ref(remote)) is None
        and git.ref_sha(LEDGER_REF) is not None
    )


def ledger_head(git: Git) -> str | None:
    """The hash of the last record of the local copy (to anchor it), None for an empty
    ledger. Right after `append_event` it is the hash of the record just appended; the local
    ref never holds a chain that lost a record, unlike a fetched one."""
    return load_ref(git, LEDGER_REF)[2].head


def anchors(git: Git, tags: Mapping[str, str | None] | None = None) -> list[Anchor]:
    """Head hashes anchored in tag messages: `tags` maps tag name -> message (None for a
    lightweight tag); by default every tag of the repository."""
    if tags is None:
        tags = {t.name: t.message for t in git.tag_records()}
    found = []
    for name, message in sorted(tags.items()):
        head = parse_anchor(message) if message else None
        if head is not None:
            found.append(Anchor(f"tag {name}", head))
    return found


def append_event(
    git: Git,
    event: Event,
    env: Mapping[str, str],
    *,
    remote: str = "origin",
    patience: Patience = PATIENCE,
    clock: Callable[[], str] = _utc_now,
) -> Record:
    """Append `event` to the ledger and push it; returns the record as stored.

    The actor comes from `env` (GitHub Actions run, or local git user and host). Without a
    `remote` configured in the repository the ledger is local only. A ledger whose chain is
    broken, or a remote ledger that lacks or changes a local record, is never extended
    (IntegrityError); a push still rejected after `patience.seconds` raises ServiceError,
    and nothing is left half-done either way."""
    (record,) = append_events(git, [event], env, remote=remote, patience=patience, clock=clock)
    return record


def append_events(
    git: Git,
    events: Sequence[Event],
    env: Mapping[str, str],
    *,
    remote: str = "origin",
    patience: Patience = PATIENCE,
    clock: Callable[[], str] = _utc_now,
) -> list[Record]:
    """Append `events`, in order, as one commit pushed once (see `append_event`): the record
    job's events land together or not at all."""
    actor = actor_from_env(env, git)
    online = has_remote(git, remote)
    deadline = patience.monotonic() + patience.seconds
    reason = ""
    for attempt in itertools.count(1):
        base = _base(git, remote, online=online, rejected=attempt > 1)
        records: list[Record] = []
        last = base.check.records[-1] if base.check.records else None
        for event in events:
            last = make_record(
                (last.seq + 1) if last else 1, clock(), last.hash if last else None, event, actor
            )
            records.append(last)
        refused = _store(git, remote, base, records, online=online)
        if refused is None:
            return records
        reason = refused
        if base.guessed and STALE_LEASE in refused:
            continue  # the copy fetched earlier was stale, no one is busy: fetch at once
        if not patience.pause(attempt, deadline):
            break
    kinds = ", ".join(e.kind for e in events)
    raise ServiceError(
        f"could not append the {kinds} record(s) to the ledger within "
        f"{patience.seconds:.12g} s ({attempt} attempts; last: {reason})",
        hint=f"other jobs keep updating {LEDGER_REF} on {remote}; rerun the step",
    )


@dataclass(frozen=True)
class _Base:
    """The verified chain an append builds on: its commit, stored text and records, and
    every ref under refs/tagship/ as read; `guessed`: the remote was not asked, its head
    as last fetched was taken (the push's lease then checks it)."""

    commit: str | None
    text: str
    check: ChainCheck
    refs: Mapping[str, str]
    guessed: bool = False


def _base(git: Git, remote: str, *, online: bool, rejected: bool, guess: bool = True) -> _Base:
    """The chain to append to: the remote's, else the local ref's. The remote's head as last
    fetched is taken without asking (one round trip less: the push's lease lands only on
    that very head, and a stale copy costs one rejection, then a fetch); a clone that never
    fetched it asks first. `rejected`: the last try's push was. IntegrityError when the
    chain is broken or lacks or changes a local record."""
    tracking = tracking_ref(remote)
    refs = git.refs(_REFS)
    guessed = guess and online and not rejected and tracking in refs
    if online and not guessed and sync(git, remote, moved=rejected, refs=refs):
        refs = git.refs(_REFS)  # the fetch moved the tracking ref
    commit = refs.get(tracking if online and tracking in refs else LEDGER_REF)
    text, check = load_commit(git, commit)
    mismatch = None
    if check.problem is None and commit is not None:
        mismatch = find_mismatch(git, remote, commit, text, refs.get(LEDGER_REF))
    if guessed and (check.problem is not None or mismatch is not None):
        # only the remote's head as it is now is judged, never an old copy of it
        return _base(git, remote, online=online, rejected=False, guess=False)
    if check.problem is not None:
        raise IntegrityError(
            f"the ledger is broken at record {check.problem.position}: "
            f"{check.problem.message}; refusing to append",
            hint="run `tagship ledger verify` and restore the ledger ref from a good copy",
        )
    if mismatch is not None:
        raise IntegrityError(
            f"{mismatch.message}; refusing to append on it",
            hint=restore_hint(mismatch, remote, tracking, LEDGER_REF),
        )
    return _Base(commit, text, check, refs, guessed)


def _store(
    git: Git, remote: str, base: _Base, records: Sequence[Record], *, online: bool
) -> str | None:
    """Commit `base`'s chain with `records` appended and move the ledger onto it: pushed as
    a fast-forward (the local ref following), or offline the local ref alone. None when
    done, else why not."""
    # a verified chain is whole lines, though a hand-written one may lack the last newline
    text = f"{base.text}\n" if base.text and not base.text.endswith("\n") else base.text
    text += "".join(record.line().decode() + "\n" for record in records)
    commit = _commit(git, base.commit, text, records)
    local = base.refs.get(LEDGER_REF)
    if not online:
        if git.update_ref(LEDGER_REF, commit, local or ABSENT):
            return None
        return "the local ledger ref changed meanwhile"
    tracking = tracking_ref(remote)
    # the push lands only where the chain verified above ends: the remote's head as read
    rejected = git.push_ref(commit, LEDGER_REF, remote, expect=base.refs.get(tracking) or ABSENT)
    if rejected is None:
        # the local ref follows in the same transaction: the new chain holds it
        moved = [(tracking, commit, base.refs.get(tracking) or ABSENT)]
        if not git.update_refs([*moved, (LEDGER_REF, commit, local or ABSENT)]):
            git.update_ref(tracking, commit)
            advance(git, remote, commit, text)
    return rejected


def _commit(git: Git, parent: str | None, text: str, records: Sequence[Record]) -> str:
    """A commit on `parent` storing `text`, the ledger file with `records` appended."""
    tree = git.write_tree({LEDGER_FILE: git.write_blob(text)})
    first, last = records[0], records[-1]
    seqs = f"#{first.seq}" if first is last else f"#{first.seq}-#{last.seq}"
    kinds = ", ".join(r.event.kind for r in records)
    message = f"tagship ledger {seqs}: {kinds} {last.event.project} {last.event.version}"
    return git.commit_tree(tree, parent, message)
