"""The ledger in git: one file, `ledger.jsonl`, on the ref `refs/tagship/ledger`.

Each append is one commit on that ref (parent: the previous head) pushed to `origin`, so the
ledger travels with the repository and a tag-triggered CI job can append without pushing to
`main`. Appends from concurrent jobs never lose a record: the push is a fast-forward only, and
a rejected push fetches the new head, re-chains the record on it and tries again.

API for the other steps (publish, tag, yank, rollback, GitHub Release):

- `append_event(git, event, env) -> Record`: record an action that changed the world.
- `read_ledger(git) -> ChainCheck`, `ledger_head(git) -> str | None`.
- `local_only(git)`: origin has no ledger yet the local ref has records (appended before
  origin existed); the next append pushes them first, never starting a second chain.

Reading fetches origin's ledger into `refs/tagship/remotes/origin/ledger`, never over the local
`refs/tagship/ledger`, which only moves forward onto a verified chain: a clone keeps its good
copy when origin's is tampered with, and can push it back.
- `anchors(git)`: the head hashes anchored in release tag messages; to anchor a tag, write
  `core.ledger.anchor_line(ledger_head(git))` into its message right after appending the
  `tag` event (same for a GitHub Release body after the `github-release` event).
"""

from __future__ import annotations

import platform
import random
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from tagship.core.ci_env import in_github_actions
from tagship.core.errors import IntegrityError, ServiceError
from tagship.core.ledger import (
    GITHUB_ACTIONS,
    LOCAL,
    Actor,
    Anchor,
    ChainCheck,
    Event,
    make_record,
    parse_anchor,
    split_lines,
    verify_chain,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from tagship.adapters.git import Git
    from tagship.core.ledger import Record

LEDGER_REF = "refs/tagship/ledger"
LEDGER_FILE = "ledger.jsonl"
ATTEMPTS = 12
_REFS = "refs/tagship/"
_ABSENT = "0" * 40  # as the old value of a ref update: the ref must not exist yet
_BACKOFF_BASE = 0.05  # seconds; doubled per attempt, full jitter, capped
_BACKOFF_CAP = 2.0


def actor_from_env(env: Mapping[str, str], git: Git | None = None) -> Actor:
    """The actor of a record. GitHub Actions is recognised by GITHUB_ACTIONS=true; only
    names and ids are taken from the environment, never a token."""
    if in_github_actions(env):
        workflow_ref = env.get("GITHUB_WORKFLOW_REF") or None
        # owner/repo/.github/workflows/publish-pypi.yml@refs/tags/v1.2.3 -> publish-pypi.yml
        workflow = workflow_ref.split("@", 1)[0].rsplit("/", 1)[-1] if workflow_ref else None
        return Actor(
            kind=GITHUB_ACTIONS,
            repository=env.get("GITHUB_REPOSITORY") or None,
            workflow=workflow,
            workflow_ref=workflow_ref,
            run_id=env.get("GITHUB_RUN_ID") or None,
            run_attempt=env.get("GITHUB_RUN_ATTEMPT") or None,
            ref=env.get("GITHUB_REF") or None,
            sha=env.get("GITHUB_SHA") or None,
            # GitHub exports no variable naming the job's environment: generated workflows
            # set TAGSHIP_ENVIRONMENT next to `environment:`
            environment=env.get("TAGSHIP_ENVIRONMENT") or None,
            triggered_by=env.get("GITHUB_ACTOR") or None,
        )
    user = None
    if git is not None:
        user = git.config_value("user.email") or git.config_value("user.name")
    return Actor(kind=LOCAL, user=user, host=platform.node() or None)


def _utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _has_remote(git: Git, remote: str) -> bool:
    return git.remote_url(remote) is not None


def _tracking(remote: str) -> str:
    # what the remote holds is fetched here, never over the local ref: verifying a tampered
    # origin must not destroy the good copy a clone still has
    return f"refs/tagship/remotes/{remote}/ledger"


def _load(git: Git, ref: str) -> tuple[str | None, str, ChainCheck]:
    """(head commit, stored text, verified chain) of a ledger ref."""
    commit = git.ref_sha(ref)
    return (commit, *_load_commit(git, commit))


def _sync(git: Git, remote: str) -> str:
    """Bring the remote's ledger into the tracking ref; returns that ref."""
    tracking = _tracking(remote)
    # ls-remote is one cheap round trip; fetch only when the remote head differs
    remote_head = git.remote_ref_sha(LEDGER_REF, remote)
    if remote_head is None or remote_head != git.ref_sha(tracking):
        git.fetch_ref(LEDGER_REF, tracking, remote)
    return tracking


def _follow(git: Git, commit: str | None) -> None:
    # the local ref moves only forward, onto a verified chain that contains it
    local = git.ref_sha(LEDGER_REF)
    if commit is not None and local != commit and (local is None or git.is_ancestor(local, commit)):
        git.update_ref(LEDGER_REF, commit, local or _ABSENT)


def read_ledger(git: Git, *, remote: str | None = "origin") -> ChainCheck:
    """The ledger as verified records: `remote`'s when the repository has that remote and
    it holds a ledger, else the local ref. The result says where the chain breaks
    (`.problem`); it does not raise for that. A verified remote ledger that extends the
    local ref fast-forwards it."""
    if remote is None or not _has_remote(git, remote):
        return _load(git, LEDGER_REF)[2]
    commit, _, check = _load(git, _sync(git, remote))
    if commit is None:
        # records appended before the remote existed: they are the ledger until the next
        # append pushes them (`local_only` tells that origin lacks them)
        return _load(git, LEDGER_REF)[2]
    if check.ok:
        _follow(git, commit)
    return check


def local_only(git: Git, *, remote: str = "origin") -> bool:
    """True when `remote` had no ledger at the last read while the local ref has records
    (appended before the remote existed, or deleted on the remote): the next append pushes
    them, `git push origin refs/tagship/ledger` does it now."""
    return (
        _has_remote(git, remote)
        and git.ref_sha(_tracking(remote)) is None
        and git.ref_sha(LEDGER_REF) is not None
    )


def ledger_head(git: Git, *, remote: str = "origin") -> str | None:
    """The hash of the last record (to anchor it), as last seen on `remote` (no fetch), or
    in the local ref without that remote; None for an empty ledger. Right after
    `append_event` it is the hash of the record just appended."""
    tracking = _tracking(remote)
    ref = tracking if _has_remote(git, remote) and git.ref_sha(tracking) else LEDGER_REF
    return _load(git, ref)[2].head


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
    attempts: int = ATTEMPTS,
    clock: Callable[[], str] = _utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> Record:
    """Append `event` to the ledger and push it; returns the record as stored.

    The actor comes from `env` (GitHub Actions run, or local git user and host). Without a
    `remote` configured in the repository the ledger is local only. A ledger whose chain is
    broken is never extended (IntegrityError); a push still rejected after `attempts`
    tries raises ServiceError, and nothing is left half-done either way."""
    actor = actor_from_env(env, git)
    online = _has_remote(git, remote)
    tracking = _tracking(remote)
    reason = ""
    for attempt in range(attempts):
        refs = git.refs(_REFS)
        # the first try trusts the last fetched copy: a stale one only costs a rejected push,
        # after which every try asks the remote first
        synced = online and (attempt > 0 or tracking not in refs)
        if synced:
            _sync(git, remote)
            refs = git.refs(_REFS)
        base = tracking if online and tracking in refs else LEDGER_REF
        head_commit, local = refs.get(base), refs.get(LEDGER_REF)
        text, check = _load_commit(git, head_commit)
        if check.problem is not None:
            raise IntegrityError(
                f"the ledger is broken at record {check.problem.position}: "
                f"{check.problem.message}; refusing to append",
                hint="run `tagship ledger verify` and restore the ledger ref from a good copy",
            )
        if online:
            _keeps_local(git, remote, head_commit, local)
        last = check.records[-1] if check.records else None
        record = make_record(
            (last.seq + 1) if last else 1, clock(), last.hash if last else None, event, actor
        )
        commit = _commit(git, head_commit, text, record)
        if not online:
            if git.update_ref(LEDGER_REF, commit, head_commit or _ABSENT):
                return record
            reason = "the local ledger ref changed meanwhile"
        else:
            rejected = git.push_ref(commit, LEDGER_REF, remote)
            if rejected is None:
                # the local ref follows in the same transaction: it is an ancestor (checked)
                moved = [(tracking, commit, refs.get(tracking) or _ABSENT)]
                if not git.update_refs([*moved, (LEDGER_REF, commit, local or _ABSENT)]):
                    git.update_ref(tracking, commit)
                    _follow(git, commit)
                return record
            reason = rejected
            if not synced:
                continue
        # full jitter keeps competing CI jobs from retrying in lockstep
        sleep(random.uniform(0, min(_BACKOFF_CAP, _BACKOFF_BASE * 2**attempt)))  # noqa: S311
    raise ServiceError(
        f"could not append the {event.kind} record to the ledger after {attempts} attempts "
        f"({reason})",
        hint=f"other jobs keep updating {LEDGER_REF}; rerun the step",
    )


def _load_commit(git: Git, commit: str | None) -> tuple[str, ChainCheck]:
    """(stored text, verified chain) of the ledger at `commit`."""
    if commit is None:
        return "", ChainCheck((), None)
    text = git.read_blob(f"{commit}:{LEDGER_FILE}")
    if text is None:
        raise IntegrityError(
            f"{LEDGER_REF} at {commit[:12]} holds no {LEDGER_FILE}: not a tagship ledger",
            hint=f"inspect it with: git show {commit}",
        )
    return text, verify_chain(split_lines(text.encode()))


def _keeps_local(git: Git, remote: str, head_commit: str | None, local: str | None) -> None:
    # local records the remote's ledger lacks are refused rather than dropped (with no remote
    # ledger, the append chains on the local ref: head_commit is then the local head)
    if local is None or local == head_commit:
        return
    if head_commit is None or not git.is_ancestor(local, head_commit):
        raise IntegrityError(
            f"the local {LEDGER_REF} has records that {remote}'s ledger lacks; refusing to "
            "append on top of a ledger that would drop them",
            hint=f"compare with `tagship ledger show`; if the local copy is the good one: "
            f"git push --force {remote} {LEDGER_REF}",
        )


def _commit(git: Git, parent: str | None, text: str, record: Record) -> str:
    # the stored text verified, so it is a whole number of lines: append ours
    tree = git.write_tree({LEDGER_FILE: git.write_blob(text + record.line().decode() + "\n")})
    event = record.event
    message = f"tagship ledger #{record.seq}: {event.kind} {event.project} {event.version}"
    return git.commit_tree(tree, parent, message)
