"""git for adopting a repository: the remote's default branch and the tags, newest first."""

from __future__ import annotations

from tagship.adapters.git_base import GitBase
from tagship.core.errors import ServiceError

# asking a remote that does not answer must not hold `init` up
_REMOTE_TIMEOUT = 20.0


class GitRefs(GitBase):
    """What `init` reads to meet a repository where it is."""

    def remote_head(self, remote: str = "origin") -> str | None:
        """The remote's default branch as this clone knows it (refs/remotes/REMOTE/HEAD, set
        by `git clone` or `git remote set-head`), or None when it is not recorded."""
        ref = self._lookup("symbolic-ref", "--quiet", f"refs/remotes/{remote}/HEAD")
        prefix = f"refs/remotes/{remote}/"
        return ref.removeprefix(prefix) if ref and ref.startswith(prefix) else None

    def ask_remote_head(self, remote: str = "origin") -> str | None:
        """The remote's default branch as the remote says (`git ls-remote --symref`), None
        when it names none (an empty repository); ServiceError when it cannot be asked."""
        args = ["git", "-C", str(self.root), "ls-remote", "--symref", remote, "HEAD"]
        env = {**self._env, "GIT_TERMINAL_PROMPT": "0"}  # never wait for a password
        done = self._runner(args, env=env, timeout=_REMOTE_TIMEOUT)
        if not done.ok:
            raise ServiceError(f"cannot ask {remote} for its default branch: {done.reason()}")
        for line in done.stdout.splitlines():
            ref, _, name = line.partition("\t")
            if name == "HEAD" and ref.startswith("ref: refs/heads/"):
                return ref.removeprefix("ref: refs/heads/")
        return None

    def tags_after(self, commit: str, pattern: str, merged_into: str) -> list[str]:
        """The tags matching `pattern` in `merged_into`'s history whose commit comes after
        `commit` (has it in its history, and is not it)."""
        out = self._raw(  # not stripped: the last line's empty field stays
            "for-each-ref",
            f"--contains={commit}",
            f"--merged={merged_into}",
            "--format=%(refname:strip=2) %(objectname) %(*objectname)",
            f"refs/tags/{pattern}",
        )
        later = []
        for line in out.splitlines():
            name, target, peeled = line.split(" ")  # peeled: empty for a lightweight tag
            if (peeled or target) != commit:
                later.append(name)
        return later

    def tags_newest_first(self) -> list[str]:
        """Every tag, the most recently made first (an annotated tag's date, else its
        commit's); tags of one moment by version, highest first."""
        out = self._out(
            "for-each-ref",
            "--sort=-version:refname",
            "--sort=-creatordate",
            "--format=%(refname:strip=2)",
            "refs/tags",
        )
        return [tag for tag in out.splitlines() if tag]
