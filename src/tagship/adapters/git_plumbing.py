"""git plumbing for refs outside branches and tags: the ledger's blobs, trees and commits."""

from __future__ import annotations

from dataclasses import dataclass

from tagship.adapters.git_base import GitBase
from tagship.core.errors import ServiceError


@dataclass(frozen=True)
class TagRecord:
    """A tag, the commit it points to, and its message (None for a lightweight tag)."""

    name: str
    commit: str
    message: str | None


_ZEROS = "0" * 40  # update-ref's "old" value for a ref that must not exist yet
# a concurrent update holds a ref's lock for milliseconds: wait for it (git's default is
# 100 ms) rather than fail, so that a failed update means the ref moved, or a real error
STALE_LEASE = "stale info"  # git push's reason when the remote's ref is not the expected one
_WAIT_FOR_LOCKS = ("-c", "core.filesRefLockTimeout=10000", "-c", "core.packedRefsTimeout=10000")


class GitPlumbing(GitBase):
    """Refs, objects and remote refs, by name."""

    def ref_sha(self, ref: str) -> str | None:
        """The object a ref points to, or None when it does not exist."""
        return self._lookup("rev-parse", "--verify", "--quiet", ref)

    def refs(self, prefix: str) -> dict[str, str]:
        """Every ref under `prefix` (e.g. `refs/tagship/`) -> the object it points to."""
        out = self._out("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        found = {}
        for line in out.splitlines():
            name, _, sha = line.partition(" ")
            found[name] = sha
        return found

    def read_blob(self, spec: str) -> str | None:
        """The text of blob `spec` (e.g. `REF:path`), or None when there is none."""
        sha = self.ref_sha(spec)  # cat-file alone exits 128 for "absent" and "broken" alike
        return None if sha is None else self._raw("cat-file", "blob", sha)

    def read_blob_at(self, spec: str) -> str | None:
        """The text of the blob `spec` names (`COMMIT^{commit}:path`), in one git call; None
        when it names nothing, or an object that is not a blob."""
        out = self._raw("cat-file", "--batch", stdin=f"{spec}\n")
        header, _, content = out.partition("\n")
        fields = header.split(" ")
        if len(fields) != 3 or fields[1] != "blob":  # noqa: PLR2004 - sha, type, size
            return None  # "<spec> missing", or another kind of object
        return content.removesuffix("\n")  # the newline --batch adds after the content

    def write_blob(self, text: str) -> str:
        done = self._run("hash-object", "-w", "--stdin", stdin=text)
        if not done.ok:
            raise ServiceError(f"git hash-object failed: {done.reason()}")
        return done.stdout.strip()

    def write_tree(self, entries: dict[str, str]) -> str:
        """A tree of regular files, name -> blob sha."""
        listing = "".join(f"100644 blob {sha}\t{name}\n" for name, sha in sorted(entries.items()))
        done = self._run("mktree", stdin=listing)
        if not done.ok:
            raise ServiceError(f"git mktree failed: {done.reason()}")
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
        if old is None:
            self._raw(*_WAIT_FOR_LOCKS, "update-ref", ref, new)
            return True
        return self.update_refs([(ref, new, old)])

    def update_refs(self, updates: list[tuple[str, str, str]]) -> bool:
        """(ref, new, old) updates in one transaction: all of them, or none (False) when a
        ref no longer points at its `old` (forty zeros: must not exist yet). Any other
        failure is a ServiceError: a ref that did not move was not updated for a reason."""
        lines = "".join(f"update {ref} {new} {old}\n" for ref, new, old in updates)
        done = self._run(*_WAIT_FOR_LOCKS, "update-ref", "--stdin", stdin=lines)
        if done.ok:
            return True
        if any((self.ref_sha(ref) or _ZEROS) != old for ref, _, old in updates):
            return False  # another process moved a ref first
        raise ServiceError(f"git update-ref failed: {done.reason()}")

    def remote_ref_sha(self, ref: str, remote: str = "origin") -> str | None:
        """What `ref` points to on the remote (one cheap round trip), None when absent."""
        done = self._run("ls-remote", remote, ref)
        if not done.ok:
            raise ServiceError(
                f"cannot list {ref} on {remote!r}: {done.reason()}",
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
        # git's message for a missing ref is translated: ask the remote instead
        if self.remote_ref_sha(ref, remote) is None:
            self._raw("update-ref", "-d", into)
            return False
        raise ServiceError(
            f"cannot fetch {ref} from {remote!r}: {done.reason()}",
            hint=f"check that {remote!r} exists and is reachable (git remote -v)",
        )

    def push_ref(
        self, commit: str, ref: str, remote: str = "origin", *, expect: str | None = None
    ) -> str | None:
        """Push `commit` to the remote's `ref` as a fast-forward: None when accepted,
        else the rejection reason (the remote moved, or a lock was busy). With `expect`, only
        if the remote's `ref` is exactly that commit (forty zeros: absent) when the push lands
        (git's lease: the reason is then STALE_LEASE)."""
        lease = []
        if expect is not None:
            lease = [f"--force-with-lease={ref}:{'' if expect == _ZEROS else expect}"]
        done = self._run("push", "--porcelain", "--quiet", *lease, remote, f"{commit}:{ref}")
        if done.ok:
            return None
        for out in done.stdout.splitlines():
            if out.startswith("!\t"):
                return out.rsplit("\t", 1)[-1]
        raise ServiceError(
            f"pushing {ref} to {remote!r} failed: {done.reason()}",
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
        done = self._run("rev-list", "--stdin", stdin="\n".join(refs) + "\n")
        if not done.ok:
            raise ServiceError(f"git rev-list failed: {done.reason()}")
        return set(done.stdout.split())
