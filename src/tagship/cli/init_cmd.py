"""`tagship init`: write the CI and publish workflows from the config, or check them."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

from tagship.cli.render import line, table
from tagship.core.errors import GateError, UsageError
from tagship.steps import workflows
from tagship.steps.reproduce import known_unreproducible

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context

_GITHUB_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--owner", help="GitHub owner of the repository (default: from config)")
    parser.add_argument("--repo", help="GitHub repository name (default: from config)")
    parser.add_argument("--project", help="project name on the index (default: [project].name)")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 with a diff when files drifted"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    for flag, value in (("--owner", args.owner), ("--repo", args.repo)):
        if value is not None and not _GITHUB_NAME.fullmatch(value):
            raise UsageError(
                f"{flag} {value!r} is not a GitHub name", hint="e.g. --owner CharmAIOS"
            )
    workspace = ctx.workspace()
    text = workflows.read_exact(workspace.config.pyproject)  # CRLF stays CRLF
    plan = workflows.plan(
        workspace.config,
        args.project or workspace.name,
        text,
        owner=args.owner,
        repository=args.repo,
        scm_version=workspace.meta.source.kind == "scm",
    )
    if args.check:
        drifted = workflows.drift(plan, workspace.root)
        for entry in drifted:
            sys.stdout.write(entry.diff)
        if drifted:
            raise GateError(
                f"{len(drifted)} file(s) differ from what `tagship init` writes: "
                + ", ".join(entry.path for entry in drifted),
                hint="run `tagship init` and commit the result",
            )
        line(f"{len(plan.files)} files match the config")
        return 0
    changed = workflows.write(plan, workspace.root)
    for generated in plan.files:
        line(f"{'wrote' if generated.path in changed else 'unchanged'} {generated.path}")
    unknown = "(unknown: pass --owner/--repo)"
    table(
        "Trusted publishers to register (one per index)",
        ["index", "project", "owner", "repository", "workflow", "environment"],
        [
            [
                p.index,
                p.project,
                p.owner or unknown,
                p.repository or unknown,
                p.workflow,
                p.environment or "(none)",
            ]
            for p in plan.publishers
        ],
    )
    table(
        "GitHub environments to create",
        ["environment", "protection"],
        [[e.name, e.protection] for e in plan.environments],
    )
    why = known_unreproducible(workspace.meta.backend, "sdist.tar.gz")
    if why and workspace.config.require_identical_rebuild:
        line(
            f"note: {why}: the release's rebuild will differ from the dry run and be refused; "
            "make the build reproducible, or set require-identical-rebuild = false"
        )
    return 0
