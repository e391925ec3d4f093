"""Reading and verifying the ledger of a workspace: the chain, then every anchor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.ledger_refs import tracking_ref
from tagship.adapters.ledger_store import LEDGER_REF, anchors, local_only, read_ledger
from tagship.core.errors import IntegrityError
from tagship.core.ledger import ChainCheck, check_anchors
from tagship.core.ledger_copies import CopyMismatch, restore_hint

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.adapters.git import Git
    from tagship.core.ledger import Anchor, Record

# never "push yours": the clone at hand may hold a cut copy (one that never saw the records)
GOOD_COPY = (
    "investigate origin's ledger; restore it from the clone whose own copy verifies and holds "
    f"the most records (`tagship ledger show` there): git push --force origin {LEDGER_REF}"
)


@dataclass(frozen=True)
class LedgerState:
    """The verified records, the anchors checked, and what is wrong (None: nothing) with
    what to do about it. `unpushed`: how many records of the local copy origin lacks while
    it has no ledger at all (before the first push, that is normal)."""

    records: tuple[Record, ...]
    anchors: tuple[Anchor, ...]
    problem: str | None
    hint: str = GOOD_COPY
    unpushed: int = 0

    @property
    def head(self) -> str | None:
        return self.records[-1].hash if self.records else None

    @property
    def note(self) -> str | None:
        """What a good ledger still has to say: that origin is behind, and what to do."""
        if not self.unpushed:
            return None
        return (
            f"origin is behind the local copy: it has no ledger, and lacks all {self.unpushed} "
            f"records of {LEDGER_REF}; that is normal before they are first pushed: the next "
            f"append pushes them, or now: git push origin {LEDGER_REF}"
        )


def ledger_state(
    git: Git,
    extra_anchors: tuple[Anchor, ...] = (),
    tags: Mapping[str, str | None] | None = None,
) -> LedgerState:
    """Fetch the ledger from origin and check it: chain first, then that it holds every
    record of the local copy, then the tag anchors and any `extra_anchors` (e.g. head
    hashes read from GitHub Release bodies). `tags` (name -> message) saves reading the
    tags again when the caller has them."""
    check = read_ledger(git)
    found = (*anchors(git, tags), *extra_anchors)
    if isinstance(check.problem, CopyMismatch):
        hint = restore_hint(check.problem, "origin", tracking_ref("origin"), LEDGER_REF)
        return LedgerState(check.records, found, check.problem.message, hint)
    if check.problem is not None:
        problem = f"record {check.problem.position} of {LEDGER_REF}: {check.problem.message}"
        return LedgerState(check.records, found, problem)
    if local_only(git):
        # origin is behind: its (empty) ledger is what is published, so an anchored head
        # missing from it tells a deleted ledger; without one, the records are not pushed yet
        missing = check_anchors(ChainCheck((), None), found)
        if missing is not None:
            return LedgerState(check.records, found, missing.message)
        return LedgerState(check.records, found, None, unpushed=len(check.records))
    missing = check_anchors(check, found)
    return LedgerState(check.records, found, None if missing is None else missing.message)


def require_valid(state: LedgerState) -> LedgerState:
    """Raise IntegrityError (exit 4) naming the first problem."""
    if state.problem is not None:
        raise IntegrityError(f"ledger verification failed: {state.problem}", hint=state.hint)
    return state
