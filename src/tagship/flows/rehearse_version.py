"""Which version a rehearsal releases: the one the command line chose; else HEAD's own when it
is a release not tagged yet; else the next one, as the maintainer would choose it before the
real dry run (the version the release labels call for, a patch when they call for none)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.core.versions import next_version
from tagship.steps.gates.version_new import tag_taken

if TYPE_CHECKING:
    from tagship.core.notes import ReleaseNotes
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class Choice:
    """`bump`: what `tagship bump` is given (a version written in a file); `version`: the
    version to tag (one from git tags); neither: HEAD's version as it is. `why`: said so."""

    bump: str | None
    version: str | None
    why: str


def choose(
    workspace: Workspace, notes: ReleaseNotes, *, bump: str | None, version: str | None
) -> Choice:
    """The version to rehearse, and why."""
    if bump is not None or version is not None:
        return Choice(bump, version, "chosen on the command line")
    current = workspace.version()
    tagged = tag_taken(workspace, workspace.expected_tag(), origin=False) is not None
    if not tagged and not current.is_devrelease and current.local is None:
        return Choice(None, None, f"{current} is not tagged yet: released as it is")
    if notes.next_version is not None:
        target, why = notes.next_version, "the version the release labels call for"
    else:
        target, why = next_version(current, "patch"), "no release label calls for one: a patch"
    if workspace.meta.source.kind == "scm":
        return Choice(None, str(target), why)
    return Choice(str(target), None, why)
