"""Dependencies between the packages of one repository: which releases force others.

When package B depends on package A of the same repository and pins a range that excludes
A's next version, releasing A leaves B's users unable to install both: B needs a release too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement

from tagship.core.names import normalized_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

    from packaging.version import Version


@dataclass(frozen=True)
class InternalDependency:
    """Package `dependent` requires package `dependency` (of the same repository) as `spec`."""

    dependent: str
    dependency: str
    requirement: str  # as written, e.g. "ws-core>=0.1,<0.2"

    def allows(self, version: Version) -> bool:
        """Whether the pinned range admits `version` (pre-releases count as admitted when
        named: a release candidate of A is what B is tested against)."""
        spec = Requirement(self.requirement).specifier
        return spec.contains(version, prereleases=True)


def project_dependencies(pyproject: Mapping[str, Any]) -> list[str]:
    """A parsed pyproject.toml's `[project].dependencies` as written (the strings of it)."""
    project = pyproject.get("project", {})
    declared = project.get("dependencies", []) if isinstance(project, dict) else []
    return [d for d in declared if isinstance(d, str)] if isinstance(declared, list) else []


def internal_dependencies(
    declared: Mapping[str, Sequence[str]],
) -> tuple[InternalDependency, ...]:
    """The requirements in `declared` (package -> its `[project].dependencies`) that name
    another package of `declared`; requirements that do not parse are not ours to judge."""
    names = set(declared)
    found = []
    for dependent, requirements in sorted(declared.items()):
        for text in requirements:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            name = normalized_name(requirement.name)
            if name in names and name != dependent:
                found.append(InternalDependency(dependent, name, text))
    return tuple(found)


def forced_releases(
    dependencies: Iterable[InternalDependency], releasing: Mapping[str, Version]
) -> tuple[tuple[InternalDependency, Version], ...]:
    """The dependencies whose range excludes the version their dependency is about to
    release (`releasing`: package -> its next version)."""
    return tuple(
        (dep, releasing[dep.dependency])
        for dep in dependencies
        if dep.dependency in releasing and not dep.allows(releasing[dep.dependency])
    )


def reachable(start: str, edges: Mapping[str, Iterable[str]]) -> list[str]:
    """Every package reached from `start` along `edges` (what it depends on, or what
    depends on it), nearest first, `start` itself left out."""
    seen: list[str] = []
    todo = list(edges.get(start, ()))
    while todo:
        name = todo.pop(0)
        if name not in seen and name != start:
            seen.append(name)
            todo.extend(edges.get(name, ()))
    return seen
