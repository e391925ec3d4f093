"""Every successful report ends with a true next step (bump, check-tag, checks, check-docs,
ledger, packages, the several-package status, notes, report, watch), and -q drops it with
the other progress: a quiet `checks --wait --local` shows no poll lines. verify-install's
clean install and rollback yank's wait are progress too; a yank and a revert end with theirs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from releases import make_release
from rollback_kit import merge, released_project
from servers import running_pypiserver
from tagship.cli import COMMANDS
from test_rollback_yank import FlippingIndex

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import Cli, CliResult, MakeRepo, Repo

PYPROJECT = '[project]\nname = "nextpkg"\nversion = "1.0.0"\nreadme = "README.md"\n'
CHECKS = '[tool.tagship]\nrequired-checks = ["lint"]\n[tool.tagship.checks]\nlint = "true"\n'
BUILD = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'


def _next(result: CliResult) -> str:
    """The report's last line: `next: ` and a real tagship command (or a plain instruction)."""
    assert result.code == 0, result.out + result.err
    last = result.out.splitlines()[-1]
    assert last.startswith("next: "), result.out
    return last.removeprefix("next: ")


def _names_a_command(text: str) -> None:
    words = text.replace(":", " ").replace(",", " ").split()
    assert "tagship" in words, text
    named = words[words.index("tagship") + 1]
    named = words[words.index("tagship") + 3] if named == "--package" else named
    assert named in COMMANDS, text


@pytest.fixture
def project(make_repo: MakeRepo) -> Repo:
    return make_repo({"pyproject.toml": PYPROJECT + CHECKS, "README.md": "# nextpkg\n"})


def test_bump_leads_to_the_real_bump_then_the_commit_then_the_dry_run(
    project: Repo, cli: Cli
) -> None:
    path = str(project.path)
    planned = _next(cli("-C", path, "bump", "patch", "--dry-run", "--commit"))
    assert planned == "tagship bump patch --commit: make the change"
    written = _next(cli("-C", path, "bump", "patch"))
    assert written == "commit the changed files, then tagship dry-run: the test release of 1.0.1"
    project.commit("bump")
    committed = _next(cli("-C", path, "bump", "minor", "--commit"))
    assert committed == "tagship dry-run: the test release of 1.1.0"
    _names_a_command(committed)


def test_check_tag_leads_to_the_release_of_that_tag(project: Repo, cli: Cli) -> None:
    project.tag("v1.0.0")
    then = _next(cli("-C", str(project.path), "check-tag", "v1.0.0"))
    assert then.startswith("tagship release --tag v1.0.0: ")


def test_checks_and_check_docs_lead_to_the_tag_and_the_dry_run(project: Repo, cli: Cli) -> None:
    path = str(project.path)
    _names_a_command(_next(cli("-C", path, "checks", "--local")))
    assert _next(cli("-C", path, "check-docs")) == "tagship dry-run: the test release"


def test_ledger_show_leads_to_verify_and_verify_to_audit(project: Repo, cli: Cli) -> None:
    path = str(project.path)
    shown = _next(cli("-C", path, "ledger", "show"))
    assert shown.startswith("tagship ledger verify")
    verified = _next(cli("-C", path, "ledger", "verify"))
    assert verified.startswith("tagship audit")


def test_notes_report_and_a_clean_watch(project: Repo, cli: Cli) -> None:
    path = str(project.path)
    # no labelled pull request merged: nothing for the notes to lead to
    assert _next(cli("-C", path, "notes", "--local")) == (
        "nothing to release: merge a labelled pull request first"
    )
    page = project.path / "releases.html"
    assert _next(cli("-C", path, "report", "--output", str(page))) == f"open {page} in a browser"
    assert _next(cli("-C", path, "watch")) == (
        "nothing to do; run it again on a schedule (tagship init --watch)"
    )


def test_several_packages_name_the_first_package_due(make_repo: MakeRepo, cli: Cli) -> None:
    files = {"pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*"]\n'}
    for name in ("alpha", "beta"):
        files[f"libs/{name}/pyproject.toml"] = (
            f'{BUILD}[project]\nname = "{name}"\nversion = "0.2.0"\n'
        )
    repo = make_repo(files)
    path = str(repo.path)
    listed = _next(cli("-C", path, "packages"))
    assert listed == "tagship --package alpha status: one package's release status"
    _names_a_command(listed)
    status = _next(cli("-C", path, "status"))
    assert status == "tagship --package alpha dry-run: the test release of 0.2.0"
    _names_a_command(status)


def test_quiet_drops_the_next_step_and_the_poll_lines(project: Repo, cli: Cli) -> None:
    path = str(project.path)
    quiet = cli("-C", path, "-q", "checks", "--wait", "--local")
    assert quiet.code == 0, quiet.err
    assert "next:" not in quiet.out
    assert quiet.err == ""  # no `[1/1] lint: ...` progress, no poll line
    assert quiet.out.splitlines()[-1].startswith("all 1 required check passed for ")
    bumped = cli("-C", path, "-q", "bump", "patch", "--dry-run")
    assert bumped.code == 0, bumped.err
    assert "next:" not in bumped.out + bumped.err
    # a document stays clean: the next step is not part of it
    document = cli("-C", path, "ledger", "verify", "--format", "json")
    assert document.code == 0, document.err
    assert "next:" not in document.out


@pytest.mark.integration
def test_verify_install_names_its_installer_and_what_it_installs(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    with running_pypiserver(tmp_path / "packages") as index:
        release = make_release(make_repo, index.upload_url, index.simple_url, name="nxt-pkg")
        path = str(release.repo.path)
        assert cli("-C", path, "publish", "--to", "local").code == 0
        result = cli("-C", path, "verify-install", "--index", "local", "--installer", "pip")
    then = _next(result)
    assert then.startswith("tagship verify-install --index local --record-dry-run, ")
    _names_a_command(then)
    # the installer's run is progress on stderr: which installer, installing what, from where
    assert "tagship: installing nxt-pkg==1.0.0 from local with pip\n" in result.err
    assert "tagship: creating a clean virtual environment (pip)\n" in result.err


def test_a_yank_s_wait_says_what_is_still_pending(
    make_repo: MakeRepo, cli: Cli, httpserver: HTTPServer
) -> None:
    simple = httpserver.url_for("/simple/")
    index = f'\n[tool.tagship.indexes.local]\nupload-url = "{simple}"\nsimple-url = "{simple}"\n'
    repo = released_project(make_repo, extra=index)
    httpserver.expect_request("/simple/sample-pkg/").respond_with_handler(
        FlippingIndex(flip_after=3)
    )
    result = cli(
        "-C", str(repo.path), "rollback", "yank", "1.2.3", "--reason", "broken import",
        "--index", "local", "--interval", "0.01", "--timeout", "10",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "tagship: waiting: 2 files of sample-pkg 1.2.3 on local are not yanked" in result.err
    _names_a_command(_next(result))


def test_a_revert_leads_to_its_push_or_to_the_redeploy(make_repo: MakeRepo, cli: Cli) -> None:
    repo = released_project(make_repo)
    first = merge(repo, "one", "one.py", "ONE = 1\n", 1)
    second = merge(repo, "two", "two.py", "TWO = 2\n", 2)
    path = str(repo.path)
    kept = _next(cli("-C", path, "rollback", "revert", second[:10]))
    assert kept == "git push origin main: CI redeploys from it"
    pushed = _next(cli("-C", path, "rollback", "revert", first[:10], "--push"))
    assert pushed.startswith("tagship checks --wait --ref main: ")


def test_a_clean_init_check_leads_to_doctor(project: Repo, cli: Cli) -> None:
    path = str(project.path)
    assert cli("-C", path, "init").code == 0
    assert _next(cli("-C", path, "init", "--check")) == "tagship doctor"
