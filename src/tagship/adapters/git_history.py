"""git for hotfixes and rollbacks: branches, reverts, cherry-picks and history queries."""

from __future__ import annotations

from tagship.adapters.git_base import GitBase
from tagship.core.errors import ServiceError


class GitHistory(GitBase):
    """Branch and history operations; never rewrites published history."""

    def commit_of(self, ref: str) -> str | None:
        """The commit `ref` names, or None when it names none."""
        return self._lookup("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")

    def branch_exists(self, branch: str) -> bool:
        return self._lookup("show-ref", "--verify", "--quiet", f"refs/heads/{branch}") is not None

    def create_branch(self, branch: str, start: str) -> None:
        """Create `branch` at `start` and check it out."""
        self._out("switch", "--quiet", "--create", branch, start)

    def switch(self, ref: str, *, detach: bool = False) -> None:
        self._out("switch", "--quiet", *(["--detach"] if detach else []), ref)

    def delete_branch(self, branch: str) -> None:
        self._out("branch", "--quiet", "-D", branch)

    def abandon_branch(self, back: str | None, head: str, branch: str | None) -> None:
        """Undo a step that made and checked out `branch`: back on `back` (`head` detached
        when None) as it is committed, and `branch` (when given) deleted. None of the
        repository's hooks runs, as one may be what failed the step. Untracked files stay,
        but for those in the way: the branch's checkout (or a hook) made them, as the work
        tree was clean before it."""
        no_hooks = ("-c", "core.hooksPath=/dev/null")
        where = ["--detach", head] if back is None else [back]
        self._out(*no_hooks, "checkout", "--quiet", "--force", *where)
        if branch is not None:
            self._out(*no_hooks, "branch", "--quiet", "-D", branch)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        done = self._run("merge-base", "--is-ancestor", ancestor, descendant)
        if done.returncode > 1:
            raise ServiceError(f"git merge-base --is-ancestor failed: {done.reason()}")
        return done.ok

    def parent_count(self, sha: str) -> int:
        return len(self._out("rev-list", "--parents", "-n", "1", sha).split()) - 1

    def message(self, sha: str) -> str:
        return self._out("log", "-1", "--format=%B", sha)

    def changed_paths(self, sha: str) -> list[str]:
        """The paths a (non-merge) commit changes."""
        return self._paths("diff-tree", "--no-commit-id", "--name-only", "-r", "-z", sha)

    def changed_between(self, base: str, head: str = "HEAD") -> list[str]:
        """The paths that differ between the merge base of `base` and `head`, and `head`
        (what a pull request or a push changes)."""
        # without rename detection: a file moved between packages changes both
        return self._paths("diff", "--name-only", "--no-renames", "-z", f"{base}...{head}", "--")

    def unstage(self, paths: list[str]) -> None:
        """Put the index entries of `paths` back to HEAD's (the work tree is left alone)."""
        self._out("reset", "--quiet", "--", *paths)

    def restore_from_head(self, path: str) -> None:
        """`path` in the index and the work tree as HEAD holds it; a path HEAD does not hold
        leaves the index (the caller removes the file)."""
        if self._lookup("rev-parse", "--verify", "--quiet", f"HEAD:{path}") is not None:
            self._out("checkout", "HEAD", "--", path)
        else:
            self._out("rm", "--quiet", "--cached", "--ignore-unmatch", "--", path)

    def by_date(self, shas: list[str]) -> list[str]:
        """The commits, newest commit date first."""
        return self._out("rev-list", "--no-walk=sorted", *shas).split()

    def revert_into_index(self, sha: str, *, mainline: int | None) -> str | None:
        """Apply the inverse of `sha` to the index and tree, without committing: None when
        it applied, else git's reason (the caller restores the tree with `discard_changes`)."""
        parent = ["--mainline", str(mainline)] if mainline is not None else []
        done = self._run("revert", "--no-commit", "--no-edit", *parent, sha)
        # any failure (a conflict, a file in the way) stops the revert: the caller restores
        return None if done.ok else done.tail(3)

    def discard_changes(self) -> None:
        """Abandon an unfinished revert: index and tree back to HEAD (untracked files kept)."""
        self._run("revert", "--quit")  # forgets sequencer state, if any; fails when none
        self._out("reset", "--quiet", "--hard", "HEAD")

    def has_staged_changes(self) -> bool:
        # --quiet: exit 1 means "differs"; anything else but 0 is a failure
        return self._lookup("diff", "--cached", "--quiet") is None

    def commit_staged(self, message: str) -> str:
        """Commit what is in the index; returns the new HEAD sha."""
        self._out("commit", "--quiet", "--no-verify", "--message", message)
        return self.head_sha()

    def push_branch(self, branch: str, remote: str = "origin") -> None:
        """A plain (fast-forward only) push of `branch`; never forced."""
        done = self._run("push", "--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}")
        if not done.ok:
            raise ServiceError(
                f"pushing {branch} to {remote} failed: {done.reason()}",
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
