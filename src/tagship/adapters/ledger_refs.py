"""The ledger's two refs in a clone: its own copy, `refs/tagship/ledger`, and the remote's as
last fetched, `refs/tagship/remotes/<remote>/ledger`.

The remote's ledger is fetched into the second, never over the first, which only moves onto a
verified chain holding every one of its records byte for byte as its prefix: a clone keeps its
copy when the remote's is cut, rewound, rewritten or forked, and can push it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core.errors import IntegrityError
from tagship.core.ledger import ChainCheck, split_lines, verify_chain
from tagship.core.ledger_copies import Copy, compare_copies

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.adapters.git import Git
    from tagship.core.ledger_copies import CopyMismatch

LEDGER_REF = "refs/tagship/ledger"
LEDGER_FILE = "ledger.jsonl"
ABSENT = "0" * 40  # as the old value of a ref update: the ref must not exist yet


def has_remote(git: Git, remote: str) -> bool:
    return git.remote_url(remote) is not None


def tracking_ref(remote: str) -> str:
    """Where `remote`'s ledger is fetched to."""
    return f"refs/tagship/remotes/{remote}/ledger"


def stored_text(git: Git, commit: str) -> str:
    """The ledger file at `commit`; IntegrityError when it has none (or `commit` is a tree,
    a blob, or holds a directory by that name: pushed to the ref by someone else)."""
    text = git.read_blob_at(f"{commit}^{{commit}}:{LEDGER_FILE}")
    if text is None:
        raise IntegrityError(
            f"{LEDGER_REF} at {commit[:12]} holds no {LEDGER_FILE}: not a tagship ledger",
            hint=f"inspect it with: git show {commit}",
        )
    return text


def record_lines(text: str) -> list[bytes]:
    """The stored ledger file as record lines, byte for byte: git's output is decoded with
    surrogateescape, so bytes that are not UTF-8 come back as they were (and fail to parse)."""
    return split_lines(text.encode("utf-8", "surrogateescape"))


def load_commit(git: Git, commit: str | None) -> tuple[str, ChainCheck]:
    """(stored text, verified chain) of the ledger at `commit`."""
    if commit is None:
        return "", ChainCheck((), None)
    text = stored_text(git, commit)
    return text, verify_chain(record_lines(text))


def load_ref(git: Git, ref: str) -> tuple[str | None, str, ChainCheck]:
    """(head commit, stored text, verified chain) of a ledger ref."""
    commit = git.ref_sha(ref)
    return (commit, *load_commit(git, commit))


def sync(
    git: Git, remote: str, *, moved: bool = False, refs: Mapping[str, str] | None = None
) -> bool:
    """Bring the remote's ledger into its tracking ref; whether it was fetched. `moved`: the
    remote's head is known to have changed (a push was just rejected): fetch at once.
    `refs`: the refs under refs/tagship/ as just read (else the tracking ref is read)."""
    tracking = tracking_ref(remote)
    held = refs.get(tracking) if refs is not None else git.ref_sha(tracking)
    # ls-remote is one cheap round trip; fetch only when the remote head differs (for a
    # remote without a ledger, only to drop a stale copy: another job may be creating it)
    if moved or git.remote_ref_sha(LEDGER_REF, remote) != held:
        git.fetch_ref(LEDGER_REF, tracking, remote)
        return True
    return False


def find_mismatch(
    git: Git, remote: str, commit: str, text: str, local: str | None
) -> CopyMismatch | None:
    """What the chain at `commit` (stored as `text`, verified) lacks or changes of the local
    copy at `local`; None when it holds every local record as its prefix."""
    if local is None or local == commit:
        return None
    mine = Copy(local, record_lines(stored_text(git, local)))
    fetched = Copy(commit, record_lines(text))
    return compare_copies(mine, fetched, remote=remote, ref=LEDGER_REF)


def advance(git: Git, remote: str, commit: str, text: str) -> CopyMismatch | None:
    """Move the local ref onto `commit` (verified, stored as `text`) when its chain holds
    every local record; else say what it lacks or changes, and leave the local ref alone."""
    local = git.ref_sha(LEDGER_REF)
    found = find_mismatch(git, remote, commit, text, local)
    if found is None and local != commit:
        git.update_ref(LEDGER_REF, commit, local or ABSENT)
    return found
