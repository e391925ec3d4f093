"""The packages of a repository, and which one a command acts on.

Pure: `tagship.repository` finds the directories and reads their pyproject.toml files. A
repository with one package is what tagship always released; with several, every command that
acts on a package needs one chosen (`--package NAME`, or running inside its directory), and
each package's tags carry its name so that a tag names exactly one package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.core.errors import ConfigError, UsageError
from tagship.core.names import normalized_name
from tagship.core.versions import NAME_PLACEHOLDER, try_version_from_tag

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from pathlib import Path

    from packaging.version import Version

# the tag format of each package when there are several and none is configured
SEVERAL_TAG_FORMAT = "{name}-v{version}"
_VERSION = "{version}"


@dataclass(frozen=True)
class Package:
    """One package: its normalised name and its directory (absolute, and as the repository
    spells it: a POSIX path from the root, "." for the root itself)."""

    name: str
    directory: Path
    relative: str


@dataclass(frozen=True)
class Packages:
    """The packages of a repository, by name, and what declared them."""

    root: Path
    members: tuple[Package, ...]
    declared_by: str  # "[tool.tagship] packages" or "[tool.uv.workspace] members"

    @property
    def several(self) -> bool:
        return len(self.members) > 1

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.members)

    def named(self, name: str) -> Package:
        """The package called `name` (any spelling PEP 503 folds together)."""
        wanted = normalized_name(name)
        for package in self.members:
            if package.name == wanted:
                return package
        raise UsageError(
            f"no package {name!r} in this repository; its packages: {', '.join(self.names)}",
            hint=f"packages come from {self.declared_by} in {self.root / 'pyproject.toml'}",
        )

    def containing(self, path: Path) -> Package | None:
        """The package whose directory holds `path` (the innermost). The repository root is
        no package's directory when there are several: there, every package is in view."""
        found: Package | None = None
        for package in self.members:
            if package.relative == "." and self.several:
                continue
            inside = path == package.directory or package.directory in path.parents
            if inside and (found is None or found.directory in package.directory.parents):
                found = package
        return found

    def choose(self, name: str | None, path: Path) -> Package:
        """The package a command acts on: `name`, else the one `path` is inside."""
        if name is not None:
            return self.named(name)
        if not self.several:
            return self.members[0]
        found = self.containing(path)
        if found is None:
            raise UsageError(
                f"this repository has {len(self.members)} packages ({', '.join(self.names)}): "
                "this command acts on one",
                hint="choose it with tagship --package NAME, or run inside its directory",
            )
        return found


def touches(files: Iterable[str], within: Sequence[str], excluded: Sequence[str] = ()) -> bool:
    """Whether any of `files` (POSIX paths from the repository's top) is inside one of the
    directories `within` ("." for all) and none of `excluded`."""

    def inside(path: str, directory: str) -> bool:
        return directory in (".", path) or path.startswith(directory + "/")

    return any(
        any(inside(f, d) for d in within) and not any(inside(f, d) for d in excluded) for f in files
    )


def named_format(tag_format: str, name: str) -> str:
    """The tag format of package `name`: `{name}` replaced by its normalised name."""
    return tag_format.replace(NAME_PLACEHOLDER, normalized_name(name))


def check_distinct_tags(formats: Mapping[str, str]) -> None:
    """Refuse tag formats (by package, `{name}` replaced) under which one tag could name two
    packages: one's text before `{version}` begins the other's, with the same text after
    (packages `a` and `a-b` under `{name}-{version}`: is `a-b-1.0` a's or a-b's?)."""
    parts = {name: fmt.split(_VERSION) for name, fmt in formats.items()}
    names = sorted(parts)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            (p1, s1), (p2, s2) = parts[first], parts[second]
            if (p1.startswith(p2) or p2.startswith(p1)) and (s1.endswith(s2) or s2.endswith(s1)):
                raise ConfigError(
                    f"packages {first} and {second} have tags one cannot tell apart "
                    f"({formats[first]!r} and {formats[second]!r})",
                    hint='use tag-format = "{name}-v{version}", or give each package a '
                    "tag-format of its own in its [tool.tagship]",
                )


def package_of_tag(tag: str, formats: Mapping[str, str]) -> tuple[str, Version]:
    """The one package (and version) a tag names, from the packages' tag formats."""
    found = [
        (name, version)
        for name, fmt in sorted(formats.items())
        if (version := try_version_from_tag(tag, fmt)) is not None
    ]
    if len(found) == 1:
        return found[0]
    shown = tag.removeprefix("refs/tags/")
    if not found:
        examples = ", ".join(f.replace(_VERSION, "1.2.3") for _, f in sorted(formats.items()))
        raise UsageError(
            f"tag {shown!r} is the release tag of no package of this repository",
            hint=f"release tags look like {examples}",
        )
    raise UsageError(
        f"tag {shown!r} could name packages {' and '.join(n for n, _ in found)}",
        hint="give the packages tag formats that tell them apart",
    )
