"""Copies of the version that `bump` leaves alone, found so that it can say so.

A bumpversion / bump-my-version configuration's `current_version` (`.bumpversion.cfg`,
`.bumpversion.toml`, `setup.cfg`, `pyproject.toml`'s `[tool.bumpversion]`), a C or C++
`#define ...VERSION... "X.Y.Z"` in a tracked source or header, and Sphinx's `release =` /
`version =` in `conf.py`: each that still holds the old version once the bump's edits are
made is reported with its line (a warning: bump changes what it knows, and names the rest).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from tagship.adapters.project_files import read_exact
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from tagship.steps.versions.version_files import FileEdit
    from tagship.workspace import Workspace

_BUMPVERSION = re.compile(
    r"""^[ \t]*current_version[ \t]*=[ \t]*["']?(?P<v>[^"'\s#;]+)""", re.MULTILINE
)
_DEFINE = re.compile(r'^[ \t]*#[ \t]*define[ \t]+\w*VERSION\w*[ \t]+"(?P<v>[^"\n]+)"', re.MULTILINE)
_SPHINX = re.compile(
    r"""^(?:release|version)[ \t]*=[ \t]*(?P<q>["'])(?P<v>[^"'\n]+)(?P=q)""", re.MULTILINE
)
# file (relative to the project) -> what carries the version in it
_KNOWN = {
    ".bumpversion.cfg": _BUMPVERSION,
    ".bumpversion.toml": _BUMPVERSION,
    "setup.cfg": _BUMPVERSION,
    "pyproject.toml": _BUMPVERSION,
    "docs/conf.py": _SPHINX,
    "docs/source/conf.py": _SPHINX,
    "doc/conf.py": _SPHINX,
    "doc/source/conf.py": _SPHINX,
}
_C_SUFFIXES = frozenset({".h", ".hh", ".hpp", ".hxx", ".c", ".cc", ".cpp", ".cxx"})


@dataclass(frozen=True)
class VersionCopy:
    """A line that holds the old version after the bump: the file (as the user names it,
    relative to the project directory) and its line number."""

    path: str
    line: int


def _same(text: str, version: Version) -> bool:
    """`text` is `version`, written with as many parts (a short `1.2` of 1.2.0 is another
    thing: Sphinx's X.Y version)."""
    try:
        found = Version(text)
    except InvalidVersion:
        return False
    return found == version and len(found.release) == len(version.release)


def _candidates(workspace: Workspace) -> Iterator[tuple[Path, re.Pattern[str]]]:
    root = workspace.root
    for relative, pattern in _KNOWN.items():
        if (root / relative).is_file():
            yield root / relative, pattern
    git = workspace.git
    if git is None:
        return  # tracked sources only: an untracked build tree holds copies of its own
    specs = [str(root), *(f":(exclude){p}" for p in workspace.excluded)]
    try:
        tracked = git.tracked_files(tuple(specs))
    except ServiceError:
        return  # a warning never stops a bump: without the list, no source is read
    for relative in tracked:
        path = git.root / relative
        if path.suffix.lower() in _C_SUFFIXES and path.is_file() and not path.is_symlink():
            yield path, _DEFINE


def unchanged_copies(
    workspace: Workspace, old: Version, edits: Sequence[FileEdit]
) -> tuple[VersionCopy, ...]:
    """The lines that still hold `old` once `edits` are made, in files bump does not own."""
    after = {edit.path.resolve(): edit.after for edit in edits}
    found = []
    for path, pattern in _candidates(workspace):
        resolved = path.resolve()
        try:
            text = after[resolved] if resolved in after else read_exact(path)
        except ConfigError:
            continue  # not UTF-8 (a Latin-1 C source), or gone: nothing to warn about
        for match in pattern.finditer(text):
            if _same(match["v"], old):
                line = text.count("\n", 0, match.start("v")) + 1
                shown = Path(os.path.relpath(path, workspace.root)).as_posix()
                found.append(VersionCopy(shown, line))
    return tuple(found)
