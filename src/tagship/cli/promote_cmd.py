"""`tagship promote --index pypi`: the release job's files are the dry run's, fetched from its
test index and checked byte for byte (publish-pypi.yml's build job, on the tag)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.artifacts_render import show_manifest, show_problems
from tagship.cli.context import in_project
from tagship.cli.flow_render import one_step
from tagship.cli.json_fields import built, seq
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json
from tagship.core.release_plan import PROMOTE, TAGGED
from tagship.steps.verify.verify import VerificationError

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index", default="pypi", help="the production index the files are released to (pypi)"
    )
    parser.add_argument(
        "--dir", type=Path, default=Path("dist"), metavar="DIR", help="where they go (dist)"
    )
    parser.add_argument("--tag", help="the tag being released (default: from GITHUB_REF)")
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.http import Http, policy_from_env  # noqa: PLC0415 - httpx is slow
    from tagship.steps.gates.release_checks import releasable, release_tag  # noqa: PLC0415
    from tagship.steps.publish.promote import promote, promoted_summary  # noqa: PLC0415

    workspace = ctx.workspace()
    tag = release_tag(workspace, args.tag)
    production = workspace.config.index(args.index)
    directory = in_project(workspace, args.dir)
    head = workspace.require_git().head_sha()
    one_step(TAGGED, lambda: releasable(workspace, tag, head), str)
    try:
        with Http(policy_from_env(ctx.env)) as http:
            done = one_step(
                PROMOTE,
                lambda: promote(workspace, directory, production, http=http),
                promoted_summary,
            )
    except VerificationError as error:  # every problem, as verify-artifacts lists them
        show_problems(error)
        raise
    emit_json(
        built(
            directory,
            done.manifest,
            index=done.index,
            fetched=done.fetched,
            provenance=done.provenance,
            dry_run_seq=seq(done.dry_run),
        )
    )
    show_manifest(done.manifest, directory, ctx, title=f"promoted from {done.index}")
    next_step(f"tagship publish --index {production.name} --dir {args.dir}")
    return 0
