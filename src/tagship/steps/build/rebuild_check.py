"""The rebuild cross-check of promoted files: rebuild the tagged commit and compare.

The release publishes the dry run's files whatever a rebuild gives; the rebuild says whether
the tag alone reproduces them ("byte-identical"), or where it first differs and, when known,
why the backend cannot help it. The verdict goes into the manifest, so the publish record
carries it. It stops the release only with `require-identical-rebuild = true`. Where the
backend cannot rebuild the same bytes, or `rebuild-check = false`, nothing is rebuilt and the
verdict says why (rebuild_policy.py).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.process import run
from tagship.core.errors import GateError, UsageError
from tagship.core.manifest import MANIFEST_NAME
from tagship.steps.build.artifacts import check_manifest, load_manifest, write_manifest
from tagship.steps.build.build import build_artifacts
from tagship.steps.build.rebuild_policy import why_not_rebuilt
from tagship.steps.build.reproduce import compare_builds, known_unreproducible

if TYPE_CHECKING:
    from tagship.adapters.process import Runner
    from tagship.core.manifest import Manifest
    from tagship.steps.build.reproduce import Difference
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class RebuildCheck:
    """The verdict, and the promoted files' manifest that now records it."""

    manifest: Manifest
    identical: bool
    verdict: str
    ran: bool = True  # False: not rebuilt, the verdict says why


def rebuild_summary(done: RebuildCheck) -> str:
    return done.verdict


def verdict(differences: list[Difference], backend: str) -> str:
    """`byte-identical`, or the first difference and, when known, why the backend made it."""
    if not differences:
        return "byte-identical"
    first = differences[0]
    where = (
        f"first differing member {first.member} of {first.file}"
        if first.member
        else f"{first.file}, no member differs"
    )
    # the backend's known faults are stamps and headers: a member's bytes differing is not one
    # of them (a setuptools-scm sdist built with another version differs in content)
    stamped = first.what != "content" and not first.what.startswith("only in")
    why = known_unreproducible(backend, first.file) if stamped else None
    known = f"; {why}: the {backend} backend is known not to be reproducible" if why else ""
    return f"differs: {where} ({first.what}){known}"


def rebuild_check(workspace: Workspace, directory: Path, *, runner: Runner = run) -> RebuildCheck:
    """Rebuild HEAD into a directory of its own and compare it with the promoted files in
    `directory`; record the verdict in their manifest. GateError when they differ and
    `require-identical-rebuild = true`."""
    manifest = load_manifest(directory) if (directory / MANIFEST_NAME).exists() else None
    if manifest is None or manifest.promotion is None:
        held = "a build, not promoted files" if manifest else "no promoted files"
        raise UsageError(
            f"{directory} holds {held}: there is nothing to cross-check",
            hint="promote the dry run's files first: tagship promote --index pypi",
        )
    check_manifest(directory, manifest)  # still the bytes promotion checked
    reason = why_not_rebuilt(workspace.config, manifest)
    if reason is not None:
        return recorded(directory, manifest, reason)
    identical, said = _rebuild_and_compare(workspace, directory, manifest, runner)
    if not identical and workspace.config.identical_rebuild_required:
        raise GateError(
            f"the rebuild of {manifest.tag} {said}",
            hint="make the build reproducible, or leave require-identical-rebuild unset: "
            "the release publishes the dry run's files either way",
        )
    return recorded(directory, manifest, said, identical=identical)


def recorded(
    directory: Path, manifest: Manifest, said: str, *, identical: bool | None = None
) -> RebuildCheck:
    """The verdict written into the promoted files' manifest; `identical` None: not rebuilt."""
    promotion = manifest.promotion
    if promotion is None:  # rebuild_check refused a build's manifest before
        raise UsageError(f"{directory} holds no promoted files to record a rebuild verdict for")
    checked = replace(manifest, promotion=replace(promotion, rebuild_check=said))
    write_manifest(directory, checked)
    return RebuildCheck(checked, bool(identical), said, ran=identical is not None)


def _rebuild_and_compare(
    workspace: Workspace, directory: Path, manifest: Manifest, runner: Runner
) -> tuple[bool, str]:
    with tempfile.TemporaryDirectory(prefix="tagship-rebuild-check-") as tmp:
        try:
            rebuilt = build_artifacts(workspace, Path(tmp), runner=runner).manifest
        except GateError as exc:  # a failed rebuild is a verdict too: the files are proven
            return False, f"failed: {exc.message}"
        names = sorted({f.name for f in manifest.files} | {f.name for f in rebuilt.files})
        differences = compare_builds(directory, Path(tmp), names)
    return not differences, verdict(differences, manifest.build_backend)
