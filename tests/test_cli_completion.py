"""`tagship completion bash|zsh|fish`: each script, run by its real shell, completes from the
commands' own parsers. A shell that is not installed is skipped, and says so."""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli

BASH_CASES = [
    ("tagship dr", "dry-run"),
    ("tagship ledger ", "show verify"),
    ("tagship -C /x --package a status --f", "--format"),
    ("tagship status --format ", "text json"),
    ("tagship --color ", "auto always never"),
    ("tagship -q rollback yank 1.0 --re", "--reason"),
    ("tagship completion ", "bash zsh fish"),
    ("tagship dry-run --checks l", "local"),
    ("tagship --color = al", "always"),  # how bash splits `--color=al`
]


def _script(cli: Cli, shell: str, tmp_path: Path) -> Path:
    result = cli("completion", shell)
    assert result.code == 0, result.err
    path = tmp_path / f"tagship.{shell}"
    path.write_text(result.out)
    return path


def _shell(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed here: its completion script is not run")
    return found


def test_bash_completes_commands_options_and_choices(cli: Cli, tmp_path: Path) -> None:
    script = _script(cli, "bash", tmp_path)
    lines = [f"source {script}"]
    for typed, _ in BASH_CASES:
        words = typed.split(" ")
        quoted = " ".join(f"'{w}'" for w in words)
        lines.append(
            f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMPREPLY=(); _tagship; "
            'echo "${COMPREPLY[*]}"'
        )
    lines.append("complete -p tagship")
    done = subprocess.run(
        [_shell("bash"), "--norc", "--noprofile", "-c", "\n".join(lines)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    *shown, registered = done.stdout.splitlines()
    assert shown == [expected for _, expected in BASH_CASES]
    assert registered == "complete -o default -F _tagship tagship"


def test_zsh_script_parses_and_completes(cli: Cli, tmp_path: Path) -> None:
    script = _script(cli, "zsh", tmp_path).rename(tmp_path / "_tagship")
    zsh = _shell("zsh")
    assert subprocess.run([zsh, "-n", str(script)], check=False).returncode == 0
    # the completion system's own functions answer with what they were given
    probe = (
        "compdef() { : }\n"
        'compadd() { print -r -- "values: ${@:2}" }\n'
        '_describe() { print -r -- "described: ${(j: :)${(@)${(P)4}%%:*}}" }\n'
        "_files() { print files }\n"
        # as compinit finds it: a file _tagship on $fpath, autoloaded at the first TAB
        f"fpath=({script.parent} $fpath); autoload -Uz _tagship\n"
        "words=(tagship ledger ''); CURRENT=3; PREFIX=''; _tagship\n"
        "words=(tagship status --format ''); CURRENT=4; PREFIX=''; _tagship\n"
        "words=(tagship -q status --); CURRENT=4; PREFIX=--; _tagship\n"
    )
    done = subprocess.run([zsh, "-f", "-c", probe], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "described: show verify"
    assert lines[1] == "values: text json"
    assert lines[2].startswith("described: -h --help --format -q --quiet")


def test_fish_script_parses_and_completes(cli: Cli, tmp_path: Path) -> None:
    script = _script(cli, "fish", tmp_path)
    fish = _shell("fish")
    assert subprocess.run([fish, "--no-config", "-n", str(script)], check=False).returncode == 0
    done = subprocess.run(
        [fish, "--no-config", "-c", f"source {script}; complete -C 'tagship ledger '"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [line.split("\t")[0] for line in done.stdout.splitlines()] == ["show", "verify"]
