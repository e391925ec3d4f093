"""Two copies of one ledger: the clone's own and the one fetched from a remote.

The local copy may only be replaced by a chain that holds every one of its records, byte for
byte, as its prefix. A fetched chain that is shorter, or differs at some record, lost or
changed history the clone still has, however its commits are related: a descendant commit can
hold fewer records just as well as an older one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.core.ledger import ChainProblem, verify_chain

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(frozen=True)
class CopyMismatch(ChainProblem):
    """The fetched chain verifies on its own but lacks or changes a record of the local copy
    (`position`: the first such record's sequence number). `local_broken`: the local copy
    does not verify either (someone changed the clone's ref), so it is no good copy."""

    local_broken: bool = False


def first_difference(local: Sequence[bytes], fetched: Sequence[bytes]) -> int | None:
    """The sequence number of the first local record that `fetched` does not hold byte for
    byte in the same place (one past `fetched`'s end when that is all it lacks); None when
    `fetched` starts with every local record."""
    for seq, (mine, theirs) in enumerate(zip(local, fetched, strict=False), start=1):
        if mine != theirs:
            return seq
    return len(fetched) + 1 if len(fetched) < len(local) else None


@dataclass(frozen=True)
class Copy:
    """One copy of the ledger: its head commit and its record lines."""

    commit: str
    lines: Sequence[bytes]


def compare_copies(local: Copy, fetched: Copy, *, remote: str, ref: str) -> CopyMismatch | None:
    """What `remote`'s copy `fetched` lacks or changes of `local` (both heads and the first
    such record named), or None when it holds them all."""
    seq = first_difference(local.lines, fetched.lines)
    if seq is None:
        return None
    theirs = f"{remote}'s {ref} (commit {fetched.commit[:12]})"
    mine = f"the local copy (commit {local.commit[:12]})"
    if seq > len(fetched.lines):
        last = len(local.lines)
        missing = f"record {seq}" if seq == last else f"records {seq}-{last}"
        message = (
            f"{theirs} ends at record {seq - 1} while {mine} holds {last}: {remote} "
            f"lacks {missing}, so it was rewound or cut"
        )
    else:
        message = (
            f"{theirs} differs from {mine} at record {seq}: {remote}'s ledger was "
            "rewritten or forked"
        )
    broken = verify_chain(local.lines).problem
    if broken is None:
        return CopyMismatch(seq, message)
    return CopyMismatch(
        seq,
        f"{theirs} differs from {mine} at record {seq}, and the local copy is broken at record "
        f"{broken.position} ({broken.message}): {ref} was changed in this clone",
        local_broken=True,
    )


def restore_hint(mismatch: CopyMismatch, remote: str, tracking: str, ref: str) -> str:
    """What to do about a mismatch: investigate; then restore the remote from the local
    copy, which holds every record this clone has seen (unless it is itself broken)."""
    if mismatch.local_broken:
        return (
            f"investigate this clone's {ref} (git log -p {ref}); if {remote}'s copy is the "
            f"good one, drop the local copy (git update-ref -d {ref}): the next read takes "
            f"{remote}'s"
        )
    return (
        f"investigate {remote}'s ledger (git log -p {tracking}); this clone's {ref} holds "
        f"every record it has seen: once sure, restore {remote} from it with "
        f"git push --force {remote} {ref}"
    )
