"""What every command receives: where the project is, the environment, the runner."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.process import Runner, run
from tagship.workspace import Workspace, open_workspace

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping


def add_record_to(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--record-to",
        type=Path,
        metavar="FILE",
        help="write the ledger records to FILE for `tagship record` in a later job, "
        "instead of the ledger (a job without a token that may write the repository)",
    )


def with_outbox(workspace: Workspace, record_to: Path | None) -> Workspace:
    """The workspace whose records go to `record_to` (relative to -C) when given."""
    if record_to is None:
        return workspace
    return replace(workspace, outbox=in_project(workspace, record_to))


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
