"""Host-neutral values of adopting a CI host: what its pipeline is made from, and the tables
of what remains outside the repository (`init`'s checklist), as each host fills them and the
CLI renders them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tagship.core.infer_checks import ProjectFacts

# `tagship` as a command word: first on a line, or after a shell separator
_TAGSHIP_WORD = re.compile(r"(?:^|[\s;&|(])tagship(?:\s|$)", re.MULTILINE)


def calls_tagship(command: str) -> bool:
    """Whether a check's shell command runs tagship, on any host: only such a job installs
    tagship's locked set (about 50 packages); `ruff check .` needs none of it."""
    return _TAGSHIP_WORD.search(command) is not None


@dataclass(frozen=True)
class ChecklistTable:
    """One thing to set up outside the repository: a title saying where, and its rows."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class HostChecklist:
    """What remains outside the repository, table by table, and the lines after them."""

    tables: tuple[ChecklistTable, ...]
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class PipelineInputs:
    """What a host's pipeline is made from besides the config."""

    project: str
    python: str
    facts: ProjectFacts
    pyproject_text: str
    top_file: str | None  # the project's top-level pipeline file, None when it has none
    lock: str | None  # the lock's new text (None: keep the one there)
    source: str | None  # install-tagship: where the jobs install tagship from instead
    also: tuple[str, ...] = ()  # what tagship's extras add beside a `source`
