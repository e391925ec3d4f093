"""`tagship packages`: the repository's packages; `--changed`: those a change touched, for
the CI workflow's checks of a repository of several packages."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tagship.ci import event_payload
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line, table
from tagship.core.errors import UsageError
from tagship.core.internal_deps import internal_dependencies, project_dependencies, reachable
from tagship.core.words import plural
from tagship.repository import declared_files
from tagship.steps.changed_packages import Ownership, base_of_event, changed_packages

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.core.packages import Packages
    from tagship.repository import Repository

OUTPUT = "changed"  # the step output the CI workflow's check jobs read


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--changed",
        action="store_true",
        help="only the packages whose files changed (in GitHub Actions: measured from the "
        "event's base; on the release branch every package)",
    )
    parser.add_argument("--since", metavar="REF", help="with --changed: the commit to measure from")
    add_format(parser)


def ownership(repository: Repository, packages: Packages) -> Ownership:
    """What each package declares its own, and which packages depend on it (directly or
    through another): a change to it is theirs to check too."""
    declared = {p.name: declared_files(repository, p) for p in packages.members}
    requirements = {
        p.name: project_dependencies(repository.data[p.directory]) for p in packages.members
    }
    users: dict[str, list[str]] = {}
    for dependency in internal_dependencies(requirements):
        users.setdefault(dependency.dependency, []).append(dependency.dependent)
    dependents = {name: tuple(reachable(name, users)) for name in packages.names}
    return Ownership(declared, dependents)


def run(args: argparse.Namespace, ctx: Context) -> int:
    repository = ctx.repository()
    packages = repository.packages
    if packages is None:
        raise UsageError(
            f"no packages are declared around {repository.start}",
            hint="declare them in the root's [tool.tagship] packages, or as a uv workspace",
        )
    if args.since is not None and not args.changed:
        raise UsageError(
            "--since goes with --changed", hint="tagship packages --changed --since REF"
        )
    names = packages.names
    if args.changed:
        # the release branches are the repository's policy, the same in every package
        first = ctx.policy_workspace(repository)
        if args.since is not None:
            base, why = args.since, f"--since {args.since}"
        else:
            base, why = base_of_event(event_payload(ctx.ci), ctx.ci, first.config)
        changed = changed_packages(
            packages, first.require_git(), base, why, ownership(repository, packages)
        )
        names = changed.names
        line(f"{len(names)} of {plural(len(packages.names), 'package')}: {changed.reason}")
        output = ctx.ci.output_path
        if output is not None:
            with output.open("a", encoding="utf-8") as file:
                file.write(f"{OUTPUT}={json.dumps(list(names))}\n")
    chosen = [p for p in packages.members if p.name in names]
    if args.format == "json":
        emit_json({"packages": [{"name": p.name, "directory": p.relative} for p in chosen]})
        return 0
    table("packages", ("package", "directory"), [(p.name, p.relative) for p in chosen])
    if chosen:
        next_step(f"tagship --package {chosen[0].name} status: one package's release status")
    return 0
