"""Rollback option 2: send all Cloud Run traffic back to a named revision, and record it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.cloud_run import TrafficShare, service_name, short_name
from tagship.adapters.ledger_store import append_event
from tagship.core.errors import UsageError
from tagship.core.ledger import Event
from tagship.steps.rollback.common import recordable

if TYPE_CHECKING:
    from tagship.adapters.cloud_run import CloudRunAdmin
    from tagship.core.ledger import Record
    from tagship.workspace import Workspace

EVENT = "rollback-cloud-run"


@dataclass(frozen=True)
class TrafficMove:
    """The split before and after; `applied` is False for a dry run or when nothing changed."""

    service: str  # the full resource name
    revision: str
    before: tuple[TrafficShare, ...]
    after: tuple[TrafficShare, ...]
    revisions: tuple[str, ...]
    applied: bool
    unchanged: bool = False
    operation: str | None = None
    record: Record | None = None


def split_text(shares: tuple[TrafficShare, ...]) -> str:
    return ", ".join(share.label() for share in shares) or "(no traffic targets)"


def _target_split(before: tuple[TrafficShare, ...], revision: str) -> tuple[TrafficShare, ...]:
    tagged = tuple(TrafficShare(s.revision, 0, s.tag) for s in before if s.tag)
    return (TrafficShare(revision, 100), *tagged)


def move_traffic(
    workspace: Workspace,
    admin: CloudRunAdmin,
    *,
    project: str,
    region: str,
    service: str,
    revision: str,
    version: str | None,
    dry_run: bool,
) -> TrafficMove:
    """Validate `revision` against the service's revisions, show the split, and unless
    `dry_run` move 100% of traffic there (tagged targets keep their tags at 0%)."""
    name = service_name(project, region, service)
    state = admin.service(name)
    revisions = tuple(admin.revisions(name))
    wanted = short_name(revision)
    if wanted not in revisions:
        listed = ", ".join(revisions[:5]) + (" ..." if len(revisions) > 5 else "")  # noqa: PLR2004
        raise UsageError(
            f"service {service} in {region} has no revision {wanted!r}",
            hint=f"its revisions: {listed or 'none'}",
        )
    after = _target_split(state.traffic, wanted)
    served = tuple(s for s in state.traffic if s.percent)
    if len(served) == 1 and served[0].revision == wanted:
        return TrafficMove(
            name, wanted, state.traffic, state.traffic, revisions, applied=False, unchanged=True
        )
    if dry_run:
        return TrafficMove(name, wanted, state.traffic, after, revisions, applied=False)
    git = recordable(workspace)
    new_state, operation = admin.route_all(name, wanted)
    event = Event(
        kind=EVENT,
        project=workspace.name,
        version=version or str(workspace.version()),
        details={
            "service": name,
            "project": project,
            "region": region,
            "revision": wanted,
            "from": split_text(state.traffic),
            "to": split_text(new_state.traffic),
            "operation": operation,
        },
    )
    record = append_event(git, event, workspace.env)
    return TrafficMove(
        name,
        wanted,
        state.traffic,
        new_state.traffic,
        revisions,
        applied=True,
        operation=operation,
        record=record,
    )
