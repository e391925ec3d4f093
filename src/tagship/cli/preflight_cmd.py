"""`tagship preflight [--index INDEX] [--dir DIR]`: would the index take the manifest's files?"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.artifacts_render import show_problems
from tagship.cli.context import in_project
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line
from tagship.cli.style import verdict

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.steps.publish.preflight import PreflightReport


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index",
        "--to",
        dest="index",
        default="pypi",
        metavar="INDEX",
        help="the index the files go to: pypi (default), testpypi or a configured one",
    )
    parser.add_argument("--dir", type=Path, default=Path("dist"), help="the build directory")
    add_format(parser)


def _warnings(report: PreflightReport) -> None:
    # the refusals are the error's own lines: shown once, there
    for finding in report.warnings:
        line(f"[{verdict('warning')}] {finding.rule}: {finding.message}")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.http import Http, policy_from_env  # noqa: PLC0415 - httpx is slow to import
    from tagship.steps.build.artifacts import load_manifest  # noqa: PLC0415
    from tagship.steps.publish.preflight import (  # noqa: PLC0415
        PreflightError,
        preflight_manifest,
        preflight_summary,
    )
    from tagship.steps.publish.release_steps import expected_artifacts  # noqa: PLC0415
    from tagship.steps.verify.verify import VerificationError, verify_build  # noqa: PLC0415

    workspace = ctx.workspace()
    index = workspace.config.index(args.index)
    directory = in_project(workspace, args.dir)
    manifest = load_manifest(directory)
    try:  # the files publish would send: verified first, as publish does
        verify_build(directory, manifest, expected_artifacts(workspace))
        with Http(policy_from_env(ctx.env)) as http:
            report = preflight_manifest(workspace, manifest, directory, index, http=http)
    except VerificationError as error:  # every problem, as verify-artifacts lists them
        show_problems(error)
        raise
    except PreflightError as error:  # the warnings, then the error naming every refusal
        _warnings(error.report)
        emit_json(error.report)
        raise
    _warnings(report)
    emit_json(report)
    line(f"[{verdict('passed')}] preflight: {preflight_summary(report)}")
    next_step(f"tagship publish --index {index.name} --dir {args.dir}")
    return 0
