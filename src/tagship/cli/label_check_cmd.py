"""`tagship label-check`: a pull request carries exactly one release label."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.ci import event_payload
from tagship.ci.clients import host_client
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line
from tagship.core.errors import UsageError
from tagship.core.notes import require_one_label

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.core.ci_run import CIRun


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pr", type=int, metavar="N", help="pull request number (default: from the Actions event)"
    )
    add_format(parser)


def pr_from_event(ci: CIRun) -> int | None:
    """The pull request number of the GitHub Actions event being handled, if it is one."""
    event = event_payload(ci)
    if event is None:
        return None
    pull = event.get("pull_request")
    number = pull.get("number") if isinstance(pull, dict) else None
    return number if isinstance(number, int) else None


def run(args: argparse.Namespace, ctx: Context) -> int:
    number = args.pr if args.pr is not None else pr_from_event(ctx.ci)
    if number is None:
        raise UsageError(
            "no pull request to check", hint="pass --pr N, or run on a pull_request event"
        )
    workspace = ctx.policy_workspace()  # the labels are the repository's, whatever package
    client = host_client(
        ctx.ci, workspace.config, command="label-check", permission="pull-requests: read"
    )
    labels = client.pull_labels(number)
    if labels is None:
        raise UsageError(f"pull request #{number} not found in {client.full_name}")
    label = require_one_label(number, labels, workspace.config.release_labels)
    emit_json({"pull_request": number, "label": label})
    line(f"pull request #{number} carries {label}")
    next_step("tagship notes: the release notes and next version the labels make")
    return 0
