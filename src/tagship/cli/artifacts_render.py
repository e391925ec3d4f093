"""How built and verified files are shown: the manifest's files, and what failed. Kept apart
from `build_cmd` so that publish, verify-artifacts and promote do not import the builder."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from tagship.cli.render import line, markdown_table, step_summary
from tagship.core.manifest import MANIFEST_NAME
from tagship.steps.verify.verify import VerificationError

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.adapters.build.builder import BuildFailedError
    from tagship.cli.context import Context
    from tagship.core.manifest import Manifest


def show_manifest(
    manifest: Manifest, directory: Path, ctx: Context, title: str = "tagship build"
) -> None:
    rows = [(f.name, f.kind, str(f.size), f.sha256) for f in manifest.files]
    for name, kind, size, sha256 in rows:
        line(f"{kind}\t{name}\t{size} bytes\tsha256 {sha256}")
    line(f"manifest\t{directory / MANIFEST_NAME}")
    step_summary(
        ctx,
        f"### {title}: {manifest.project} {manifest.version}\n\n"
        + markdown_table(("file", "kind", "size", "sha256"), rows),
    )


def show_problems(error: VerificationError | BuildFailedError) -> None:
    """Everything that failed, before the one-line error the CLI prints."""
    if isinstance(error, VerificationError):
        for problem in error.problems:
            sys.stderr.write(f"  FAIL {problem}\n")
    else:
        for text in error.output.splitlines():
            sys.stderr.write(f"  | {text}\n")
