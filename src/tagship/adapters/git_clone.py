"""A throwaway copy of a user's repository, and a fingerprint proving the original untouched.

The copy is a bare mirror (every branch, tag and ledger ref as the user has them) standing in
for `origin`, and a work tree cloned from it at the user's committed HEAD. Nothing here
writes to the user's repository: git is told not to refresh its index while looking
(GIT_OPTIONAL_LOCKS=0), and only reads run there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.git_base import git_environment
from tagship.core.errors import ServiceError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.adapters.process import Runner

# the identity of the clone's commits and tags when the user's repository names none
_IDENTITY = {"user.name": "tagship rehearse", "user.email": "rehearse@tagship.invalid"}


@dataclass(frozen=True)
class Original:
    """The user's repository as found: its root, HEAD, branch and uncommitted paths."""

    root: Path
    head: str
    branch: str | None
    dirty: tuple[str, ...]
    origin_url: str | None


@dataclass(frozen=True)
class ThrowawayClone:
    """The copy: a work tree whose `origin` is a bare mirror beside it."""

    work: Path
    origin: Path


@dataclass(frozen=True)
class _Reader:
    """Read-only git in the user's repository."""

    root: Path
    runner: Runner
    env: Mapping[str, str]

    def out(self, *args: str, check: bool = True) -> str | None:
        # no optional lock: `status` would otherwise rewrite the index's stat cache; no
        # fsmonitor: `status` runs the command core.fsmonitor names, in the user's tree
        env = {**git_environment(self.env), "GIT_OPTIONAL_LOCKS": "0"}
        reading = ["git", "-c", "core.fsmonitor=false", "-C", str(self.root)]
        done = self.runner([*reading, *args], env=env)
        if not done.ok:
            if check:
                raise ServiceError(f"git {args[0]} failed in {self.root}: {done.reason()}")
            return None
        return done.stdout


def read_original(root: Path, runner: Runner, env: Mapping[str, str]) -> Original:
    """The facts of the repository at `root` (its work tree's top) a rehearsal starts from."""
    git = _Reader(root, runner, env)
    head = (git.out("rev-parse", "--verify", "HEAD") or "").strip()
    branch = git.out("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    status = git.out("status", "--porcelain", "-z", "--untracked-files=normal") or ""
    dirty, entries = [], iter(status.split("\0"))
    for entry in entries:
        if entry:
            dirty.append(entry[3:])
            if entry[0] in "RC":  # `XY new\0old`: the old path follows
                next(entries, None)
    url = git.out("remote", "get-url", "origin", check=False)
    return Original(
        root, head, branch.strip() if branch else None, tuple(dirty), url.strip() if url else None
    )


def fingerprint(root: Path, runner: Runner, env: Mapping[str, str]) -> str:
    """A digest of what a rehearsal must leave as it was: every ref and HEAD, the status and
    the uncommitted changes, and the repository's config file."""
    git = _Reader(root, runner, env)
    digest = hashlib.sha256()
    for args in (
        ("for-each-ref", "--format=%(refname) %(objectname)"),
        ("rev-parse", "HEAD"),
        ("symbolic-ref", "--quiet", "HEAD"),
        ("status", "--porcelain", "-z", "--untracked-files=all"),
        ("diff", "--binary", "HEAD"),
    ):
        digest.update((git.out(*args, check=False) or "-").encode("utf-8", "surrogateescape"))
    config = (git.out("rev-parse", "--path-format=absolute", "--git-path", "config") or "").strip()
    digest.update(Path(config).read_bytes() if config else b"-")
    return digest.hexdigest()


def throwaway_clone(
    original: Original, base: Path, runner: Runner, env: Mapping[str, str]
) -> ThrowawayClone:
    """Mirror the user's repository into `base`/origin.git and check out its committed HEAD
    (on its branch) in `base`/work; the copy commits and tags as the user, unsigned."""
    origin, work = base / "origin.git", base / "work"
    reader = _Reader(original.root, runner, env)
    identity = {
        key: (reader.out("config", key, check=False) or "").strip() or fallback
        for key, fallback in _IDENTITY.items()
    }
    checkout = (
        ["checkout", "--quiet", "-B", original.branch, original.head]
        if original.branch
        else ["checkout", "--quiet", "--detach", original.head]
    )
    steps = [
        ["git", "clone", "--quiet", "--mirror", "--", str(original.root), str(origin)],
        ["git", "clone", "--quiet", "--no-checkout", "--", str(origin), str(work)],
        ["git", "-C", str(work), "config", f"url.{origin}.insteadOf", str(origin)],
        ["git", "-C", str(work), "config", "remote.origin.pushurl", str(origin)],
        ["git", "-C", str(work), *checkout],
        # the ledger travels on its own refs, which a clone does not fetch
        ["git", "-C", str(work), "fetch", "--quiet", "origin", "+refs/tagship/*:refs/tagship/*"],
        *(["git", "-C", str(work), "config", key, value] for key, value in identity.items()),
        # a rehearsal's tag is thrown away: no signing prompt for it
        ["git", "-C", str(work), "config", "commit.gpgSign", "false"],
        ["git", "-C", str(work), "config", "tag.gpgSign", "false"],
    ]
    if original.branch:
        upstream = ["branch", "--quiet", f"--set-upstream-to=origin/{original.branch}"]
        steps.append(["git", "-C", str(work), *upstream])
    clean = _pinned(git_environment(env), original.root, origin)
    for args in steps:
        done = runner(args, env=clean)
        if not done.ok:
            raise ServiceError(f"copying the repository into {base} failed: {done.reason()}")
    return ThrowawayClone(work, origin)


def _pinned(env: dict[str, str], *paths: Path) -> dict[str, str]:
    """`env` with a rule `url.P.insteadOf=P` for each path, after any the caller set.

    A url rewrite in the user's git config (`url.X.insteadOf`, `pushInsteadOf`) matching
    these paths would send the copy's fetches and pushes elsewhere: the longest rule wins,
    so one naming the whole path keeps it (the copy's explicit pushurl takes no
    pushInsteadOf). Set through GIT_CONFIG_COUNT: `git -c` cannot take a path with `=`."""
    given = env.get("GIT_CONFIG_COUNT", "0")
    count = int(given) if given.isdigit() else 0
    pinned = dict(env)
    for offset, path in enumerate(paths):
        pinned[f"GIT_CONFIG_KEY_{count + offset}"] = f"url.{path}.insteadOf"
        pinned[f"GIT_CONFIG_VALUE_{count + offset}"] = str(path)
    pinned["GIT_CONFIG_COUNT"] = str(count + len(paths))
    return pinned
