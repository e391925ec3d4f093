"""Reading and verifying the ledger of a workspace: the chain, then every anchor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.ledger_store import LEDGER_REF, anchors, local_only, read_ledger
from tagship.core.errors import IntegrityError
from tagship.core.ledger import ChainCheck, check_anchors

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.adapters.git import Git
    from tagship.core.ledger import Anchor, Record


@dataclass(frozen=True)
class LedgerState:
    """The verified records, the anchors checked, and what is wrong (None: nothing)."""

    records: tuple[Record, ...]
    anchors: tuple[Anchor, ...]
    problem: str | None

    @property
    def head(self) -> str | None:
        return self.records[-1].hash if self.records else None


def ledger_state(
    git: Git,
    extra_anchors: tuple[Anchor, ...] = (),
    tags: Mapping[str, str | None] | None = None,
) -> LedgerState:
    """Fetch the ledger from origin and check it: chain first, then the tag anchors and any
    `extra_anchors` (e.g. head hashes read from GitHub Release bodies). `tags` (name ->
    message) saves reading the tags again when the caller has them."""
    check = read_ledger(git)
    found = (*anchors(git, tags), *extra_anchors)
    if check.problem is not None:
        problem = f"record {check.problem.position} of {LEDGER_REF}: {check.problem.message}"
        return LedgerState(check.records, found, problem)
    if local_only(git):
        # records origin lacks: verified against origin's (empty) ledger, an anchor tells
        # a deleted ledger; either way they are not published until pushed
        missing = check_anchors(ChainCheck((), None), found)
        unpushed = f"the {len(check.records)} records of the local ref are not on origin"
        problem = unpushed if missing is None else missing.message
        return LedgerState(check.records, found, problem)
    missing = check_anchors(check, found)
    return LedgerState(check.records, found, None if missing is None else missing.message)


def require_valid(state: LedgerState) -> LedgerState:
    """Raise IntegrityError (exit 4) naming the first problem."""
    if state.problem is not None:
        raise IntegrityError(
            f"ledger verification failed: {state.problem}",
            hint=f"from a clone with a good copy: git push --force origin {LEDGER_REF}",
        )
    return state
