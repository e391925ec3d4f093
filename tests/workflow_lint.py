"""The external linters over the workflows `tagship init` wrote: zizmor (pedantic persona,
offline) must find nothing, and actionlint, when installed, too."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from tagship.ci.github.zizmor import find_tool

if TYPE_CHECKING:
    from pathlib import Path

WORKFLOWS = ".github/workflows"


def assert_linted(root: Path) -> None:
    """zizmor and actionlint accept every workflow under `root`."""
    zizmor = find_tool("zizmor", {})
    assert zizmor is not None
    pedantic = subprocess.run(
        [zizmor, "--offline", "--persona", "pedantic", "--format", "json", WORKFLOWS],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert pedantic.returncode == 0, pedantic.stdout
    assert_actionlint(root)


def assert_actionlint(root: Path) -> None:
    """actionlint, when installed, accepts every workflow under `root`."""
    actionlint = find_tool("actionlint", {})
    if actionlint is not None:
        files = sorted(str(p) for p in (root / WORKFLOWS).iterdir())
        linted = subprocess.run(
            [actionlint, "-no-color", *files], capture_output=True, text=True, check=False
        )
        assert linted.returncode == 0, linted.stdout
