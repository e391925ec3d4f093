"""Usage errors: one line, exit 2, with a "did you mean" when a name is a typo away.

Kept light (argparse only; difflib and re when an error is shown) because `tagship --help`
goes through here.
"""

from __future__ import annotations

import argparse
import os
import sys

# `typing` is not imported for `tagship --help`; mypy takes any TYPE_CHECKING as True
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import NoReturn

_UNRECOGNIZED = "unrecognized arguments: "
_SEE_COMMANDS = "see tagship --help for the commands"
COLOR_CHOICES = ("auto", "always", "never")


def suggestion(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate `word` is most likely a typo of, if any is close enough."""
    import difflib  # noqa: PLC0415 - only when a usage error is shown

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def hint_for(word: str, candidates: Iterable[str], otherwise: str) -> str:
    match = suggestion(word, candidates)
    return f"did you mean {match!r}?" if match else otherwise


def unknown_command(name: str | None, commands: Iterable[str]) -> str:
    """The line for a command that is missing or does not exist (no trailing newline)."""
    if name is None:
        return f"tagship: error: no command given (hint: {_SEE_COMMANDS})"
    hint = hint_for(name, commands, _SEE_COMMANDS)
    return f"tagship: error: unknown command {name!r} (hint: {hint})"


def _chosen(parser: argparse.ArgumentParser, parsed: argparse.Namespace) -> argparse.ArgumentParser:
    """The innermost parser `parsed` went through: an action's, else `parser`."""
    for action in parser._actions:  # noqa: SLF001 - argparse keeps its subparsers only here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001 - same
            chosen = action.choices.get(str(getattr(parsed, action.dest, "")))
            if chosen is not None:
                return _chosen(chosen, parsed)
    return parser


def terminal_width() -> int:
    """The width argparse formats for, as `shutil.get_terminal_size` gives it ($COLUMNS, else
    the terminal's, else 80), less argparse's margin of 2."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


class Parser(argparse.ArgumentParser):
    """Usage errors in the one-line form of every other error, exit 2 (subcommands too): an
    unknown option or choice names the nearest known one."""

    # tagship passes no namespace: one signature of the overloads is enough
    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args)
        if extras:  # named by the parser of the action chosen (`rollback yank`), which knows
            _chosen(self, parsed).error(_UNRECOGNIZED + " ".join(extras))
        return parsed

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse asks shutil for the width, and shutil imports bz2 and lzma: a tenth of
        # `tagship --help`'s start-up; the formatter classes tagship uses all take `width`
        formatter: type[argparse.HelpFormatter] = self.formatter_class  # type: ignore[assignment]
        return formatter(prog=self.prog, width=terminal_width())

    def error(self, message: str) -> NoReturn:
        where = "" if self.prog == "tagship" else f"{self.prog}: "  # never "tagship: tagship:"
        text, hint = self._explained(message)
        self.exit(2, f"tagship: error: {where}{text} (hint: {hint})\n")

    def _explained(self, message: str) -> tuple[str, str]:
        otherwise = f"see {self.prog} --help"
        if message.startswith(_UNRECOGNIZED):
            words = message.removeprefix(_UNRECOGNIZED).split(" ")
            option = next((w.split("=", 1)[0] for w in words if w.startswith("-")), None)
            if option is not None:
                known = [o for o in self._option_string_actions if o.startswith("--")]
                return f"unknown option {option!r}", hint_for(option, known, otherwise)
        import re  # noqa: PLC0415 - only when a usage error is shown

        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
        if choice is not None:
            choices = re.findall(r"'([^']*)'", choice.group(2)) or choice.group(2).split(", ")
            return message, hint_for(choice.group(1), choices, otherwise)
        return message, otherwise


def add_output_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """-q/-v/--color on `parser`; below the top, on every subcommand's parser too (and with
    no default there, so that `tagship -q status` and `tagship status -q` both count)."""
    unset = argparse.SUPPRESS
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q",
        "--quiet",
        action="count",
        default=0 if top else unset,
        help="print results and errors only: no progress, no notes",
    )
    loudness.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if top else unset,
        help="show tagship's debug log: processes, HTTP requests (-vv: every library's)",
    )
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto" if top else unset,
        help="colour: auto (a terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR forces it), "
        "always, never",
    )
    if top:
        return
    for action in parser._actions:  # noqa: SLF001 - argparse keeps its subparsers only here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001 - same
            for sub in action.choices.values():
                add_output_options(sub)
