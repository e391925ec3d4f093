"""What every command receives: where the project is, the environment, the runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tagship.adapters.process import Runner, run
from tagship.workspace import Workspace, open_workspace

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


def in_project(workspace: Workspace, path: Path) -> Path:
    """A path option: relative paths are relative to the project directory (-C)."""
    return path if path.is_absolute() else workspace.root / path


@dataclass(frozen=True)
class Context:
    """The command line's global options and the process environment."""

    project_dir: Path
    overrides: tuple[str, ...]
    env: Mapping[str, str]
    runner: Runner = field(default=run)

    def workspace(self) -> Workspace:
        return open_workspace(
            self.project_dir, env=self.env, overrides=self.overrides, runner=self.runner
        )
