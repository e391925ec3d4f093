"""Hostile input for "official means official": PyPI spelled every way, `--set` trying to
lower `official` or move an official index, malformed URLs. Each case runs the real CLI
with a loopback proxy that records every connection attempt, and asserts: the documented
exit code, one error line, no connection attempted, no file or ledger record changed."""

from __future__ import annotations

import json
import socketserver
import threading
from typing import TYPE_CHECKING

import pytest

from conftest import git
from hostile import assert_refused, snapshot
from releases import write_release
from test_official import MALFORMED, SPELLINGS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conftest import Cli, CliResult, MakeRepo, Repo

LOCAL = "http://127.0.0.1:9/"
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")


class _Recorder(socketserver.TCPServer):
    """Counts the connections it accepts; keeps the first line each sent (CONNECT host:443)."""

    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _FirstLine)
        self.seen: list[str] = []


class _FirstLine(socketserver.StreamRequestHandler):
    timeout = 5

    def handle(self) -> None:
        assert isinstance(self.server, _Recorder)
        try:
            first = self.rfile.readline(4096).decode("latin-1").strip()
        except OSError:
            first = "(nothing sent)"
        self.server.seen.append(first)  # and close without an answer


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every proxy variable httpx reads points at a loopback recorder; yields what it saw."""
    with _Recorder() as server:
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        for name in PROXY_VARIABLES:
            monkeypatch.setenv(name, url)
            monkeypatch.setenv(name.lower(), url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        yield server.seen
        server.shutdown()
        thread.join()


def _toml(url: str) -> str:
    # a JSON string is a TOML basic string: non-ASCII and backslashes arrive escaped
    return json.dumps(url)


def _pyproject(upload: str = LOCAL, simple: str = LOCAL) -> str:
    return (
        '[project]\nname = "pub-pkg"\nversion = "1.0.0"\n\n'
        f"[tool.tagship.indexes.evil]\nupload-url = {_toml(upload)}\n"
        f"simple-url = {_toml(simple)}\nofficial = false\n\n"
        f'[tool.tagship.indexes.local]\nupload-url = "{LOCAL}"\n'
        f'simple-url = "{LOCAL}simple/"\nofficial = false\n\n'
        f'[tool.tagship.indexes.prod]\nupload-url = "{LOCAL}"\n'
        f'simple-url = "{LOCAL}simple/"\nofficial = true\n'
    )


def _project(make_repo: MakeRepo, text: str, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repo = make_repo({"pyproject.toml": text})
    write_release(repo.path / "dist", "pub-pkg", "1.0.0")
    for name in ("EVIL", "LOCAL", "PROD", "PYPI", "TESTPYPI"):
        # credentials at hand must not open the gate either
        monkeypatch.setenv(f"TAGSHIP_INDEX_{name}_TOKEN", "pypi-not-a-token")
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "1")
    return repo


def _refused_quietly(
    cli: Cli, repo: Repo, seen: list[str], code: int, *args: str
) -> tuple[str, CliResult]:
    before = snapshot(repo.path)
    result = cli("-C", str(repo.path), *args)
    error = assert_refused(result, code)
    assert seen == [], f"connections attempted: {seen}"
    assert snapshot(repo.path) == before
    assert git(repo.path, "for-each-ref", "refs/tagship") == ""  # no ledger record
    return error, result


CI_ONLY = "(an official index) is only allowed from GitHub Actions"
SET_REFUSED = "is an address of PyPI or TestPyPI, which cannot be given on the command line"


# -- the committed file declares PyPI `official = false`, spelled some other way -------------


@pytest.mark.parametrize("url", list(SPELLINGS))
@pytest.mark.parametrize("role", ["upload", "simple"])
def test_publish_to_pypi_declared_local_is_refused(
    make_repo: MakeRepo,
    cli: Cli,
    proxy: list[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    role: str,
) -> None:
    text = _pyproject(upload=url) if role == "upload" else _pyproject(simple=url)
    repo = _project(make_repo, text, monkeypatch)
    error, _ = _refused_quietly(cli, repo, proxy, 1, "publish", "--to", "evil")
    assert f"publishing to evil {CI_ONLY}" in error


DRY_RUN_SPELLINGS = (
    "https://pypi.org./simple/",
    "https://pypi\u3002org/simple/",
    "https://test.pypi.io/simple/",
    "https://2539978975/",
    "https://[2a04:4e42::223]/",
)


@pytest.mark.parametrize("url", DRY_RUN_SPELLINGS)
def test_dry_run_to_pypi_declared_local_is_refused_before_any_check(
    make_repo: MakeRepo, cli: Cli, proxy: list[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    repo = _project(make_repo, _pyproject(upload=url, simple=url), monkeypatch)
    error, result = _refused_quietly(cli, repo, proxy, 1, "dry-run", "--index", "evil")
    assert f"publishing to evil {CI_ONLY}" in error
    assert "required checks" not in result.out  # refused before the gates ran anything


# -- `--set` points an index at PyPI -----------------------------------------------------------


@pytest.mark.parametrize("url", list(SPELLINGS))
def test_set_pointing_a_local_index_at_pypi_is_refused(
    make_repo: MakeRepo, cli: Cli, proxy: list[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    repo = _project(make_repo, _pyproject(), monkeypatch)
    override = f"indexes.local.upload-url={url}"
    error, _ = _refused_quietly(cli, repo, proxy, 2, "--set", override, "publish", "--to", "local")
    assert SET_REFUSED in error


SET_COMMANDS = {
    "dry-run": ("dry-run", "--index", "local"),
    "rollback yank": ("rollback", "yank", "1.0.0", "--reason", "bad", "--index", "local"),
    "release": ("release", "--index", "local"),
}


@pytest.mark.parametrize("command", list(SET_COMMANDS))
@pytest.mark.parametrize("url", ["https://pypi.org./simple/", "https://pypi\uff0eio/simple/"])
def test_set_pointing_at_pypi_is_refused_by_every_command(
    make_repo: MakeRepo,
    cli: Cli,
    proxy: list[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    url: str,
) -> None:
    repo = _project(make_repo, _pyproject(), monkeypatch)
    override = ("--set", f"indexes.local.simple-url={url}")
    error, _ = _refused_quietly(cli, repo, proxy, 2, *override, *SET_COMMANDS[command])
    assert SET_REFUSED in error


# -- `--set` lowers `official` or moves an official index ------------------------------------

LOWERED = {
    "publish pypi": (("indexes.pypi.official=false",), ("publish", "--to", "pypi")),
    "publish prod": (("indexes.prod.official=false",), ("publish", "--to", "prod")),
    "inline table": (("indexes={prod={official=false}}",), ("publish", "--to", "prod")),
    "index table": (("indexes.prod={official=false}",), ("publish", "--to", "prod")),
    "dry-run": (("indexes.testpypi.official=false",), ("dry-run", "--index", "testpypi")),
    "yank": (
        ("indexes.pypi.official=false",),
        ("rollback", "yank", "1.0.0", "--reason", "bad", "--no-wait"),
    ),
    "release": (("indexes.pypi.official=false",), ("release",)),
    "with a local URL too": (
        ("indexes.prod.official=false", f"indexes.prod.upload-url={LOCAL}x/"),
        ("publish", "--to", "prod"),
    ),
}
MOVED = {
    "pypi upload": (("indexes.pypi.upload-url=http://127.0.0.1:9/",), ("publish", "--to", "pypi")),
    "testpypi simple": (
        ("indexes.testpypi.simple-url=http://127.0.0.1:9/simple/",),
        ("publish", "--to", "testpypi"),
    ),
    "prod upload": (("indexes.prod.upload-url=http://127.0.0.1:8/",), ("publish", "--to", "prod")),
    "prod both": (
        ("indexes.prod.upload-url=http://127.0.0.1:8/", "indexes.prod.simple-url=http://[::1]:8/"),
        ("publish", "--to", "prod"),
    ),
    "tag": (("indexes.pypi.simple-url=http://127.0.0.1:9/simple/",), ("tag",)),
    "yank": (
        ("indexes.testpypi.simple-url=http://127.0.0.1:9/simple/",),
        ("rollback", "yank", "1.0.0", "--reason", "bad", "--index", "testpypi"),
    ),
}


def _with_set(overrides: tuple[str, ...]) -> list[str]:
    return [arg for override in overrides for arg in ("--set", override)]


@pytest.mark.parametrize(("overrides", "command"), LOWERED.values(), ids=list(LOWERED))
@pytest.mark.parametrize("where", ["locally", "in GitHub Actions"])
def test_set_cannot_lower_official(
    make_repo: MakeRepo,
    cli: Cli,
    proxy: list[str],
    monkeypatch: pytest.MonkeyPatch,
    overrides: tuple[str, ...],
    command: tuple[str, ...],
    where: str,
) -> None:
    repo = _project(make_repo, _pyproject(), monkeypatch)
    if where == "in GitHub Actions":
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
    error, _ = _refused_quietly(cli, repo, proxy, 2, *_with_set(overrides), *command)
    assert "is declared official and stays so" in error


@pytest.mark.parametrize(("overrides", "command"), MOVED.values(), ids=list(MOVED))
@pytest.mark.parametrize("where", ["locally", "in GitHub Actions"])
def test_set_cannot_move_an_official_index(
    make_repo: MakeRepo,
    cli: Cli,
    proxy: list[str],
    monkeypatch: pytest.MonkeyPatch,
    overrides: tuple[str, ...],
    command: tuple[str, ...],
    where: str,
) -> None:
    repo = _project(make_repo, _pyproject(), monkeypatch)
    if where == "in GitHub Actions":
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
    error, _ = _refused_quietly(cli, repo, proxy, 2, *_with_set(overrides), *command)
    assert "cannot be changed on the command line" in error


# -- URLs that cannot be parsed: exit 2, never 70 --------------------------------------------


@pytest.mark.parametrize("url", MALFORMED)
@pytest.mark.parametrize("given", ["pyproject", "--set"])
def test_a_malformed_index_url_is_a_config_error(
    make_repo: MakeRepo,
    cli: Cli,
    proxy: list[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    given: str,
) -> None:
    text = _pyproject(upload=url) if given == "pyproject" else _pyproject()
    repo = _project(make_repo, text, monkeypatch)
    override = ("--set", f"indexes.evil.upload-url={url}") if given == "--set" else ()
    error, _ = _refused_quietly(cli, repo, proxy, 2, *override, "publish", "--to", "evil")
    assert "`tool.tagship.indexes.evil.upload-url`" in error


# -- the harness itself: the recorder does see what tagship sends ----------------------------


def test_the_recorder_sees_a_publish_to_an_ordinary_index(
    make_repo: MakeRepo, cli: Cli, proxy: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ordinary = "https://index.example.invalid/"
    repo = _project(make_repo, _pyproject(upload=ordinary, simple=ordinary), monkeypatch)
    result = cli("-C", str(repo.path), "publish", "--to", "evil")
    assert_refused(result, 3)
    assert proxy == ["CONNECT index.example.invalid:443 HTTP/1.1"]
