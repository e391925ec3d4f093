"""PyPI's refusals of a file's metadata that `verify` leaves to the index: pure, no I/O.

As warehouse's forklift/metadata.py and forklift/legacy.py check an upload (read 2026-08):
a metadata version it supports, no local version, a summary of at most 512 characters, only
classifiers of trove-classifiers (warehouse's own list) and none deprecated, and every
`License-File` inside the archive (PEP 639). `verify` already checks names, versions, tags,
the README's rendering and the `Private ::` classifier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trove_classifiers import all_classifiers, deprecated_classifiers

if TYPE_CHECKING:
    from collections.abc import Collection

    from packaging.metadata import Metadata

SUPPORTED_METADATA_VERSIONS = frozenset({"1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"})
SUMMARY_LIMIT = 512


def _classifier_problems(classifiers: Collection[str]) -> list[str]:
    problems = [
        f"has the classifier {c!r}, which PyPI does not know: pick one of "
        "https://pypi.org/classifiers/"
        for c in sorted(set(classifiers) - set(all_classifiers))
    ]
    for c in sorted(set(classifiers) & deprecated_classifiers.keys()):
        instead = deprecated_classifiers[c]
        use = f"use {' or '.join(map(repr, instead))}" if instead else "remove it"
        problems.append(f"has the deprecated classifier {c!r}, which PyPI refuses: {use}")
    return problems


def license_member(kind: str, stem: str, license_file: str) -> str:
    """Where PEP 639 puts a License-File in the archive (`stem`: name-version)."""
    if kind == "wheel":
        return f"{stem}.dist-info/licenses/{license_file}"
    return f"{stem}/{license_file}"


def archive_problems(meta: Metadata, kind: str, stem: str, members: Collection[str]) -> list[str]:
    """What PyPI would refuse in this file's metadata, each with the fix."""
    problems = []
    if meta.metadata_version not in SUPPORTED_METADATA_VERSIONS:
        problems.append(
            f"has Metadata-Version {meta.metadata_version}, which PyPI does not take: "
            "upgrade the build backend"
        )
    if meta.version.local:
        problems.append(
            f"has the local version {meta.version}, which PyPI refuses: release "
            f"{meta.version.public}"
        )
    if meta.summary is not None and len(meta.summary) > SUMMARY_LIMIT:
        problems.append(
            f"has a summary of {len(meta.summary)} characters, PyPI takes {SUMMARY_LIMIT}: "
            "shorten [project].description"
        )
    problems += _classifier_problems(meta.classifiers or ())
    problems += [
        f"names the License-File {name!r}, which is not in the archive at "
        f"{license_member(kind, stem, name)}: include it, or drop it from license-files"
        for name in meta.license_files or ()
        if license_member(kind, stem, name) not in members
    ]
    return problems
