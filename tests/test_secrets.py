"""Secrets never come back out: whatever a server or a program echoes of a credential, in
whatever form (raw, the base64 of `user:password`, URL-encoded, JSON-escaped, inside longer
base64), is masked in stdout, stderr and the ledger."""

from __future__ import annotations

import base64
import json
import subprocess
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

import pytest
from werkzeug import Response

from oidc import CLAIMS, github_actions, jwt
from releases import make_release
from tagship.adapters.http import Http, RetryPolicy, response_excerpt
from tagship.adapters.index import SimpleIndex
from tagship.adapters.process import Completed, run, without_secrets
from tagship.adapters.secrets import forms, scrub, secrets_in
from tagship.core.config import Credentials

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_httpserver import HTTPServer
    from werkzeug import Request

    from conftest import Cli, CliResult, MakeRepo

PASSWORD = "s3cret p@ss/wörd+&=%"  # noqa: S105 - a stand-in; URL encoding changes each
TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA"  # noqa: S105
MINTED = "pypi-minted-AgENdGVzdC5weXBpLm9yZw-0123456789"


def every_form(user: str, secret: str) -> list[str]:
    """What must never be shown: each form of the secret and of its Basic header."""
    pair = f"{user}:{secret}"
    return [
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        base64.b64encode(secret.encode()).decode(),
        base64.b64encode(pair.encode()).decode(),
        base64.b64encode(pair.encode()).decode().rstrip("="),
    ]


def assert_hidden(texts: list[str], user: str, secret: str) -> None:
    for text in texts:
        for form in every_form(user, secret):
            assert form not in text, (form, text)


# -- the rule ------------------------------------------------------------------


def test_every_form_of_a_secret_is_masked() -> None:
    text = " | ".join(every_form("alice", PASSWORD)) + " | https://alice:x@host/ | tail"
    shown = scrub(text, {PASSWORD, f"alice:{PASSWORD}"})
    assert_hidden([shown], "alice", PASSWORD)
    assert shown.endswith("https://***@host/ | tail")


@pytest.mark.parametrize("prefix", ["", "a", "ab", "abc", "__token__:", "x-access-token:"])
def test_a_secret_inside_longer_base64_is_masked(prefix: str) -> None:
    # whatever user name (or JSON around it) the secret was encoded with
    encoded = base64.b64encode(f"{prefix}{TOKEN} and more".encode()).decode()
    shown = scrub(f"Authorization: Basic {encoded}", {TOKEN})
    assert shown != f"Authorization: Basic {encoded}"
    assert "***" in shown
    for part in forms(TOKEN):
        assert part not in shown


def test_the_secrets_of_an_environment() -> None:
    env = {
        "TAGSHIP_INDEX_STAGE_USERNAME": "alice",
        "TAGSHIP_INDEX_STAGE_PASSWORD": PASSWORD,
        "TAGSHIP_INDEX_MY_INDEX_TOKEN": TOKEN,
        "GITHUB_TOKEN": "ghs_0123456789abcdef",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token",
        "SENTRY_API_KEY": "sentry-key",
        "TOKENIZERS_PARALLELISM": "false",  # a TOKEN word, not a credential
        "SKIP_TOKEN_CHECK": "1",  # too short to be one
        "PATH": "/bin",
    }
    assert secrets_in(env) == {
        PASSWORD,
        f"alice:{PASSWORD}",
        TOKEN,
        f"__token__:{TOKEN}",
        "ghs_0123456789abcdef",
        "x-access-token:ghs_0123456789abcdef",
        "gitlab-ci-token:ghs_0123456789abcdef",  # each host's git user: masked for both
        "request-token",
        "sentry-key",
    }
    assert without_secrets(env) == {
        "SENTRY_API_KEY": "sentry-key",
        "TOKENIZERS_PARALLELISM": "false",
        "SKIP_TOKEN_CHECK": "1",
        "PATH": "/bin",
    }


def test_a_program_echoing_a_credential_is_masked() -> None:
    env = {"PATH": "/usr/bin:/bin", "TAGSHIP_INDEX_X_PASSWORD": PASSWORD}
    done = run(
        ["sh", "-c", 'echo "fatal: denied for $TAGSHIP_INDEX_X_PASSWORD" >&2; exit 1'], env=env
    )
    assert PASSWORD in done.stderr  # the raw output is data, kept as it is
    assert done.reason() == "fatal: denied for ***"
    assert done.tail() == "fatal: denied for ***"
    assert (
        Completed(("x",), 1, "", "caf\udce9 failed\n").reason()
        == "caf\N{REPLACEMENT CHARACTER} failed"
    )


def test_an_error_body_is_masked_where_it_is_read(httpserver: HTTPServer) -> None:
    echoed: list[str] = []
    _echoing_index(httpserver, echoed)
    with Http(RetryPolicy(attempts=1)) as http:
        response = http.request("POST", httpserver.url_for("/legacy/"), auth=("alice", PASSWORD))
    assert echoed
    assert_hidden([response_excerpt(response, limit=10_000)], "alice", PASSWORD)


def test_a_yank_reason_is_masked_where_it_is_read(httpserver: HTTPServer) -> None:
    header = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    page = f'<a href="x-1.0.tar.gz" data-yanked="you sent Basic {header}">x-1.0.tar.gz</a>'
    httpserver.expect_request("/simple/x/").respond_with_data(page, content_type="text/html")
    with Http(RetryPolicy(attempts=1)) as http:
        index = SimpleIndex(httpserver.url_for("/simple/"), http, Credentials("alice", PASSWORD))
        found = index.project("x")
    assert found is not None
    (file,) = found.files
    assert file.yanked == "you sent Basic ***"


# -- through the command line ---------------------------------------------------


def _echoing_index(httpserver: HTTPServer, echoed: list[str]) -> None:
    """An index that refuses every upload, quoting the request's credentials back."""

    def refuse(request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        basic = header.partition(" ")[2]
        decoded = base64.b64decode(basic).decode() if basic else ""
        secret = decoded.partition(":")[2]
        echoed.append(header)
        body = (
            f"403 Forbidden: invalid credentials in header {header!r} ({decoded}), "
            f"password {secret} / {quote(secret, safe='')} / {quote_plus(secret)} / "
            f"{json.dumps(secret)}"
        )
        return Response(body, 403, content_type="text/plain")

    httpserver.expect_request("/simple/pub-pkg/").respond_with_data("", status=404)
    httpserver.expect_request("/legacy/", method="POST").respond_with_handler(refuse)


def _ledger_text(repo_path: Path) -> str:
    done = subprocess.run(
        ["git", "log", "-p", "--all", "--format=%B"],
        cwd=repo_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _publish(httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli) -> tuple[CliResult, str]:
    release = make_release(
        make_repo, httpserver.url_for("/legacy/"), httpserver.url_for("/simple/"), name="pub-pkg"
    )
    result = cli("-C", str(release.repo.path), "publish", "--to", "local")
    return result, _ledger_text(release.repo.path) + _ledger_text(release.repo.origin)


@pytest.fixture(autouse=True)
def _one_try(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "1")


def test_an_index_echoing_the_password_shows_none_of_it(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGSHIP_INDEX_LOCAL_USERNAME", "alice")
    monkeypatch.setenv("TAGSHIP_INDEX_LOCAL_PASSWORD", PASSWORD)
    echoed: list[str] = []
    _echoing_index(httpserver, echoed)
    result, ledger = _publish(httpserver, make_repo, cli)
    assert result.code == 3, result.err
    assert echoed  # the index did receive, and echo, the credentials
    assert "refused the credentials (HTTP 403" in result.err
    assert "***" in result.err
    assert_hidden([result.out, result.err, ledger], "alice", PASSWORD)


def test_an_index_echoing_the_token_shows_none_of_it(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGSHIP_INDEX_LOCAL_TOKEN", TOKEN)
    echoed: list[str] = []
    _echoing_index(httpserver, echoed)
    result, ledger = _publish(httpserver, make_repo, cli)
    assert result.code == 3, result.err
    assert echoed
    assert_hidden([result.out, result.err, ledger], "__token__", TOKEN)


def _serve_audience(httpserver: HTTPServer) -> str:
    oidc = jwt(CLAIMS)
    httpserver.expect_request("/_/oidc/audience").respond_with_json({"audience": "pypi"})
    httpserver.expect_request("/github-oidc").respond_with_json({"count": 1, "value": oidc})
    return oidc


def _publish_to_pypi(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli
) -> tuple[CliResult, str]:
    upload, simple = httpserver.url_for("/legacy/"), httpserver.url_for("/simple/")
    extra = (
        "attestations = false\n"
        f'[tool.tagship.indexes.pypi]\nupload-url = "{upload}"\nsimple-url = "{simple}"\n'
    )
    release = make_release(
        make_repo, "http://127.0.0.1:9/", "http://127.0.0.1:9/simple/", name="pub-pkg", extra=extra
    )
    # a new project: the preflight reads its page before a token is asked for
    httpserver.expect_request("/simple/pub-pkg/").respond_with_data("", status=404)
    result = cli("-C", str(release.repo.path), "publish", "--to", "pypi")
    return result, _ledger_text(release.repo.path)


@pytest.mark.parametrize("as_json", [True, False], ids=["errors-list", "plain-text"])
def test_a_token_exchange_echoing_the_oidc_token_shows_none_of_it(
    httpserver: HTTPServer,
    make_repo: MakeRepo,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    as_json: bool,
) -> None:
    github_actions(monkeypatch, httpserver)
    oidc = _serve_audience(httpserver)

    def refuse(request: Request) -> Response:
        token = request.get_json()["token"]
        if as_json:
            errors = [{"code": "invalid-token", "description": f"token {token} is expired"}]
            return Response(json.dumps({"errors": errors}), 422, content_type="application/json")
        return Response(f"bad token {token} ({quote(token)})", 400)

    httpserver.expect_request("/_/oidc/mint-token", method="POST").respond_with_handler(refuse)
    result, ledger = _publish_to_pypi(httpserver, make_repo, cli)
    assert result.code == 3, result.err
    assert "refused the token exchange" in result.err
    assert "***" in result.err
    assert_hidden([result.out, result.err, ledger], "__token__", oidc)


def test_an_index_echoing_the_minted_token_shows_none_of_it(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_actions(monkeypatch, httpserver)
    _serve_audience(httpserver)
    httpserver.expect_request("/_/oidc/mint-token", method="POST").respond_with_json(
        {"success": True, "token": MINTED}
    )
    _echoing_index(httpserver, [])
    result, ledger = _publish_to_pypi(httpserver, make_repo, cli)
    assert result.code == 3, result.err
    # GitHub's mask command is the one line that names it, so that the job's log hides it
    assert result.out.count(f"::add-mask::{MINTED}\n") == 1
    shown = result.out.replace(f"::add-mask::{MINTED}\n", "")
    assert_hidden([shown, result.err, ledger], "__token__", MINTED)


def test_git_errors_show_no_credential(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    url = f"http://alice:{quote(PASSWORD, safe='')}@127.0.0.1:9/repo.git"
    subprocess.run(["git", "remote", "set-url", "origin", url], cwd=repo.path, check=True)
    result = cli("-C", str(repo.path), "ledger", "verify")
    assert result.code == 3, result.err
    assert "127.0.0.1:9" in result.err
    assert_hidden([result.out, result.err], "alice", PASSWORD)
