"""Grouped `--help`: every command in a group with an example that parses, and `tagship
--help` still loads no command."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from tagship.cli import COMMANDS, command_parser
from tagship.cli.catalog import EXAMPLES, GROUPS, group_of

SHELL_OPERATORS = (">", "|", "&&", ";")


def test_every_command_has_one_group_and_an_example() -> None:
    grouped = [name for _, names in GROUPS for name in names]
    assert sorted(grouped) == sorted(COMMANDS), "each command in exactly one group"
    assert set(EXAMPLES) == set(COMMANDS)
    assert all(group_of(name) for name in COMMANDS)


@pytest.mark.parametrize(
    ("command", "example"),
    [(name, example) for name, examples in EXAMPLES.items() for example, _ in examples],
)
def test_each_example_parses_with_its_command_s_parser(command: str, example: str) -> None:
    words = shlex.split(example)
    cut = next((i for i, w in enumerate(words) if w in SHELL_OPERATORS), len(words))
    assert words[:2] == ["tagship", command]
    command_parser(command).parse_args(words[2:cut])  # a usage error exits 2 and fails the test


def test_a_command_s_help_ends_with_its_examples() -> None:
    text = command_parser("rollback").format_help()
    assert text.rstrip().endswith("# yank it, recorded")
    assert "examples:\n  tagship rollback plan 1.2.0" in text


def test_top_help_shows_the_groups_and_loads_no_command() -> None:
    code = (
        "import sys; from tagship.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(','.join(m for m in sys.modules if m.endswith('_cmd') or m == 'rich'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *help_text, loaded = done.stdout.splitlines()
    assert loaded == ""
    titles = [line for line in help_text if line.endswith(":") and not line.startswith(" ")]
    assert titles[-5:] == [f"{title}:" for title, _ in GROUPS]
    assert "  dry-run           gate, build, publish to the test index, verify, record" in help_text
