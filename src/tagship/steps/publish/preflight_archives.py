"""The preflight's look inside the files: their metadata and members, against the archive
rules PyPI applies and `verify` does not (core/archive_rules.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.archives import UnreadableArchiveError, open_sdist, open_wheel
from tagship.core.archive_rules import archive_problems
from tagship.core.preflight_rules import Finding
from tagship.steps.build.dist_metadata import read_core_metadata
from tagship.steps.verify.metadata_check import parse_metadata

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from tagship.core.build_output import Kind
    from tagship.core.preflight_rules import Upload


def _members(path: Path, kind: Kind) -> set[str]:
    if kind == "wheel":
        with open_wheel(path) as wheel:
            return set(wheel.namelist())
    with open_sdist(path) as sdist:
        return set(sdist.getnames())


def _stem(name: str, kind: str) -> str:
    # warehouse takes a wheel's name and version as the file name's first two parts
    return "-".join(name.split("-")[:2]) if kind == "wheel" else name[: -len(".tar.gz")]


def archive_findings(directory: Path, uploads: Sequence[Upload]) -> list[Finding]:
    """What the index would refuse inside each file (unreadable files are verify's to judge,
    and it ran before)."""
    found: list[Finding] = []
    for upload in uploads:
        if upload.kind is None:
            continue
        path = directory / upload.name
        try:
            meta, _ = parse_metadata(read_core_metadata(path, upload.kind))
            members = _members(path, upload.kind)
        except UnreadableArchiveError:
            continue
        if meta is None:  # invalid metadata: verify names it
            continue
        stem = _stem(upload.name, upload.kind)
        found += [
            Finding("archive rules", "failed", f"{upload.name} {problem}")
            for problem in archive_problems(meta, upload.kind, stem, members)
        ]
    return found
