"""Guard rails and shared fixtures: real git repositories with a bare `origin`."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tagship.cli import main

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

# the workflow harness's kit, made once per worker for every module that runs the harness
pytest_plugins = ["runner_kit"]

_REAL_HOME = Path.home()
# variables of the developer's or CI's environment that would change tagship's behaviour
_SCRUBBED_PREFIXES = (
    "GITHUB_",
    "TAGSHIP_",
    "SETUPTOOLS_SCM_",
    "PDM_BUILD_SCM_",
    "ACTIONS_",
    "CI_",
    "GITLAB_",
)
_SCRUBBED = (
    "CI",
    "GH_TOKEN",
    "SOURCE_DATE_EPOCH",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "NO_COLOR",
    "FORCE_COLOR",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first (a stable sort: the others keep their order). `make test` hands
    the tests out in this order, two at a time: started last, a slow test kept one worker busy
    minutes after the other ran out of work."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One download cache for the whole run, so backends come from the network once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, shared_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Each test gets its own HOME and git identity; the real home must stay untouched."""
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name.startswith(_SCRUBBED_PREFIXES) or name in _SCRUBBED:
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    # init asks no index for its lock unless a test serves one (tests/test_install_lock.py)
    monkeypatch.setenv("TAGSHIP_OFFLINE", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("UV_CACHE_DIR", str(shared_cache / "uv"))
    monkeypatch.setenv("PIP_CACHE_DIR", str(shared_cache / "pip"))
    # reused build environments are shared by the run, as by one user's builds
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache / "xdg"))
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test Maintainer\n\temail = maintainer@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    before = _home_snapshot()
    yield
    assert _home_snapshot() == before, f"a test wrote into the real home directory {_REAL_HOME}"


def _home_snapshot() -> set[str]:
    try:
        return {entry.name for entry in _REAL_HOME.iterdir()}
    except OSError:
        return set()


_real_connect = socket.socket.connect


def _loopback_only(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            pytest.fail(f"test tried to reach the network beyond loopback: {address}")
    _real_connect(sock, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process code may only talk to loopback (subprocess builds are not affected)."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


def git(cwd: Path, *args: str) -> str:
    """Run real git in `cwd` and return its stripped stdout; fail the test on error."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
    return done.stdout.strip()


@dataclass(frozen=True)
class Repo:
    """A work tree on `main` with a bare repository as `origin`."""

    path: Path
    origin: Path

    def write(self, relative: str, text: str) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def commit(self, message: str = "change") -> str:
        git(self.path, "add", "--all")
        git(self.path, "commit", "--quiet", "--allow-empty", "-m", message)
        return git(self.path, "rev-parse", "HEAD")

    def push(self, *refs: str) -> None:
        git(self.path, "push", "--quiet", "origin", *(refs or ("main",)))

    def tag(self, name: str, *, push: bool = False) -> None:
        git(self.path, "tag", "-a", name, "-m", f"release {name}")
        if push:
            self.push(f"refs/tags/{name}")


STATIC_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "sample-pkg"
version = "0.4.22"
description = "A sample"
"""


MakeRepo = Callable[..., Repo]


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """Factory: a git repo with the given files committed on main and pushed to origin."""

    def factory(files: dict[str, str] | None = None, name: str = "project") -> Repo:
        path, origin = tmp_path / name, tmp_path / f"{name}-origin.git"
        git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
        git(tmp_path, "init", "--quiet", "--initial-branch=main", str(path))
        git(path, "remote", "add", "origin", str(origin))
        repo = Repo(path, origin)
        for relative, text in (files or {"pyproject.toml": STATIC_PYPROJECT}).items():
            repo.write(relative, text)
        repo.commit("initial")
        repo.push()
        return repo

    return factory


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


Cli = Callable[..., CliResult]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the real CLI in-process and capture what it printed."""

    def invoke(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


CHARMOS = """\
[project]
name = "charmos"
version = "0.4.22"

[tool.tagship.github]
owner = "CharmAIOS"
repository = "Charm"
"""


@pytest.fixture
def charmos(make_repo: MakeRepo, cli: Cli) -> Repo:
    """charmos with the workflows `tagship init` writes: no workflow finding of its own."""
    repo = make_repo({"pyproject.toml": CHARMOS}, name="charm")
    assert cli("-C", str(repo.path), "init").code == 0
    return repo


@pytest.fixture
def github(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """A local stand-in for GitHub's REST API, with the token and repository set."""
    import github_payloads as gh  # noqa: PLC0415 - a test helper module, not a plugin

    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.FULL)
    httpserver.expect_request(f"/repos/{gh.FULL}").respond_with_json(gh.minimal_repository())
    return httpserver
