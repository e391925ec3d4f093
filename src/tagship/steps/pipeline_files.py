"""What a host's pipeline (ci/adoption.py) is made from, read from the project: the same for
`init`, which writes it, and `doctor`, which compares it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.project_facts import gather_facts
from tagship.ci.github.workflows.workflows import read_exact
from tagship.ci.pipeline_values import PipelineInputs
from tagship.steps.tagship_lock import jobs_python, lock_request

if TYPE_CHECKING:
    from tagship.workspace import Workspace


def read_file(workspace: Workspace, path: str) -> str | None:
    """A file of the project as it is (line endings kept), None when it is not there."""
    target = workspace.root / path
    return read_exact(target) if target.is_file() else None


def pipeline_inputs(
    workspace: Workspace, top_file: str, *, project: str | None = None, lock: str | None = None
) -> PipelineInputs:
    """The inputs of `workspace`'s pipeline; `top_file`: the host's top-level pipeline file;
    `lock`: the lock's new text (None: the one there is kept)."""
    request = lock_request(workspace, compiled=False)
    return PipelineInputs(
        project=project or workspace.name,
        python=jobs_python([workspace]),
        facts=gather_facts(workspace.root, workspace.pyproject_data, workspace.inherited),
        pyproject_text=read_exact(workspace.config.pyproject),
        top_file=read_file(workspace, top_file),
        lock=lock,
        source=workspace.config.install_tagship,
        also=request.also,
    )
