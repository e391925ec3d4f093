"""The one place that runs git, always through the injected Runner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tagship.adapters.process import Completed, Runner, run
from tagship.core.errors import ConfigError, GateError, ServiceError

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


@dataclass(frozen=True)
class TagRecord:
    """A tag, the commit it points to, and its message (None for a lightweight tag)."""

    name: str
    commit: str
    message: str | None


class Git:
    """A git work tree. Every method runs `git -C root ...` through the runner."""

    def __init__(self, root: Path, runner: Runner = run) -> None:
        self.root = root
        self._runner = runner

    @classmethod
    def discover(cls, path: Path, runner: Runner = run) -> Git:
        """The work tree containing `path`; ConfigError when there is none."""
        done = runner(["git", "-C", str(path), "rev-parse", "--show-toplevel"])
        if not done.ok:
            raise ConfigError(
                f"{path} is not inside a git repository",
                hint="run tagship in a clone of the project (git init / git clone)",
            )
        return cls(Path(done.stdout.strip()), runner)

    def _run(self, *args: str) -> Completed:
        return self._runner(["git", "-C", str(self.root), *args])

    def _out(self, *args: str) -> str:
        done = self._run(*args)
        if not done.ok:
            raise ServiceError(f"git {' '.join(args)} failed: {done.tail(1)}")
        return done.stdout.strip()

    # -- reading -----------------------------------------------------------------

    def current_branch(self) -> str | None:
        """The checked-out branch, or None on a detached HEAD."""
        done = self._run("symbolic-ref", "--quiet", "--short", "HEAD")
        return done.stdout.strip() if done.ok else None

    def require_branch(self) -> str:
        branch = self.current_branch()
        if branch is None:
            raise GateError(
                "HEAD is detached; this step needs a branch",
                hint="check out the release branch (git switch main)",
            )
        return branch

    def head_sha(self, ref: str = "HEAD") -> str:
        done = self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if not done.ok:
            raise ConfigError(
                f"{ref!r} does not name a commit in {self.root}",
                hint="make a first commit, or name an existing branch, tag or sha",
            )
        return done.stdout.strip()

    def dirty_files(self, *, untracked: bool = True) -> list[str]:
        """Paths with uncommitted changes, untracked files included (ignored ones not)."""
        mode = "normal" if untracked else "no"
        out = self._run("status", "--porcelain", f"--untracked-files={mode}").stdout
        return [line[3:] for line in out.splitlines() if line.strip()]

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
        done = self._run("rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}")
        return done.stdout.strip() if done.ok else None

    def remote_url(self, remote: str = "origin") -> str | None:
        done = self._run("remote", "get-url", remote)
        return done.stdout.strip() if done.ok else None

    def remote_tags(self, remote: str = "origin") -> dict[str, str]:
        """Tags on the remote with the commit each points to (annotated tags peeled)."""
        done = self._run("ls-remote", "--tags", remote)
        if not done.ok:
            raise ServiceError(
                f"cannot list tags of remote {remote!r}: {done.tail(1)}",
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
        done = self._run("describe", "--tags", "--long", "--match", match, "HEAD")
        if not done.ok:
            self.require_full_history()
            count = int(self._out("rev-list", "--count", "HEAD"))
            return Describe(None, count, short)
        tag, distance, _ = done.stdout.strip().rsplit("-", 2)
        return Describe(tag, int(distance), short)

    def count_commits(self, since: str | None, until: str = "HEAD") -> int:
        spec = until if since is None else f"{since}..{until}"
        return int(self._out("rev-list", "--count", spec))

    def config_value(self, key: str) -> str | None:
        done = self._run("config", "--get", key)
        return done.stdout.strip() if done.ok else None

    def merge_commits(self, since: str | None, until: str = "HEAD") -> list[tuple[str, str, str]]:
        """(sha, subject, body) of the merge commits in since..until, oldest first."""
        spec = until if since is None else f"{since}..{until}"
        # unit and record separators: subjects and bodies may hold any printable text
        out = self._out("log", "--merges", "--reverse", "--format=%H%x1f%s%x1f%b%x1e", spec)
        merges = []
        for record in out.split("\x1e"):
            fields = record.strip("\n").split("\x1f")
            if len(fields) == 2:  # noqa: PLR2004 - str.strip ate the separator of an empty body
                fields.append("")
            if len(fields) == 3:  # noqa: PLR2004 - sha, subject, body
                merges.append((fields[0], fields[1], fields[2]))
        return merges

    def root_commit(self, ref: str = "HEAD") -> str:
        """The first commit of `ref`'s history (the oldest root when there are several)."""
        return self._out("rev-list", "--max-parents=0", ref).splitlines()[-1]

    # -- writing -----------------------------------------------------------------

    def commit_paths(self, paths: list[Path], message: str) -> str:
        """Commit exactly `paths` with `message`; returns the new HEAD sha."""
        rel = [str(p.resolve().relative_to(self.root.resolve())) for p in paths]
        self._out("add", "--", *rel)
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
            raise ServiceError(f"pushing tag {name} to {remote} failed: {done.tail(1)}")

    # -- plumbing for refs outside branches and tags (the ledger) ------------------

    def ref_sha(self, ref: str) -> str | None:
        """The object a ref points to, or None when it does not exist."""
        done = self._run("rev-parse", "--verify", "--quiet", ref)
        return done.stdout.strip() if done.ok else None

    def read_blob(self, spec: str) -> str | None:
        """The text of blob `spec` (e.g. `REF:path`), or None when there is none."""
        done = self._run("cat-file", "blob", spec)
        return done.stdout if done.ok else None

    def write_blob(self, text: str) -> str:
        done = self._runner(
            ["git", "-C", str(self.root), "hash-object", "-w", "--stdin"], stdin=text
        )
        if not done.ok:
            raise ServiceError(f"git hash-object failed: {done.tail(1)}")
        return done.stdout.strip()

    def write_tree(self, entries: dict[str, str]) -> str:
        """A tree of regular files, name -> blob sha."""
        listing = "".join(f"100644 blob {sha}\t{name}\n" for name, sha in sorted(entries.items()))
        done = self._runner(["git", "-C", str(self.root), "mktree"], stdin=listing)
        if not done.ok:
            raise ServiceError(f"git mktree failed: {done.tail(1)}")
        return done.stdout.strip()

    def commit_tree(self, tree: str, parent: str | None, message: str) -> str:
        """A commit object (not on any branch) by a fixed identity: CI clones often have none."""
        args = ["-c", "user.name=tagship", "-c", "user.email=tagship@localhost"]
        args += ["commit-tree", tree, "-m", message]
        if parent is not None:
            args += ["-p", parent]
        return self._out(*args)

    def update_ref(self, ref: str, new: str, old: str | None = None) -> bool:
        """Point `ref` at `new`; with `old`, only if it still points there (False if not)."""
        args = ["update-ref", ref, new]
        if old is not None:
            args.append(old)
        return self._run(*args).ok

    def remote_ref_sha(self, ref: str, remote: str = "origin") -> str | None:
        """What `ref` points to on the remote (one cheap round trip), None when absent."""
        done = self._run("ls-remote", remote, ref)
        if not done.ok:
            raise ServiceError(
                f"cannot list {ref} on {remote!r}: {done.tail(1)}",
                hint=f"check that {remote!r} exists and is reachable (git remote -v)",
            )
        for out in done.stdout.splitlines():
            sha, _, name = out.partition("\t")
            if name == ref:
                return sha
        return None

    def fetch_ref(self, ref: str, into: str, remote: str = "origin") -> bool:
        """Force local `into` to the remote's `ref`; False (and `into` deleted) when absent."""
        done = self._run("fetch", "--quiet", "--no-tags", remote, f"+{ref}:{into}")
        if done.ok:
            return True
        if "couldn't find remote ref" in done.stderr:
            self._run("update-ref", "-d", into)
            return False
        raise ServiceError(
            f"cannot fetch {ref} from {remote!r}: {done.tail(1)}",
            hint=f"check that {remote!r} exists and is reachable (git remote -v)",
        )

    def push_ref(self, commit: str, ref: str, remote: str = "origin") -> str | None:
        """Push `commit` to the remote's `ref` as a fast-forward: None when accepted,
        else the rejection reason (the remote moved, or a lock was busy)."""
        done = self._run("push", "--porcelain", "--quiet", remote, f"{commit}:{ref}")
        if done.ok:
            return None
        for out in done.stdout.splitlines():
            if out.startswith("!\t"):
                return out.rsplit("\t", 1)[-1]
        raise ServiceError(
            f"pushing {ref} to {remote!r} failed: {done.tail(1)}",
            hint=f"check that {remote!r} is reachable and that you may push to it",
        )

    def tag_records(self) -> list[TagRecord]:
        """Every tag with the commit it points to and, for annotated tags, its message."""
        fields = "%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)"
        out = self._out("for-each-ref", f"--format={fields}%00%(contents)%00%1e", "refs/tags")
        found = []
        for chunk in out.split("\x00\x1e"):
            parts = chunk.lstrip("\n").split("\x00")
            if len(parts) < 5:  # noqa: PLR2004 - the five fields of the format
                continue
            name, kind, sha, peeled, message = parts[:5]
            annotated = kind == "tag"
            found.append(
                TagRecord(name, peeled if annotated else sha, message if annotated else None)
            )
        return found

    def reachable_commits(self, patterns: list[str]) -> set[str]:
        """Every commit reachable from the refs matching `patterns` (for-each-ref globs)."""
        refs = self._out("for-each-ref", "--format=%(objectname)", *patterns).split()
        if not refs:
            return set()
        done = self._runner(
            ["git", "-C", str(self.root), "rev-list", "--stdin"], stdin="\n".join(refs) + "\n"
        )
        if not done.ok:
            raise ServiceError(f"git rev-list failed: {done.tail(1)}")
        return set(done.stdout.split())

    # -- branches, reverts and cherry-picks (hotfix and rollback) ------------------

    def commit_of(self, ref: str) -> str | None:
        """The commit `ref` names, or None when it names none."""
        done = self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        return done.stdout.strip() if done.ok else None

    def branch_exists(self, branch: str) -> bool:
        return self._run("show-ref", "--verify", "--quiet", f"refs/heads/{branch}").ok

    def create_branch(self, branch: str, start: str) -> None:
        """Create `branch` at `start` and check it out."""
        self._out("switch", "--quiet", "--create", branch, start)

    def switch(self, ref: str, *, detach: bool = False) -> None:
        self._out("switch", "--quiet", *(["--detach"] if detach else []), ref)

    def delete_branch(self, branch: str) -> None:
        self._out("branch", "--quiet", "-D", branch)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        done = self._run("merge-base", "--is-ancestor", ancestor, descendant)
        if done.returncode > 1:
            raise ServiceError(f"git merge-base --is-ancestor failed: {done.tail(1)}")
        return done.ok

    def parent_count(self, sha: str) -> int:
        return len(self._out("rev-list", "--parents", "-n", "1", sha).split()) - 1

    def message(self, sha: str) -> str:
        return self._out("log", "-1", "--format=%B", sha)

    def changed_paths(self, sha: str) -> list[str]:
        """The paths a (non-merge) commit changes."""
        return self._out("diff-tree", "--no-commit-id", "--name-only", "-r", sha).splitlines()

    def by_date(self, shas: list[str]) -> list[str]:
        """The commits, newest commit date first."""
        return self._out("rev-list", "--no-walk=sorted", *shas).split()

    def revert_into_index(self, sha: str, *, mainline: int | None) -> str | None:
        """Apply the inverse of `sha` to the index and tree, without committing: None when
        it applied, else git's reason (the caller restores the tree with `discard_changes`)."""
        parent = ["--mainline", str(mainline)] if mainline is not None else []
        done = self._run("revert", "--no-commit", "--no-edit", *parent, sha)
        return None if done.ok else done.tail(3)

    def discard_changes(self) -> None:
        """Abandon an unfinished revert: index and tree back to HEAD (untracked files kept)."""
        self._run("revert", "--quit")  # forgets sequencer state, if any; fails when none
        self._out("reset", "--quiet", "--hard", "HEAD")

    def has_staged_changes(self) -> bool:
        return not self._run("diff", "--cached", "--quiet").ok

    def commit_staged(self, message: str) -> str:
        """Commit what is in the index; returns the new HEAD sha."""
        self._out("commit", "--quiet", "--no-verify", "--message", message)
        return self.head_sha()

    def push_branch(self, branch: str, remote: str = "origin") -> None:
        """A plain (fast-forward only) push of `branch`; never forced."""
        done = self._run("push", "--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}")
        if not done.ok:
            raise ServiceError(
                f"pushing {branch} to {remote} failed: {done.tail(1)}",
                hint=f"the commits are on your local {branch}; integrate the remote's "
                f"changes (git pull --no-rebase) and push again",
            )

    def cherry(self, upstream: str, head: str, limit: str) -> list[tuple[bool, str]]:
        """Commits in limit..head, each with True when an equivalent change (same patch id)
        is already in `upstream` (git cherry)."""
        out = self._out("cherry", upstream, head, limit)
        return [(row[0] == "-", row[2:].strip()) for row in out.splitlines() if row[:1] in "+-"]

    def log_messages(self, spec: str) -> list[tuple[str, str]]:
        """(sha, full message) of every commit in `spec`, newest first."""
        out = self._out("log", "--format=%H%x1f%B%x1e", spec)
        found = []
        for record in out.split("\x1e"):
            sha, sep, message = record.strip("\n").partition("\x1f")
            if sep:
                found.append((sha, message))
        return found
