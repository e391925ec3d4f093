"""The files a `[tool.tagship.github] release-assets` pattern names, each one a file of the
repository's work tree: a published immutable Release shows its assets to anyone, for good.

Refused: a pattern that is absolute, a match that resolves outside the repository (`..`
past its top, a symbolic link to a home directory's keys), and anything inside `.git`
(actions/checkout keeps the job's token in `.git/config`; the ledger lives there too).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

from tagship.core.errors import ConfigError, GateError

if TYPE_CHECKING:
    from pathlib import Path

_KEY = "[tool.tagship.github] release-assets"


def asset_paths(pattern: str, root: Path, top: Path) -> list[Path]:
    """The regular files `pattern` matches under `root` (the project), sorted, each inside
    the work tree at `top` and outside its `.git`; GateError (nothing published) otherwise."""
    if PurePath(pattern).is_absolute() or PurePath(pattern).drive:
        raise ConfigError(
            f"{_KEY} pattern {pattern!r} is an absolute path",
            hint="write it relative to the project, e.g. dist/*.whl",
        )
    tree = top.resolve()
    paths = sorted(p for p in root.glob(pattern) if p.is_file())
    for path in paths:
        real = path.resolve()
        if not real.is_relative_to(tree):
            why = f"{path}, which is outside the repository {top}"
        elif ".git" in real.relative_to(tree).parts or ".git" in path.relative_to(root).parts:
            why = f"{path}, which is inside .git (git's own files and the job's credentials)"
        else:
            continue
        raise GateError(
            f"{_KEY} pattern {pattern!r} matches {why}: nothing was published",
            hint="name files of the project's work tree only, such as its built files",
        )
    return paths
