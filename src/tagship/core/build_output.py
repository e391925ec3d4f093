"""What is build output: which files of a build directory are distributions, and which
uncommitted paths of the work tree are a build's output rather than a change to release."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable

Kind = Literal["sdist", "wheel"]


def dist_kind(name: str) -> Kind | None:
    """The distribution a file name is; None for anything else."""
    if name.endswith(".whl"):
        return "wheel"
    if name.endswith(".tar.gz"):
        return "sdist"
    return None


def is_build_output(path: str, build_dirs: Iterable[str]) -> bool:
    """Whether `path`, relative to the work tree as git reports it ("dist/" for an untracked
    directory), lies in one of `build_dirs` (relative, "/"-separated)."""
    probe = path.rstrip("/") + "/"
    return any(probe.startswith(directory.rstrip("/") + "/") for directory in build_dirs)
