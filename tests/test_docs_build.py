"""The documentation site builds with warnings as errors, and its command reference, generated
from the parsers, holds every command; the README's front door stays true to the code."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tagship.cli import COMMANDS, command_parser
from tagship.core import errors

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-n", "-q"]
    done = subprocess.run(
        [*command, "-b", "html", "-d", str(out / "doctrees"), str(ROOT / "docs"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.integration
def test_every_command_is_in_the_generated_reference(site: Path) -> None:
    reference = _text(site / "commands.html")
    for name, (_, summary) in COMMANDS.items():
        assert f"tagship {name}" in reference, name
        assert summary in reference, name
        # every option of the command, as its own parser declares it
        for action in command_parser(name)._actions:
            for option in action.option_strings:
                if option not in {"-h", "--help"}:
                    assert option in reference, (name, option)


@pytest.mark.integration
def test_the_site_opens_with_the_readme_quickstart(site: Path) -> None:
    index = _text(site / "index.html")
    assert "Quickstart" in index
    assert "tagship rehearse" in index
    for page in ("dry-run", "release", "hotfix", "rollback", "several-packages", "compiled"):
        assert (site / f"{page}.html").is_file(), page


def test_readme_lists_every_exit_code() -> None:
    section = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    codes = {value for name, value in vars(errors).items() if name.startswith("EXIT_")}
    for code in codes:
        assert re.search(rf"^\| {code} \|", section, re.MULTILINE), code


def test_readme_names_the_seven_checks_and_the_labels() -> None:
    from tagship.core.config import RELEASE_LABELS, REQUIRED_CHECKS  # noqa: PLC0415

    quickstart = README.split("<!-- quickstart: begin -->", 1)[1]
    for name in (*REQUIRED_CHECKS, *RELEASE_LABELS):
        assert f"`{name}`" in quickstart, name


def test_readme_make_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test", "docs"):
        assert f"make {target}" in README, target
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
    assert re.search(r"^test:.*\bdocs\b", makefile, re.MULTILINE)
