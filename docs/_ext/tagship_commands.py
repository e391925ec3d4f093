"""The command reference, generated from tagship's own parsers at build time so it cannot drift.

`{tagship-commands}` renders one section per entry of `tagship.cli.COMMANDS` (usage, what it
does, every option, its subcommands), each parser built by `tagship.cli.command_parser` as
`tagship NAME` builds it. `{tagship-global-options}` renders the options that go before the
command.
"""
# ruff: noqa: INP001 - loaded by Sphinx from docs/_ext, not a package

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.application import Sphinx


def _help(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    # argparse's own expansion, so `%(default)s` and friends read as `--help` shows them
    formatter = parser._get_formatter()  # noqa: SLF001 - argparse has no public way
    return formatter._expand_help(action) if action.help else ""  # noqa: SLF001


def _invocation(action: argparse.Action) -> str:
    if not action.option_strings:
        return str(action.metavar or action.dest)
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    metavar = action.metavar or (
        "{" + ",".join(map(str, action.choices)) + "}" if action.choices else action.dest.upper()
    )
    shown = " ".join(metavar) if isinstance(metavar, tuple) else metavar
    return ", ".join(f"{option} {shown}" for option in action.option_strings)


def _options(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:  # noqa: SLF001 - the parser's options, in declared order
        if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:  # noqa: SLF001
            continue
        yield action


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[argparse.ArgumentParser, str]]:
    """Each subcommand's parser and the one line `add_parser(help=...)` gave it."""
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            helps = {a.dest: a.help or "" for a in action._choices_actions}  # noqa: SLF001
            for name, sub in action.choices.items():
                yield sub, helps.get(name, "")


def _option_list(
    parser: argparse.ArgumentParser, skip: tuple[str, ...] = ()
) -> nodes.definition_list:
    listing = nodes.definition_list()
    for action in _options(parser):
        # subcommands get sections of their own; `skip` names what is not an option
        if isinstance(action, argparse._SubParsersAction) or action.dest in skip:  # noqa: SLF001
            continue
        term = nodes.term("", "", nodes.literal(text=_invocation(action)))
        body = nodes.definition("", nodes.paragraph(text=_help(parser, action)))
        listing += nodes.definition_list_item("", term, body)
    return listing


class _Reference(SphinxDirective):
    has_content = False

    def _section(
        self, title: str, parser: argparse.ArgumentParser, summary: str = ""
    ) -> nodes.section:
        section = nodes.section(
            ids=[nodes.make_id(title)], names=[nodes.fully_normalize_name(title)]
        )
        section += nodes.title(text=title)
        for text in dict.fromkeys(filter(None, (summary, parser.description))):
            section += nodes.paragraph(text=text)
        usage = parser.format_usage().removeprefix("usage: ").strip()
        section += nodes.literal_block(usage, usage)
        listing = _option_list(parser)
        if listing.children:
            section += listing
        if parser.epilog:
            section += nodes.literal_block(parser.epilog, parser.epilog)
        for sub, line in _subcommands(parser):
            section += self._section(sub.prog, sub, line)
        self.state.document.note_implicit_target(section, section)
        return section


class CommandsDirective(_Reference):
    """Every command of `tagship.cli.COMMANDS`, in the order `tagship --help` lists them."""

    option_spec: ClassVar[dict[str, object]] = {}

    def run(self) -> list[nodes.Node]:
        import tagship.cli  # noqa: PLC0415 - at build time
        from tagship.cli import COMMANDS, command_parser  # noqa: PLC0415

        # an edited command module rebuilds this page, even when the page's source is unchanged
        for module in Path(tagship.cli.__file__).parent.glob("*.py"):
            self.env.note_dependency(str(module))
        sections = [self._section(f"tagship {name}", command_parser(name)) for name in COMMANDS]
        return [_summary(sections), *sections]


def _summary(sections: list[nodes.section]) -> nodes.definition_list:
    """One line per command, linking to its section: `tagship --help`'s list, clickable."""
    listing = nodes.definition_list()
    for section in sections:
        title = section[0].astext()
        link = nodes.reference("", "", nodes.literal(text=title), refid=section["ids"][0])
        line = section[1].astext() if isinstance(section[1], nodes.paragraph) else ""
        term = nodes.term("", "", link)
        listing += nodes.definition_list_item(
            "", term, nodes.definition("", nodes.paragraph(text=line))
        )
    return listing


class GlobalOptionsDirective(SphinxDirective):
    """The options given before the command (`tagship -C DIR COMMAND ...`)."""

    def run(self) -> list[nodes.Node]:
        from tagship.cli import _top_parser  # noqa: PLC0415 - the top-level parser, as main builds it

        return [_option_list(_top_parser(), skip=("command",))]


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("tagship-commands", CommandsDirective)
    app.add_directive("tagship-global-options", GlobalOptionsDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
