"""The dry run's gate for a package that depends on another package of its repository: some
version of that package its range admits must be on the dependency index already, or the
clean install that proves the release cannot find it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from tagship.adapters.index import SimpleIndex
from tagship.core.audit import file_version
from tagship.core.internal_deps import internal_dependencies, project_dependencies
from tagship.core.names import normalized_name
from tagship.steps.gates.gates import Gate

if TYPE_CHECKING:
    from tagship.adapters.http import Http
    from tagship.workspace import Workspace

NAME = "internal dependencies"


def _versions(index: SimpleIndex, project: str) -> set[Version]:
    page = index.project(project)
    found = set()
    for file in page.files if page is not None else ():
        text = file_version(file.filename)
        try:
            if text is not None and file.yanked is None:
                found.add(Version(text))
        except InvalidVersion:
            continue
    return found


def dependencies_on_index(workspace: Workspace, http: Http) -> Gate:
    """Every dependency on a sibling package is satisfiable from the dependency index."""
    name = normalized_name(workspace.name)
    declared = {
        name: project_dependencies(workspace.pyproject_data),
        **{s: [] for s in workspace.siblings},
    }
    wanted = [d for d in internal_dependencies(declared) if d.dependent == name]
    if not wanted:
        return Gate(NAME, "passed", "it depends on no other package of the repository")
    url = workspace.config.dependency_index
    index = SimpleIndex(url, http, None)
    for dependency in wanted:
        if not any(dependency.allows(v) for v in _versions(index, dependency.dependency)):
            return Gate(
                NAME,
                "failed",
                f"{name} requires {dependency.requirement}, and no such version of "
                f"{dependency.dependency} is on {url} yet: release {dependency.dependency} first",
            )
    shown = ", ".join(d.requirement for d in wanted)
    return Gate(NAME, "passed", f"{shown} on {url}")
