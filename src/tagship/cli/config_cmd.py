"""`tagship config`: the effective configuration and where each value came from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.project_facts import gather_facts
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, table
from tagship.core.config_view import describe
from tagship.core.infer_checks import plan_checks

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    workspace = ctx.workspace()
    facts = gather_facts(workspace.root, workspace.pyproject_data, workspace.inherited)
    rows = describe(workspace.config, ctx.env, plan_checks(workspace.config, facts))
    if args.format == "json":
        emit_json({"settings": [{"key": k, "value": v, "source": s} for k, v, s in rows]})
    else:
        table(
            f"tagship configuration ({workspace.config.pyproject})",
            ("key", "value", "source"),
            rows,
        )
    return 0
