"""`tagship completion bash|zsh|fish`: print the shell's completion script, generated from
the commands' own parsers (README: install lines)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from tagship.cli import COMMANDS, _top_parser, command_parser
from tagship.cli.completion_model import Node, nodes, short
from tagship.cli.completion_scripts import bash, fish, zsh
from tagship.cli.options import add_format
from tagship.cli.render import emit_json

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context

SHELLS = {"bash": bash, "zsh": zsh, "fish": fish}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=tuple(SHELLS), help="the shell to complete in")
    add_format(parser)


def command_nodes() -> list[Node]:
    """Every command path of tagship: the top, each command, each action."""
    commands = tuple((name, short(text)) for name, (_, text) in COMMANDS.items())
    found = nodes("", _top_parser(), commands)
    for name in COMMANDS:
        found.extend(nodes(name, command_parser(name)))
    return found


def run(args: argparse.Namespace, ctx: Context) -> int:  # noqa: ARG001 - needs no project
    script = SHELLS[args.shell](command_nodes())
    if args.format == "json":  # the script as a field, for installers that write it themselves
        emit_json({"shell": args.shell, "script": script})
        return 0
    sys.stdout.write(script)
    return 0
