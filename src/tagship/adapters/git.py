"""The one place that runs git, always through the injected Runner."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.git_base import git_environment
from tagship.adapters.git_history import GitHistory
from tagship.adapters.git_plumbing import GitPlumbing
from tagship.adapters.git_refs import GitRefs
from tagship.adapters.process import Runner, run
from tagship.core.errors import ConfigError, GateError, ServiceError

if TYPE_CHECKING:
    from collections.abc import Mapping

_SHALLOW_HINT = (
    "fetch the full history and tags: git fetch --unshallow --tags "
    "(in GitHub Actions: actions/checkout with fetch-depth: 0)"
)


@dataclass(frozen=True)
class Describe:
    """Where HEAD stands relative to the last matching tag."""

    tag: str | None
    distance: int
    short_sha: str


_SHA = re.compile(r"[0-9a-f]+")
_NO_SUCH_REMOTE = 2  # git remote's documented exit status


class Git(GitPlumbing, GitHistory, GitRefs):
    """A git work tree: the one place that runs git (with git_plumbing, git_history and
    git_refs)."""

    @classmethod
    def discover(
        cls, path: Path, runner: Runner = run, env: Mapping[str, str] | None = None
    ) -> Git:
        """The work tree containing `path`: ConfigError when there is none, ServiceError when
        there is one git cannot read (a broken HEAD, a repository owned by another user)."""
        args = ["git", "-C", str(path), "rev-parse", "--show-toplevel"]
        done = runner(args, env=git_environment(os.environ if env is None else env))
        if not done.ok:
            resolved = path.resolve()
            if not any((d / ".git").exists() for d in (resolved, *resolved.parents)):
                raise ConfigError(
                    f"{path} is not inside a git repository",
                    hint="run tagship in a clone of the project (git init / git clone)",
                )
            reason = done.reason()
            hint = (
                f"if the repository is yours: git config --global --add safe.directory {path}"
                if "dubious ownership" in reason
                else "repair the repository (git fsck), or clone it afresh"
            )
            raise ServiceError(f"git cannot read the repository at {path}: {reason}", hint=hint)
        return cls(Path(done.stdout.removesuffix("\n")), runner, env)

    # -- reading -----------------------------------------------------------------

    def current_branch(self) -> str | None:
        """The checked-out branch, or None on a detached HEAD."""
        return self._lookup("symbolic-ref", "--quiet", "--short", "HEAD")

    def require_branch(self) -> str:
        branch = self.current_branch()
        if branch is None:
            raise GateError(
                "HEAD is detached; this step needs a branch",
                hint="check out the release branch (git switch main)",
            )
        return branch

    def dirty_files(self, *, untracked: bool = True) -> list[str]:
        """Paths with uncommitted changes, untracked files included (ignored ones not); both
        paths of a rename or copy. ServiceError when git cannot tell (a corrupt index): an
        unreadable tree is never a clean one."""
        mode = "normal" if untracked else "no"
        fields = self._paths("status", "--porcelain", "-z", f"--untracked-files={mode}")
        paths, source_follows = [], False
        for entry in fields:
            if source_follows:  # `XY new\0old`: the old path of a rename or copy
                paths.append(entry)
                source_follows = False
                continue
            status, path = entry[:2], entry[3:]
            paths.append(path)
            source_follows = "R" in status or "C" in status
        return paths

    def tracked_files(self, *pathspecs: str) -> list[str]:
        """The files git tracks under `pathspecs`, as paths from the work tree's top."""
        return self._paths("ls-files", "-z", "--full-name", "--", *pathspecs)

    def is_clean(self) -> bool:
        return not self.dirty_files()

    def is_shallow(self) -> bool:
        return self._out("rev-parse", "--is-shallow-repository") == "true"

    def require_full_history(self) -> None:
        if self.is_shallow():
            raise ConfigError("this clone is shallow: tags and history are missing", _SHALLOW_HINT)

    def commit_time(self, ref: str = "HEAD") -> int:
        """Committer time of `ref` as a Unix timestamp (the SOURCE_DATE_EPOCH of a build)."""
        return int(self._out("log", "-1", "--format=%ct", self.head_sha(ref)))

    def tags(self, pattern: str | None = None, *, merged_into: str | None = None) -> list[str]:
        args = ["tag", "--list"]
        if merged_into is not None:
            args += ["--merged", merged_into]
        if pattern is not None:
            args.append(pattern)
        return [t for t in self._out(*args).splitlines() if t]

    def tag_target(self, tag: str) -> str | None:
        """The commit a local tag points to, or None when the tag does not exist."""
        return self._lookup("rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}")

    def remote_url(self, remote: str = "origin") -> str | None:
        """The remote's URL, or None when the repository has no such remote."""
        done = self._run("remote", "get-url", remote)
        if done.returncode == _NO_SUCH_REMOTE:
            return None
        if not done.ok:
            raise ServiceError(f"git remote get-url {remote} failed: {done.reason()}")
        return done.stdout.strip()

    def remote_tags(self, remote: str = "origin") -> dict[str, str]:
        """Tags on the remote with the commit each points to (annotated tags peeled)."""
        done = self._run("ls-remote", "--tags", remote)
        if not done.ok:
            raise ServiceError(
                f"cannot list tags of remote {remote!r}: {done.reason()}",
                hint=f"check that {remote!r} exists and is reachable (git remote -v)",
            )
        tags: dict[str, str] = {}
        for line in done.stdout.splitlines():
            sha, _, ref = line.partition("\t")
            name = ref.removeprefix("refs/tags/")
            if name.endswith("^{}"):
                tags[name[:-3]] = sha  # the peeled commit wins over the tag object
            else:
                tags.setdefault(name, sha)
        return tags

    def describe(self, match: str) -> Describe:
        """The nearest tag matching the glob reachable from HEAD, and the distance to it."""
        short = self._out("rev-parse", "--short", "HEAD")
        # --always: no matching tag prints the bare sha (exit 0), so a failure is a failure
        described = self._out("describe", "--tags", "--long", "--always", "--match", match, "HEAD")
        if _SHA.fullmatch(described):
            self.require_full_history()
            count = int(self._out("rev-list", "--count", "HEAD"))
            return Describe(None, count, short)
        tag, distance, _ = described.rsplit("-", 2)
        return Describe(tag, int(distance), short)

    def count_commits(
        self, since: str | None, until: str = "HEAD", paths: tuple[str, ...] = ()
    ) -> int:
        """The commits in since..until (only those changing `paths`, when given)."""
        spec = until if since is None else f"{since}..{until}"
        limit = ("--", *paths) if paths else ()
        return int(self._out("rev-list", "--count", spec, *limit))

    def config_value(self, key: str) -> str | None:
        """The value of `key`, or None when it is not set."""
        return self._lookup("config", "--get", key)

    def merge_commits(
        self, since: str | None, until: str = "HEAD", paths: tuple[str, ...] = ()
    ) -> list[tuple[str, str, str]]:
        """(sha, subject, body) of the merge commits in since..until, oldest first; with
        `paths`, only the merges that changed them (against the branch merged into)."""
        spec = until if since is None else f"{since}..{until}"
        # a merge changes a path when it differs from its first parent there; git's default
        # simplification would follow the merged branch instead and hide the merge
        limit = ("--first-parent", "--", *paths) if paths else ()
        # unit and record separators: subjects and bodies may hold any printable text
        log_format = "--format=%H%x1f%s%x1f%b%x1e"
        done = self._run("log", "--merges", "--reverse", log_format, spec, *limit)
        if not done.ok:
            raise ServiceError(f"git log {spec} failed: {done.reason()}")
        merges = []
        # raw output: str.strip() would count the separators as whitespace and eat them
        for record in done.stdout.split("\x1e"):
            fields = record.lstrip("\n").split("\x1f")
            if len(fields) == 3:  # noqa: PLR2004 - sha, subject, body
                merges.append((fields[0], fields[1], fields[2].rstrip("\n")))
        return merges

    def root_commit(self, ref: str = "HEAD") -> str:
        """The first commit of `ref`'s history (the oldest root when there are several)."""
        return self._out("rev-list", "--max-parents=0", ref).splitlines()[-1]

    # -- writing -----------------------------------------------------------------

    def commit_paths(self, paths: list[Path], message: str) -> str:
        """Commit exactly `paths` with `message`; returns the new HEAD sha."""
        rel = [str(p.resolve().relative_to(self.root.resolve())) for p in paths]
        # a removed file (a news fragment towncrier deleted) cannot be added; the commit of
        # its path records the removal
        present = [r for r, p in zip(rel, paths, strict=True) if p.exists()]
        if present:
            self._out("add", "--", *present)
        self._out("commit", "--quiet", "--message", message, "--", *rel)
        return self.head_sha()

    def create_tag(self, name: str, message: str, ref: str = "HEAD") -> None:
        if self.tag_target(name) is not None:
            raise GateError(f"tag {name} already exists", hint="bump the version and release anew")
        self._out("tag", "--annotate", name, "--message", message, self.head_sha(ref))

    def delete_tag(self, name: str) -> None:
        self._out("tag", "--delete", name)

    def push_tag(self, name: str, remote: str = "origin") -> None:
        done = self._run("push", remote, f"refs/tags/{name}")
        if not done.ok:
            raise ServiceError(f"pushing tag {name} to {remote} failed: {done.reason()}")
