"""What makes the CI commands and `tagship --help` start fast, kept from coming back: the
help loads neither shutil, pathlib nor typing, argparse still formats for the terminal's
width, each release step loads only its own modules, and a publish that verified its files
once (before the preflight) still checks every byte it uploads. Times live in bench/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from releases import make_release, write_release
from servers import PypiServer, running_pypiserver
from tagship.adapters.http import Http, RetryPolicy
from tagship.adapters.index import SimpleIndex
from tagship.cli.usage import terminal_width
from tagship.core.errors import IntegrityError
from tagship.steps.publish.publish import publish
from tagship.steps.publish.release_steps import publish_files
from tagship.steps.verify.verify import Expected
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import MakeRepo

# prints the modules a piece of tagship loaded, in a fresh interpreter
_LOADED = """\
import contextlib, io, sys
{code}
print(" ".join(sorted(sys.modules)))
"""


def _loaded(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _LOADED.format(code=code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(done.stdout.split())


def test_help_loads_neither_shutil_pathlib_nor_typing() -> None:
    loaded = _loaded(
        "from tagship.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])"
    )
    assert "argparse" in loaded
    assert not loaded & {"shutil", "pathlib", "typing", "uuid", "datetime"}


@pytest.mark.parametrize("columns", ["120", "40", "0", "", "wide"])
def test_help_is_formatted_for_the_width_shutil_gives(
    columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert terminal_width() == shutil.get_terminal_size().columns - 2


def test_help_wraps_at_columns() -> None:
    env = {**os.environ, "COLUMNS": "60"}
    done = subprocess.run(
        [sys.executable, "-m", "tagship", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=60,
    )
    usage = done.stdout.split("\n\n", 1)[0].splitlines()
    assert len(usage) > 1
    assert max(len(line) for line in usage) <= 60 - 2


def test_each_release_step_loads_only_its_own_modules() -> None:
    loaded = _loaded("import tagship.steps.publish.release_steps")
    assert "tagship.steps.publish.wait" in loaded
    only_publish = {"tagship.steps.publish.preflight", "tagship.steps.verify.verify"}
    only_install = {"tagship.steps.verify.verify_install", "tagship.steps.verify.smoke_test"}
    assert not loaded & (only_publish | only_install)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path / "packages") as server:
        yield server


@pytest.mark.integration
def test_a_publish_told_its_files_are_verified_still_checks_the_bytes_it_sends(
    index: PypiServer, make_repo: MakeRepo, tmp_path: Path
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    workspace = open_workspace(release.repo.path, env=dict(os.environ))
    config = workspace.config.index("local")
    # changed after its verification: a wheel of the same name, with other contents
    other = write_release(tmp_path / "other", "pub-pkg", "1.0.0", payload="CHANGED = True\n")
    wheel = release.dist / release.manifest.wheels[0].name
    wheel.write_bytes((tmp_path / "other" / other.wheels[0].name).read_bytes())
    with Http(RetryPolicy(attempts=1)) as http, pytest.raises(IntegrityError, match="changed"):
        publish(
            release.manifest,
            release.dist,
            config,
            expected=Expected("pub-pkg", workspace.version()),
            ci=workspace.ci,
            http=http,
            lookup=SimpleIndex(config.simple_url, http),
            auth=None,
            verified=True,
        )
    assert wheel.name not in {p.name for p in index.directory.iterdir()}


def test_the_draft_release_gate_loads_neither_the_build_nor_the_checks() -> None:
    loaded = _loaded("from tagship.steps.gates.gates import draft_exists")
    assert not loaded & {"tagship.steps.build.artifacts", "tagship.steps.gates.checks"}


@pytest.mark.integration
def test_a_publish_after_the_flows_preflight_takes_the_index_files_it_read(
    index: PypiServer, make_repo: MakeRepo
) -> None:
    # the flow's preflight read the index a moment ago: publish asks it no second time,
    # so files the preflight saw there are not sent again
    release = make_release(make_repo, index.upload_url, index.simple_url)
    workspace = open_workspace(release.repo.path, env=dict(os.environ))
    listed: dict[str, str | None] = {f.name: f.sha256 for f in release.manifest.files}
    with Http(RetryPolicy(attempts=1)) as http:
        result = publish_files(
            workspace,
            release.manifest,
            release.dist,
            workspace.config.index("local"),
            http=http,
            mask=lambda _: None,
            preflighted=True,
            listed=listed,
        )
    assert {f.action for f in result.files} == {"already-there"}
    assert not list(index.directory.iterdir())
