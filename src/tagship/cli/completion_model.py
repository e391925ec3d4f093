"""What shell completion knows, read from the parsers themselves: every command path (the
top, each command, each action of a command), its options and the words that may follow.

Read from argparse rather than written by hand, so the scripts cannot drift from the CLI.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

_HELP_WIDTH = 70  # descriptions shown by zsh and fish stay on one line


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    help: str
    takes_value: bool
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Node:
    """One command path: "" (tagship itself), "status", "rollback yank"."""

    path: str
    options: tuple[Option, ...]
    # the words that may follow here: subcommands and a positional's choices, with help
    words: tuple[tuple[str, str], ...]

    @property
    def valued(self) -> tuple[str, ...]:
        """The option flags that take a value (the next word is not a command)."""
        return tuple(f for o in self.options if o.takes_value for f in o.flags)


def short(text: str | None) -> str:
    """A help text as one short line."""
    if not text or text == argparse.SUPPRESS:
        return ""
    flat = " ".join(text.replace("%%", "%").split())
    return flat if len(flat) <= _HELP_WIDTH else flat[: _HELP_WIDTH - 3].rstrip() + "..."


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse._SubParsersAction]:  # type: ignore[type-arg]
    return [
        a
        for a in parser._actions  # noqa: SLF001 - argparse lists its actions only here
        if isinstance(a, argparse._SubParsersAction)  # noqa: SLF001 - same
    ]


def nodes(
    path: str, parser: argparse.ArgumentParser, words: tuple[tuple[str, str], ...] = ()
) -> list[Node]:
    """The node of `parser` at `path` and those of its actions, depth first. `words`: what
    follows besides subparsers (the top's commands, which are no argparse subparsers)."""
    options = []
    found = list(words)
    children: list[Node] = []
    for action in parser._actions:  # noqa: SLF001 - argparse lists its actions only here
        if action.option_strings:
            if action.help == argparse.SUPPRESS:
                continue
            choices = tuple(str(c) for c in action.choices or ())
            options.append(
                Option(tuple(action.option_strings), short(action.help), action.nargs != 0, choices)
            )
        elif action.choices and not isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            found.extend((str(c), short(action.help)) for c in action.choices)
    for sub in _subparsers(parser):
        helps = {c.dest: c.help for c in sub._choices_actions}  # noqa: SLF001 - each action's help
        for name, child in sub.choices.items():
            found.append((name, short(helps.get(name))))
            children.extend(nodes(f"{path} {name}".strip(), child))
    return [Node(path, tuple(options), tuple(found)), *children]
