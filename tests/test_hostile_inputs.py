"""The hostile-input corpus: bad flags, configurations, environments, repositories and
servers, across every command. Each is refused with its documented exit code (2 for the
configuration or the command line, 3 for a service such as git or an index, 1 for a closed
gate), in exactly one `tagship: error:` line, with no traceback, the project's files
untouched and nothing uploaded."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from conftest import CliResult, git
from hostile import assert_refused, snapshot
from hostile_servers import RAW, raw_server, serve_index
from releases import make_release

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

DEAD = "http://127.0.0.1:9/"  # nothing listens there: a request fails at once
PROJECT = "pub-pkg"


def _write(name: str, text: str | bytes) -> Callable[[Repo], None]:
    def setup(repo: Repo) -> None:
        target = repo.path / name
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text)

    return setup


def _append_pyproject(text: str) -> Callable[[Repo], None]:
    def setup(repo: Repo) -> None:
        with (repo.path / "pyproject.toml").open("a") as handle:
            handle.write(text)

    return setup


def _corrupt(path: str) -> Callable[[Repo], None]:
    return _write(f".git/{path}", b"garbage\n")


def _origin(url: str) -> Callable[[Repo], None]:
    def setup(repo: Repo) -> None:
        git(repo.path, "remote", "set-url", "origin", url)

    return setup


def _remove(name: str) -> Callable[[Repo], None]:
    def setup(repo: Repo) -> None:
        (repo.path / name).unlink()

    return setup


GITHUB = {"GITHUB_TOKEN": "t0ken-for-tests", "GITHUB_REPOSITORY": "o/r"}
DEEP_TABLE = "{a = " * 3000 + "1" + "}" * 3000
DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_KEY = ".".join(["a"] * 2000)


@dataclass(frozen=True)
class Case:
    """One hostile input: the command line, what it meets, and the exit code it must get."""

    argv: tuple[str, ...]
    code: int
    setup: Callable[[Repo], None] | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    server: str | None = None  # how the index misbehaves (hostile_servers), else DEAD
    upload: str | None = None  # the local index's URLs, when not the server's or DEAD
    simple: str | None = None
    says: str = ""  # a fragment the error line holds


def case(
    *argv: str,
    code: int,
    setup: Callable[[Repo], None] | None = None,
    env: Mapping[str, str] | None = None,
    server: str | None = None,
    upload: str | None = None,
    simple: str | None = None,
    says: str = "",
) -> Case:
    return Case(argv, code, setup, env or {}, server, upload, simple, says)


CASES: dict[str, Case] = {
    # -- status ---------------------------------------------------------------
    "status-corrupt-index": case("status", code=3, setup=_corrupt("index"), says="git status"),
    "status-broken-HEAD": case("status", code=3, setup=_corrupt("HEAD"), says="cannot read"),
    "status-broken-packed-refs": case(
        "status", code=3, setup=_corrupt("packed-refs"), says="packed-refs"
    ),
    "status-invalid-toml": case(
        "status", code=2, setup=_write("pyproject.toml", "[project\n"), says="not valid TOML"
    ),
    "status-deep-inline-tables": case(
        "status", code=2, setup=_append_pyproject(f"x = {DEEP_TABLE}\n"), says="too deeply"
    ),
    "status-deep-set-key": case("--set", f"{DEEP_KEY}=1", "status", code=2, says="parts"),
    "status-bad-format": case("status", "--format", "xml", code=2),
    "status-project-is-a-file": case("-C", "pyproject.toml", "status", code=2),
    # -- version --------------------------------------------------------------
    "version-deep-arrays": case(
        "version", code=2, setup=_append_pyproject(f"x = {DEEP_ARRAY}\n"), says="too deeply"
    ),
    "version-not-utf8": case(
        "version", code=2, setup=_write("pyproject.toml", b"[project]\nname = '\xff'\n")
    ),
    "version-no-pyproject": case("version", code=2, setup=_remove("pyproject.toml")),
    "version-deep-set-value": case(
        "--set", f"tag-format={DEEP_ARRAY}", "version", "--tag", code=2, says="tag-format"
    ),
    "version-unknown-flag": case("version", "--bogus", code=2),
    "version-broken-HEAD": case("version", code=3, setup=_corrupt("HEAD")),
    # -- config ---------------------------------------------------------------
    "config-four-part-key": case("--set", "a.b.c.d=1", "config", code=2, says="at most 3"),
    "config-no-equals": case("--set", "tag-format", "config", code=2, says="KEY=VALUE"),
    "config-deep-key-twice": case(
        "--set", f"{DEEP_KEY}=1", "--set", f"{DEEP_KEY}=2", "config", code=2, says="parts"
    ),
    "config-deep-inline-value": case(
        "--set", f"required-checks={DEEP_TABLE}", "config", code=2, says="list of strings"
    ),
    "config-unknown-key": case(
        "config", code=2, setup=_append_pyproject("tag-fromat = 'v{version}'\n"), says="unknown"
    ),
    "config-ipv6-unclosed": case("config", code=2, upload="http://[::1/"),
    "config-port-out-of-range": case("config", code=2, simple="http://127.0.0.1:99999/simple/"),
    "config-no-host": case("config", code=2, upload="http://"),
    # -- build ----------------------------------------------------------------
    "build-corrupt-index": case("build", code=3, setup=_corrupt("index"), says="git status"),
    "build-bad-builder": case("build", "--builder", "make", code=2),
    "build-deep-set-key": case("--set", f"{DEEP_KEY}=x", "build", code=2),
    # -- verify-artifacts -----------------------------------------------------
    "verify-artifacts-no-dir": case("verify-artifacts", "--dir", "nowhere", code=1),
    "verify-artifacts-unknown-index": case(
        "verify-artifacts", "--same-as-dry-run", "--index", "nowhere", code=2
    ),
    "verify-artifacts-broken-HEAD": case("verify-artifacts", code=3, setup=_corrupt("HEAD")),
    # -- publish --------------------------------------------------------------
    "publish-unknown-index": case("publish", "--to", "nowhere", code=2, says="unknown index"),
    "publish-timeout-nan": case(
        "publish", "--to", "local", code=2, env={"TAGSHIP_HTTP_TIMEOUT": "nan"}
    ),
    "publish-timeout-negative": case(
        "publish", "--to", "local", code=2, env={"TAGSHIP_HTTP_TIMEOUT": "-1"}
    ),
    "publish-timeout-infinite": case(
        "publish", "--to", "local", code=2, env={"TAGSHIP_HTTP_TIMEOUT": "inf"}
    ),
    "publish-no-attempts": case(
        "publish", "--to", "local", code=2, env={"TAGSHIP_HTTP_ATTEMPTS": "0"}
    ),
    "publish-port-out-of-range": case(
        "publish", "--to", "local", code=2, upload="http://127.0.0.1:99999/"
    ),
    "publish-upload-redirect-loop": case(
        "publish", "--to", "local", code=3, server="upload-redirect-loop", says="redirect"
    ),
    "publish-upload-bad-encoding": case(
        "publish", "--to", "local", code=3, server="upload-bad-encoding", says="Content-Encoding"
    ),
    "publish-upload-cut-short": case("publish", "--to", "local", code=3, server="cut"),
    "publish-not-http": case("publish", "--to", "local", code=3, server="not-http"),
    "publish-refused": case("publish", "--to", "local", code=3, server="refuse", says="403"),
    # -- wait -----------------------------------------------------------------
    "wait-timeout-nan": case("wait", "--index", "local", "--timeout", "nan", code=2),
    "wait-timeout-negative": case("wait", "--index", "local", "--timeout", "-5", code=2),
    "wait-timeout-infinite": case("wait", "--index", "local", "--timeout", "inf", code=2),
    "wait-backoff-infinite": case(
        "wait", "--index", "local", code=2, env={"TAGSHIP_HTTP_BACKOFF": "inf"}
    ),
    "wait-page-redirect-loop": case(
        "wait", "--index", "local", code=3, server="page-redirect-loop", says="circles"
    ),
    "wait-page-bad-encoding": case(
        "wait", "--index", "local", code=3, server="page-bad-encoding", says="Content-Encoding"
    ),
    "wait-page-deep-json": case(
        "wait", "--index", "local", code=3, server="deep-json", says="nested deeper"
    ),
    "wait-page-garbage-json": case(
        "wait", "--index", "local", code=3, server="garbage-json", says="invalid JSON"
    ),
    "wait-page-mistyped-json": case(
        "wait", "--index", "local", code=3, server="mistyped-json", says="malformed"
    ),
    "wait-page-malformed-link": case(
        "wait", "--index", "local", code=3, server="bad-href", says="malformed URL"
    ),
    "wait-page-cut-short": case("wait", "--index", "local", code=3, server="cut"),
    "wait-not-http": case("wait", "--index", "local", code=3, server="not-http"),
    "wait-no-host": case("wait", "--index", "local", code=2, simple="http:///simple/"),
    # -- verify-install -------------------------------------------------------
    "verify-install-unknown-index": case("verify-install", "--index", "nowhere", code=2),
    "verify-install-bad-installer": case(
        "verify-install", "--index", "local", "--installer", "conda", code=2
    ),
    "verify-install-ipv6-unclosed": case(
        "verify-install", "--index", "local", code=2, simple="http://[::1/simple/"
    ),
    # -- dry-run, tag, release ------------------------------------------------
    "dry-run-wait-timeout-nan": case(
        "dry-run", "--index", "local", "--wait-timeout", "nan", code=2
    ),
    "dry-run-unknown-index": case("dry-run", "--index", "nowhere", code=2),
    "dry-run-corrupt-index": case(
        "dry-run", "--index", "local", "--dry-run", code=1, setup=_corrupt("index"), says="tree"
    ),
    "tag-corrupt-index": case(
        "tag", "--index", "local", "--dry-run", code=1, setup=_corrupt("index"), says="tree"
    ),
    "tag-bad-version": case("tag", "--index", "local", "--version", "one", code=2),
    "tag-unknown-index": case("tag", "--index", "nowhere", "--dry-run", code=1, says="policy"),
    "release-wait-timeout-negative": case(
        "release", "--index", "local", "--wait-timeout", "-1", code=2
    ),
    "release-unknown-index": case("release", "--index", "nowhere", "--tag", "v1.0.0", code=2),
    "release-broken-HEAD": case("release", "--index", "local", code=3, setup=_corrupt("HEAD")),
    # -- GitHub-facing commands ------------------------------------------------
    "checks-interval-zero": case("checks", "--interval", "0", code=2),
    "checks-api-url-ipv6-unclosed": case(
        "checks", code=2, env={**GITHUB, "GITHUB_API_URL": "http://[::1/"}, says="GITHUB_API_URL"
    ),
    "label-check-api-url-no-host": case(
        "label-check", "--pr", "1", code=2, env={**GITHUB, "GITHUB_API_URL": "https://"}
    ),
    "wait-workflow-api-url-bad-port": case(
        "wait-workflow",
        "--tag",
        "v1.0.0",
        code=2,
        env={**GITHUB, "GITHUB_API_URL": "https://127.0.0.1:99999/"},
    ),
    "checks-timeout-infinite": case("checks", "--timeout", "inf", code=2),
    "label-check-pr-not-a-number": case("label-check", "--pr", "abc", code=2),
    "notes-bad-format": case("notes", "--format", "xml", code=2),
    "notes-broken-packed-refs": case(
        "notes", "--local", code=3, setup=_corrupt("packed-refs"), says="packed-refs"
    ),
    "github-release-no-action": case("github-release", code=2),
    "github-release-bad-action": case("github-release", "unpublish", code=2),
    "wait-workflow-timeout-nan": case("wait-workflow", "--timeout", "nan", code=2),
    "wait-workflow-interval-negative": case("wait-workflow", "--interval", "-1", code=2),
    # -- ledger and audit -----------------------------------------------------
    "ledger-bad-action": case("ledger", "rewrite", code=2),
    "ledger-origin-unreachable": case(
        "ledger", "verify", code=3, setup=_origin("/nonexistent/origin.git")
    ),
    "ledger-broken-packed-refs": case("ledger", "show", code=3, setup=_corrupt("packed-refs")),
    "audit-unknown-index": case("audit", "--index", "nowhere", code=2),
    "audit-timeout-nan": case(
        "audit", "--index", "local", code=2, env={"TAGSHIP_HTTP_TIMEOUT": "nan"}
    ),
    "audit-page-redirect-loop": case(
        "audit", "--index", "local", code=3, server="page-redirect-loop", says="circles"
    ),
    "audit-page-deep-json": case("audit", "--index", "local", code=3, server="deep-json"),
    "audit-bad-format": case("audit", "--index", "local", "--format", "xml", code=2),
    # -- init, doctor ---------------------------------------------------------
    "init-deep-set-key": case("--set", f"{DEEP_KEY}=1", "init", code=2),
    # -- packages -------------------------------------------------------------
    "packages-none-declared": case("packages", code=2, says="no packages are declared"),
    "packages-members-outside": case(
        "packages",
        code=2,
        setup=_append_pyproject('\n[tool.uv.workspace]\nmembers = ["../*"]\n'),
        says="not inside the repository",
    ),
    "packages-unreadable-event": case(
        "packages",
        "--changed",
        code=2,
        # the root, built by uv as a package: a repository of one declared package
        setup=_append_pyproject(
            '\n[tool.uv.workspace]\nmembers = ["."]\n[tool.uv]\npackage = true\n'
        ),
        env={"GITHUB_EVENT_PATH": "/nonexistent/event.json", "GITHUB_EVENT_NAME": "push"},
        says="cannot read the event payload",
    ),
    "packages-bad-format": case("packages", "--format", "xml", code=2),
    "init-unknown-flag": case("init", "--bogus", code=2),
    "doctor-bad-format": case("doctor", "--format", "xml", code=2),
    "doctor-broken-HEAD": case("doctor", code=3, setup=_corrupt("HEAD")),
    # -- hotfix, rollback, bump, check-tag ------------------------------------
    "hotfix-bad-action": case("hotfix", "merge", code=2),
    "rollback-bad-action": case("rollback", "undo", code=2),
    "rollback-revert-no-such-commit": case("rollback", "revert", "no-such-ref", code=2),
    "bump-not-a-version": case("bump", "sideways", code=2),
    "bump-commit-corrupt-index": case("bump", "patch", "--commit", code=3, setup=_corrupt("index")),
    "bump-deep-set-value": case("--set", f"tag-format={DEEP_TABLE}", "bump", "patch", code=2),
    "check-tag-broken-HEAD": case("check-tag", "v1.0.0", code=3, setup=_corrupt("HEAD")),
    "check-tag-deep-set-key": case("--set", f"{DEEP_KEY}=1", "check-tag", "v1.0.0", code=2),
}


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    # one try, short timeouts: every refusal here is immediate
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "1")
    monkeypatch.setenv("TAGSHIP_HTTP_TIMEOUT", "5")


def _invoke(cli: Cli, capsys: pytest.CaptureFixture[str], *argv: str) -> CliResult:
    """The CLI's result; argparse's refusals end in SystemExit, with their line printed."""
    try:
        return cli(*argv)
    except SystemExit as exc:
        captured = capsys.readouterr()
        return CliResult(int(str(exc.code)), captured.out, captured.err)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_refused_cleanly(
    name: str,
    make_repo: MakeRepo,
    cli: Cli,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    hostile = CASES[name]
    posts: list[str] = []
    with ExitStack() as stack:
        if hostile.server in RAW:
            raw = stack.enter_context(raw_server(RAW[hostile.server]))
            upload, simple = raw, f"{raw}simple/"
        elif hostile.server is not None:
            serve_index(httpserver, PROJECT, hostile.server, posts)
            upload, simple = httpserver.url_for("/legacy/"), httpserver.url_for("/simple/")
        else:
            upload, simple = DEAD, f"{DEAD}simple/"
        release = make_release(
            make_repo, hostile.upload or upload, hostile.simple or simple, name=PROJECT
        )
        repo = release.repo
        if hostile.setup is not None:
            hostile.setup(repo)
        for variable, value in hostile.env.items():
            monkeypatch.setenv(variable, value)
        before = snapshot(repo.path)
        monkeypatch.chdir(repo.path)  # -C pyproject.toml: a file, relative to the project
        result = _invoke(cli, capsys, "-C", str(repo.path), *hostile.argv)
    line = assert_refused(result, hostile.code)
    assert hostile.says in line, line
    assert snapshot(repo.path) == before
    if hostile.code == 2:  # a refused configuration or command line sends nothing
        assert posts == []
        assert all(entry[0].method != "POST" for entry in httpserver.log)


def test_the_corpus_spans_every_command() -> None:
    commands = {
        "status", "version", "config", "build", "verify-artifacts", "publish", "wait",
        "verify-install", "dry-run", "tag", "release", "checks", "label-check", "notes",
        "github-release", "wait-workflow", "ledger", "audit", "init", "doctor", "hotfix",
        "rollback", "bump", "check-tag", "packages",
    }  # fmt: skip
    covered = {next(a for a in c.argv if a in commands) for c in CASES.values()}
    assert covered == commands
    assert len(CASES) >= 60
