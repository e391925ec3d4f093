"""`tagship check-docs`: the long description renders on PyPI; the docs files exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.render import line
from tagship.core.errors import GateError

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.steps.verify.docs_check import check_docs  # noqa: PLC0415 - readme_renderer is slow

    del args
    report = check_docs(ctx.workspace())
    for checked in report.checked:
        line(f"ok\t{checked}")
    if report.problems:
        for problem in report.problems[1:]:
            line(f"FAIL\t{problem}")
        raise GateError(report.problems[0], hint="fix the readme or [tool.tagship] docs-files")
    return 0
