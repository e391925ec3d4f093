"""The lock the generated workflows install tagship from (.github/tagship-requirements.txt):
what `init` locks for a project, and whether the lock on disk is that one. `init` writes
it; `init --check` and `doctor` refuse workflows that point at a lock missing or stale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.project_files import read_text
from tagship.ci.github import workflow_model as wm
from tagship.ci.github.policy import Finding
from tagship.ci.github.workflows import workflows
from tagship.ci.github.workflows.build_matrix import wheel_builder
from tagship.ci.github.workflows.install_tagship import (
    LOCK_FILE,
    OFFLINE,
    lock_head,
    lock_problem,
)
from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from tagship.workspace import Workspace

LOCK_CHECK = "tagship lock"


@dataclass(frozen=True)
class LockRequest:
    """What the lock pins (`requirements`), the words naming it in the lock's header
    (`label`), whether tagship installs its own checkout, and what its extras add beside an
    `install-tagship` source."""

    label: str
    requirements: str
    self_install: bool
    also: tuple[str, ...] = ()

    @property
    def head(self) -> str:
        return lock_head(self.label, self.requirements)


def _extra(name: str) -> tuple[str, ...]:
    """What tagship's extra `name` adds, from its installed metadata, for the workflows' jobs
    (all on Linux runners, so platform markers are left out)."""
    from importlib.metadata import requires  # noqa: PLC0415

    from packaging.requirements import Requirement  # noqa: PLC0415

    found = [Requirement(text) for text in requires("tagship") or []]
    return tuple(
        f"{r.name}{r.specifier}"
        for r in found
        if r.marker is not None
        and r.marker.evaluate({"extra": name, "sys_platform": "linux"})
        and not r.marker.evaluate({"extra": "", "sys_platform": "linux"})
    )


def lock_request(workspace: Workspace, *, compiled: bool) -> LockRequest:
    """tagship at this version (with auditwheel for a compiled project, whose Linux wheels
    tagship repairs); for tagship itself, its checkout's dependencies and build requirements."""
    import tagship  # noqa: PLC0415

    data = workspace.pyproject_data
    if workspace.name == "tagship":
        needs = [*data.get("project", {}).get("dependencies", [])]
        needs += data.get("build-system", {}).get("requires", [])
        label = "the dependencies and build requirements of tagship's checkout"
        return LockRequest(label, "\n".join(needs) + "\n", self_install=True)
    pinned = f"tagship{'[compiled]' if compiled else ''}=={tagship.__version__}"
    also = _extra("compiled") if compiled else ()
    return LockRequest(pinned, pinned + "\n", self_install=False, also=also)


def jobs_python(workspaces: Sequence[Workspace]) -> str:
    """The jobs' Python: `python-version`, else the newest every package's requires-python
    allows, in the order a repository of one chooses."""
    config = workspaces[0].config
    if len(workspaces) == 1:
        project = workspaces[0].pyproject_data.get("project", {})
        return workflows.workflow_python(config, project.get("requires-python"))
    if config.python_version:
        return config.python_version
    allowed = [
        workflows.allowed_pythons(
            w.config, w.pyproject_data.get("project", {}).get("requires-python")
        )
        for w in workspaces
    ]
    common = [v for v in allowed[0] if all(v in other for other in allowed[1:])]
    if not common:
        raise ConfigError(
            "no Python satisfies the requires-python of every package",
            hint='set python-version = "3.X" in the root pyproject.toml\'s [tool.tagship]',
        )
    return common[0]


def _installs_from_lock(workflow: wm.Workflow) -> int | None:
    """The line of the first step of a generated workflow that installs from the lock."""
    for name, job in workflow.jobs().items():
        for at, step in enumerate(wm.steps(job)):
            if LOCK_FILE in str(step.get("run", "")):
                return workflow.line(("jobs", name, "steps", at, "run"))
    return None


def lock_check(
    workflows_found: Sequence[wm.Workflow], packages: Sequence[Workspace], root: Path
) -> tuple[list[Finding], str | None]:
    """(findings, why the check was skipped): one finding when tagship's workflows install
    from a lock that is missing or does not lock what `init` would lock now (this tagship
    version, for the jobs' Python). Skipped where the maintainer keeps init from locking."""
    if packages[0].env.get(OFFLINE):
        return [], f"{OFFLINE} is set"
    return _lock_findings(workflows_found, packages, root), None


def _lock_findings(
    workflows_found: Sequence[wm.Workflow], packages: Sequence[Workspace], root: Path
) -> list[Finding]:
    users = [
        (w, at)
        for w in workflows_found
        if w.generated and (at := _installs_from_lock(w)) is not None
    ]
    if not users:
        return []
    first, at = users[0]
    where = f"{first.path}:{at}" + (f" and {len(users) - 1} more" if len(users) > 1 else "")
    lock = root / LOCK_FILE
    compiled = len(packages) == 1 and (
        wheel_builder(packages[0].root, packages[0].pyproject_data) is not None
    )
    head = lock_request(packages[0], compiled=compiled).head
    problem = lock_problem(read_text(lock) if lock.is_file() else None, head, jobs_python(packages))
    if problem is None:
        return []
    rule = "tagship-lock-missing" if not lock.is_file() else "tagship-lock-stale"
    why = f"{problem}, and the workflows install tagship from it ({where})"
    fix = "run `tagship init` (it locks from the dependency-index) and commit the lock"
    return [Finding(rule, LOCK_FILE, 1, why, fix)]
