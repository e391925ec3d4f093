"""How the workflows `init` writes install tagship: a hash-locked set at this version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.ci.github.workflows import workflows
from tagship.ci.github.workflows.install_tagship import LOCK_FILE, plan_install

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.ci.github.workflows.install_tagship import Install
    from tagship.cli.context import Context
    from tagship.workspace import Workspace


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


def install_plan(
    workspace: Workspace, ctx: Context, python: str, *, compiled: bool, top: Path | None = None
) -> Install:
    """How the workflows install tagship: locked at this version (tagship itself: its own
    dependencies and build requirements, then its checkout), with auditwheel for a compiled
    project (its Linux wheels are repaired when tagship builds them). The lock lives at the
    repository's `top` (the project's root, for a repository of one)."""
    import tagship  # noqa: PLC0415

    data = workspace.pyproject_data
    self_install = workspace.name == "tagship"
    if self_install:
        needs = [*data.get("project", {}).get("dependencies", [])]
        needs += data.get("build-system", {}).get("requires", [])
        label = "the dependencies and build requirements of tagship's checkout"
    else:
        needs = [f"tagship{'[compiled]' if compiled else ''}=={tagship.__version__}"]
        label = needs[0]
    lock = (top or workspace.root) / LOCK_FILE
    return plan_install(
        source=workspace.config.install_tagship,
        self_install=self_install,
        label=label,
        also=_extra("compiled") if compiled and not self_install else (),
        requirements="\n".join(needs) + "\n",
        python=python,
        index=workspace.config.dependency_index,
        current_lock=workflows.read_exact(lock) if lock.is_file() else None,
        runner=ctx.runner,
        env=ctx.env,
    )
