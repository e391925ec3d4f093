"""What `init` reads from a repository it adopts: the branch releases come from and the tag
format of each package, each with the reason it was chosen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.core.errors import ServiceError
from tagship.core.tag_style import infer_style, spellings

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from tagship.adapters.git import Git
    from tagship.core.tag_style import TagStyle


@dataclass(frozen=True)
class Inferred:
    """A value `init` chose, and why (one line of its output)."""

    value: str
    why: str


@dataclass(frozen=True)
class PackageSpot:
    """A package as its tags may name it: its name and directory (POSIX, from the
    repository's root), and whether tags naming no package may be its own."""

    name: str
    directory: str
    alone: bool


def infer_release_branch(git: Git | None, default: str, *, has_origin: bool) -> Inferred:
    """origin's default branch (as this clone records it, else as origin says), else the
    branch checked out, else `default`."""
    if git is None:
        return Inferred(default, "the default: not a git repository")
    recorded = git.remote_head()
    if recorded is not None:
        return Inferred(recorded, "origin's default branch (refs/remotes/origin/HEAD)")
    unknown = "origin's default branch is not recorded here"
    if has_origin:
        try:
            asked = git.ask_remote_head()
        except ServiceError as exc:
            unknown = exc.message
        else:
            if asked is not None:
                return Inferred(asked, "origin's default branch (git ls-remote --symref origin)")
            unknown = "origin names no default branch"
    else:
        unknown = "no origin remote"
    branch = git.current_branch()
    if branch is not None:
        return Inferred(branch, f"the branch checked out ({unknown})")
    return Inferred(default, f"the default: HEAD is detached and {unknown}")


@dataclass(frozen=True)
class TagFindings:
    """Each package's tag format as the repository's tags show it (None: no tag tells)."""

    styles: Mapping[str, TagStyle | None]
    tags: int  # how many tags the repository has

    def why_default(self) -> str:
        """Why a package keeps the default tag format."""
        if self.tags == 0:
            return "the default: no tags yet"
        return f"the default: none of the {self.tags} tags is a release tag of this package"


def infer_tag_styles(git: Git | None, spots: Sequence[PackageSpot]) -> TagFindings:
    """Each package's tag format, read from every tag of the repository."""
    tags = git.tags_newest_first() if git is not None else []
    spelled = {spot.name: spellings(spot.name, spot.directory) for spot in spots}
    found: dict[str, TagStyle | None] = {}
    for spot in spots:
        others = [s for name, names in spelled.items() if name != spot.name for s in names]
        found[spot.name] = infer_style(tags, spelled[spot.name], others, alone=spot.alone)
    return TagFindings(found, len(tags))
