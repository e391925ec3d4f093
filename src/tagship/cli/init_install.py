"""How the workflows `init` writes install tagship: a hash-locked set at this version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.ci.github.workflows import workflows
from tagship.ci.github.workflows.install_tagship import LOCK_FILE, plan_install
from tagship.steps.tagship_lock import lock_request

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.ci.github.workflows.install_tagship import Install
    from tagship.cli.context import Context
    from tagship.workspace import Workspace


def install_plan(
    workspace: Workspace,
    ctx: Context,
    python: str,
    *,
    compiled: bool,
    top: Path | None = None,
    check: bool = False,
    lock_file: str = LOCK_FILE,
) -> Install:
    """How the workflows install tagship: locked at this version (tagship itself: its own
    dependencies and build requirements, then its checkout), with auditwheel for a compiled
    project (its Linux wheels are repaired when tagship builds them). The lock lives at the
    repository's `top` (the project's root, for a repository of one); `check` makes none."""
    request = lock_request(workspace, compiled=compiled)
    lock = (top or workspace.root) / lock_file
    return plan_install(
        source=workspace.config.install_tagship,
        self_install=request.self_install,
        label=request.label,
        also=request.also,
        requirements=request.requirements,
        python=python,
        index=workspace.config.dependency_index,
        current_lock=workflows.read_exact(lock) if lock.is_file() else None,
        runner=ctx.runner,
        env=ctx.env,
        check=check,
        lock_file=lock_file,
    )
