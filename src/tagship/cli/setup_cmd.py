"""`tagship setup github`: create on GitHub what the release needs (environments, the ruleset
requiring the checks, the release labels), after showing the index's publisher forms."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line, note_line
from tagship.cli.setup_checklist import checklist_json, checklist_of, show_publishers
from tagship.core.errors import UsageError
from tagship.core.words import plural

if TYPE_CHECKING:
    import argparse

    from tagship.ci.github.setup_client import Change, SetupClient
    from tagship.ci.github.setup_plan import Checklist
    from tagship.cli.context import Context


DOCTOR = "tagship doctor: checks the workflows and Trusted Publishing (the publishers above)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("host", choices=["github"], help="the CI host to set up")
    parser.add_argument(
        "--dry-run", action="store_true", help="read GitHub and show the plan; change nothing"
    )
    parser.add_argument(
        "--reviewer",
        metavar="LOGIN|ORG/TEAM",
        help="who approves each release to the production index (default: the token's user)",
    )
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.reviewer is not None and not args.reviewer.strip("/"):
        raise UsageError("--reviewer needs a login or org/team", hint="e.g. --reviewer octocat")
    # githubkit is slow to import: only this command pays for it
    from tagship.ci.github.setup_client import ADMIN, SetupClient  # noqa: PLC0415

    repository = ctx.repository()
    workspaces = ctx.every_package(repository) or (ctx.workspace(repository),)
    found = checklist_of(workspaces, ctx.ci.server_url or "https://github.com")
    client = SetupClient.from_run(
        ctx.ci,
        workspaces[0].config,
        command="setup github",
        permission=f"{ADMIN} and issues: write",
        in_workflow=False,  # a workflow's GITHUB_TOKEN never holds administration
    )
    with client.connected():
        return _setup(args, client, found)


def _setup(args: argparse.Namespace, client: SetupClient, found: Checklist) -> int:
    from tagship.ci.github.setup_github import apply_setup, plan_setup  # noqa: PLC0415

    plan = plan_setup(client, found, args.reviewer)
    if args.format == "json":
        made = () if args.dry_run else apply_setup(client, plan, lambda _: None)
        emit_json(
            {
                "repository": plan.repository,
                "dry_run": args.dry_run,
                "checklist": checklist_json(found),
                "changes": [asdict(c) for c in plan.changes],
                "made": len(made),
                "notes": list(plan.notes),
            }
        )
        return 0
    show_publishers(found)  # the index has no API for them: the form's values
    line("")
    for note in plan.notes:
        note_line(note)
    if not plan.changes:
        line(f"nothing to do: {plan.repository} is set up as the release needs")
        next_step(DOCTOR)
        return 0
    if args.dry_run:
        for change in plan.changes:
            line(f"would {change.what}")
        line(f"{plural(len(plan.changes), 'change')} planned; nothing changed (--dry-run)")
        next_step(
            "tagship setup github" + (f" --reviewer {args.reviewer}" if args.reviewer else "")
        )
        return 0

    def said(change: Change) -> None:
        line(f"{change.what}: done")

    done = apply_setup(client, plan, said)
    line(f"{plural(len(done), 'change')} made on {plan.repository}")
    next_step(DOCTOR)
    return 0
