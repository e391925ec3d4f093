"""Hostile HTTP answers: redirects that lead an upload or a credential away, and answers too
large or too absurd to read. Real CLI, real git repositories, local servers standing in for
the index, GitHub and the token services (pytest-httpserver).

Every hop is judged as the configured URL is (plain http only to loopback, never a name
resolved on the way), an upload never follows a redirect, credentials never cross origins,
and every answer is read with a cap: the heavy cases run the CLI in a child process whose
peak memory and time are measured (tests/hostile_answers.py).
"""

from __future__ import annotations

import gzip
import json
import re
import socket
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

import github_payloads as gh
from hostile import assert_refused
from hostile_answers import MIB, Measured, json_array, run_measured
from ledger_kit import head
from oidc import CLAIMS, jwt
from releases import make_release
from tagship.adapters.http import Http, RetryPolicy
from tagship.adapters.index import IndexFile, SimpleIndex
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from werkzeug import Request

    from conftest import Cli, MakeRepo

PROJECT = "pub-pkg"
ANY = re.compile(".*")
JSON_PAGE = "application/vnd.pypi.simple.v1+json"
PYPI_ADDRESS = "http://151.101.0.223/legacy/"  # one of PyPI's addresses, in plain http
HUGE = 27 * MIB  # the size of the answer that drove tagship to 23.9 GB
PEAK_BOUND_MIB = 200  # what a refused answer may cost, whatever it holds (measured: 35-140)
GITHUB = {"GITHUB_TOKEN": "t0ken-for-tests", "GITHUB_REPOSITORY": gh.FULL}


@pytest.fixture
def resolved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name the process asks the resolver for (loopback names excepted)."""
    names: list[str] = []
    real = socket.getaddrinfo

    def recording(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1"):
            names.append(str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    return names


@pytest.fixture
def other_origin() -> Iterator[HTTPServer]:
    """A second loopback server: another origin than `httpserver`."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture(autouse=True)
def _one_try(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "1")
    monkeypatch.setenv("TAGSHIP_HTTP_TIMEOUT", "20")


# -- 1. redirects ------------------------------------------------------------------------------


def _recording(
    posts: list[str], status: int = 200, headers: dict[str, str] | None = None
) -> Callable[[Request], Response]:
    """An answer of `status`, each request's path kept in `posts`."""

    def answer(request: Request) -> Response:
        posts.append(request.path)
        return Response("", status, headers=headers)

    return answer


@pytest.mark.parametrize(
    "location",
    [
        PYPI_ADDRESS,
        "http://2539978975/",  # the same address in decimal
        "http://upload.pypi.org/legacy/",  # PyPI's upload host by name
        "https://upload.pypi.org/legacy/",
        "/elsewhere/",  # the same loopback index: an upload follows no redirect at all
    ],
)
def test_an_upload_is_never_redirected(
    location: str,
    make_repo: MakeRepo,
    cli: Cli,
    httpserver: HTTPServer,
    resolved: list[str],
) -> None:
    posts: list[str] = []
    httpserver.expect_request(f"/simple/{PROJECT}/").respond_with_data("", status=404)
    redirect = _recording(posts, 307, {"Location": location})
    httpserver.expect_request("/legacy/").respond_with_handler(redirect)
    httpserver.expect_request("/elsewhere/").respond_with_handler(_recording(posts))
    release = make_release(
        make_repo, httpserver.url_for("/legacy/"), httpserver.url_for("/simple/"), name=PROJECT
    )
    result = cli("-C", str(release.repo.path), "publish", "--to", "local")
    line = assert_refused(result, 3)
    assert f"redirect to {location}" in line, line
    assert "on the index: nothing" in line
    assert not any(ln.startswith("uploaded:") for ln in result.out.splitlines())
    assert posts == ["/legacy/"]  # the first file once, and nothing sent anywhere else
    assert resolved == []  # not even PyPI's name was looked up
    assert head(release.repo.path) is None  # nothing recorded
    assert head(release.repo.origin) is None


@pytest.mark.parametrize(
    "location",
    [
        PYPI_ADDRESS,
        "http://2539978975/simple/x/",
        "http://pypi.org/simple/x/",
        # a resolver gets the name as written, escapes and all: never loopback to it
        "http://loc%61lhost:8/simple/x/",
        "http://%6c%6f%63%61%6c%68%6f%73%74/simple/x/",
    ],
)
def test_every_hop_of_a_read_is_judged_as_its_url(
    location: str, httpserver: HTTPServer, resolved: list[str]
) -> None:
    httpserver.expect_request("/simple/x/").respond_with_response(
        Response("", 302, headers={"Location": location})
    )
    with Http(RetryPolicy(attempts=1)) as http, pytest.raises(ConfigError) as refused:
        http.get(httpserver.url_for("/simple/x/"))
    where = httpserver.url_for("/simple/x/")
    assert refused.value.message.startswith(f"refusing to follow a redirect from {where} ")
    assert f"to {location}: only https, or http on loopback" in refused.value.message
    assert resolved == []


def test_a_redirect_to_loopback_in_another_spelling_is_followed(httpserver: HTTPServer) -> None:
    # the host rules are core.official's: 0x7f.1 is 127.0.0.1 to a resolver, hence loopback
    httpserver.expect_request("/page").respond_with_data("here")
    httpserver.expect_request("/moved").respond_with_response(
        Response("", 302, headers={"Location": f"http://0x7f.1:{httpserver.port}/page"})
    )
    with Http(RetryPolicy(attempts=1)) as http:
        assert http.get(httpserver.url_for("/moved")).text == "here"


def test_credentials_never_cross_origins(httpserver: HTTPServer, other_origin: HTTPServer) -> None:
    httpserver.expect_request("/files/x.whl").respond_with_response(
        Response("", 302, headers={"Location": other_origin.url_for("/x.whl")})
    )
    other_origin.expect_request("/x.whl").respond_with_data("wheel bytes")
    with Http(RetryPolicy(attempts=1)) as http:
        answer = http.get(httpserver.url_for("/files/x.whl"), auth=("user", "index-secret"))
    assert answer.text == "wheel bytes"
    [(first, _)] = httpserver.log
    [(second, _)] = other_origin.log
    assert first.headers.get("Authorization", "").startswith("Basic ")
    assert "Authorization" not in second.headers


def test_github_redirects_are_judged_and_keep_the_token_home(
    make_repo: MakeRepo,
    cli: Cli,
    httpserver: HTTPServer,
    other_origin: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = make_repo()
    for name, value in _github_env(httpserver).items():
        monkeypatch.setenv(name, value)
    labels = f"/repos/{gh.FULL}/issues/1/labels"
    httpserver.expect_request(labels).respond_with_response(
        Response("", 301, headers={"Location": other_origin.url_for(labels)})
    )
    other_origin.expect_request(labels).respond_with_json([gh.label("release:patch")])
    assert cli("-C", str(repo.path), "label-check", "--pr", "1").code == 0
    [(moved, _)] = other_origin.log
    assert "Authorization" not in moved.headers  # the token stayed with its origin

    httpserver.clear()
    httpserver.expect_request(labels).respond_with_response(
        Response("", 302, headers={"Location": PYPI_ADDRESS})
    )
    line = assert_refused(cli("-C", str(repo.path), "label-check", "--pr", "1"), 2)
    assert f"redirect from {httpserver.url_for(labels)}" in line
    assert f"to {PYPI_ADDRESS}: only https, or http on loopback" in line


# -- 2. answers too large or too absurd to read -------------------------------------------------


def _always(
    body: bytes, *, chunked: bool = False, headers: dict[str, str] | None = None
) -> Callable[[Request], Response]:
    """Every request answered with `body`, in chunks of unannounced length if `chunked`."""

    def answer(_: Request) -> Response:
        data = iter([body[i : i + MIB] for i in range(0, len(body), MIB)]) if chunked else body
        return Response(data, 200, content_type="application/json", headers=headers)

    return answer


def _github_env(server: HTTPServer) -> dict[str, str]:
    return {**GITHUB, "GITHUB_API_URL": server.url_for("").rstrip("/")}


def _assert_bounded(result: Measured, says: str) -> str:
    """A clean refusal (exit 3, one line holding `says`) within the memory bound."""
    assert result.code == 3, (result.code, result.err[-2000:])
    assert "Traceback" not in result.err
    [line] = [ln for ln in result.err.splitlines() if ln.startswith("tagship: error:")]
    assert says in line, line
    assert result.peak_mib < PEAK_BOUND_MIB, result
    return line


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
@pytest.mark.parametrize(
    "argv",
    [["label-check", "--pr", "1"], ["github-release", "publish", "v1.0.0"]],
    ids=["label-check", "github-release"],
)
def test_a_huge_github_answer_is_refused_in_bounded_memory(
    argv: list[str], chunked: bool, make_repo: MakeRepo, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(ANY).respond_with_handler(_always(json_array(HUGE), chunked=chunked))
    repo = make_repo()
    result = run_measured(repo.path, argv, _github_env(httpserver))
    line = _assert_bounded(result, "larger than 16 MiB")
    assert f"GET {httpserver.url_for('/repos/')}" in line
    assert result.seconds < 30, result


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (lambda: json_array(12 * MIB), "more than 10000 JSON objects"),  # under the size cap
        (lambda: json_array(2 * MIB, b"0"), "more than 200000 JSON values"),
        (lambda: b"[" * 100 + b"]" * 100, "nested deeper than 32 levels"),
        # within every limit, as wrong as can be: 10,000 empty labels and 179,000 numbers
        (
            lambda: json_array(30_000)[:-1] + b"," + json_array(358_000, b"0")[1:],
            "(269000 problems)",
        ),
    ],
    ids=["objects", "values", "depth", "within-limits"],
)
def test_an_absurd_github_answer_under_the_cap_is_refused(
    body: Callable[[], bytes], says: str, make_repo: MakeRepo, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(ANY).respond_with_handler(_always(body()))
    repo = make_repo()
    result = run_measured(repo.path, ["label-check", "--pr", "1"], _github_env(httpserver))
    _assert_bounded(result, says)


def test_a_wrong_github_answer_names_its_first_problems(
    make_repo: MakeRepo, cli: Cli, github: HTTPServer
) -> None:
    github.expect_request(f"/repos/{gh.FULL}/issues/1/labels").respond_with_json([{}] * 9000)
    line = assert_refused(cli("-C", str(make_repo().path), "label-check", "--pr", "1"), 3)
    assert "does not have the documented shape: 0.id: Field required; " in line, line
    assert "and 80997 more problems" in line, line


def _pages(server: HTTPServer, path: str, next_origin: HTTPServer | None = None) -> None:
    """Full pages of labels at `path`, each linking to the next (on `next_origin` if given)."""
    page = json.dumps([gh.label(f"l{i}", i) for i in range(100)])

    def answer(request: Request) -> Response:
        number = int(request.args.get("page", "1"))
        following = (next_origin or server).url_for(f"{path}?page={number + 1}")
        return Response(
            page,
            200,
            content_type="application/json",
            headers={"Link": f'<{following}>; rel="next"'},
        )

    server.expect_request(path).respond_with_handler(answer)


def test_endless_github_pages_end(make_repo: MakeRepo, cli: Cli, github: HTTPServer) -> None:
    # every page links to one more: refused, not gathered until memory runs out
    _pages(github, f"/repos/{gh.FULL}/issues/1/labels")
    line = assert_refused(cli("-C", str(make_repo().path), "label-check", "--pr", "1"), 3)
    assert "GitHub lists more than 20000 items for list_labels_on_issue" in line, line


def test_a_next_page_elsewhere_never_gets_the_token(
    make_repo: MakeRepo, cli: Cli, github: HTTPServer, other_origin: HTTPServer
) -> None:
    path = f"/repos/{gh.FULL}/issues/1/labels"
    _pages(github, path, next_origin=other_origin)
    _pages(other_origin, path)
    line = assert_refused(cli("-C", str(make_repo().path), "label-check", "--pr", "1"), 2)
    assert f"refusing to send credentials to {other_origin.url_for(path)}?page=2" in line, line
    assert other_origin.log == []


def test_a_compressed_github_answer_is_refused(make_repo: MakeRepo, httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b" " * (256 * MIB), compresslevel=9)  # 256 MiB in about 250 KiB
    httpserver.expect_request(ANY).respond_with_handler(
        _always(bomb, headers={"Content-Encoding": "gzip"})
    )
    result = run_measured(make_repo().path, ["label-check", "--pr", "1"], _github_env(httpserver))
    _assert_bounded(result, "Content-Encoding gzip")


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        (lambda: json_array(40 * MIB), JSON_PAGE, "larger than 32 MiB"),
        (lambda: json_array(30 * MIB), JSON_PAGE, "more than 400000 JSON objects"),
        (lambda: b'<a href="x">x</a>' * (1 << 20), "text/html", "more than 200000 files"),
        (lambda: b"<a href=x>" * (1 << 20), "text/html", "more than 200000 files"),  # unclosed
    ],
    ids=["too-large", "too-many-objects", "too-many-links", "unclosed-links"],
)
def test_a_huge_index_page_is_refused_in_bounded_memory(
    body: Callable[[], bytes],
    content_type: str,
    says: str,
    make_repo: MakeRepo,
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(f"/simple/{PROJECT}/").respond_with_data(
        body(), content_type=content_type
    )
    release = make_release(
        make_repo, httpserver.url_for("/legacy/"), httpserver.url_for("/simple/"), name=PROJECT
    )
    result = run_measured(release.repo.path, ["wait", "--index", "local", "--timeout", "0"], {})
    line = _assert_bounded(result, says)
    assert httpserver.url_for(f"/simple/{PROJECT}/") in line
    assert result.seconds < 30, result


@pytest.mark.parametrize(
    ("body", "says"),
    [(b" " * (5 * MIB), "larger than 4 MiB"), (json_array(MIB), "more than 10000 JSON objects")],
    ids=["too-large", "too-many-objects"],
)
def test_an_absurd_provenance_is_refused(body: bytes, says: str, httpserver: HTTPServer) -> None:
    # a model parses provenance: its validation errors would cost as GitHub's answers do
    httpserver.expect_request("/x.whl.provenance").respond_with_data(
        body, content_type="application/json"
    )
    wheel = IndexFile("x.whl", httpserver.url_for("/x.whl"), None, None)
    wheel = replace(wheel, provenance=httpserver.url_for("/x.whl.provenance"))
    with Http(RetryPolicy(attempts=1)) as http, pytest.raises(ServiceError) as refused:
        SimpleIndex(httpserver.url_for("/simple/"), http).provenance(wheel)
    assert says in refused.value.message
    assert httpserver.url_for("/x.whl.provenance") in refused.value.message


def _trusted_publishing(
    make_repo: MakeRepo, server: HTTPServer, *, oidc: bytes | None, mint: bytes | None
) -> tuple[Path, dict[str, str]]:
    """A project publishing to an official index in GitHub Actions: its OIDC token service and
    token exchange answer `oidc` and `mint` (None: the documented answer)."""
    server.expect_request("/_/oidc/audience").respond_with_json({"audience": "pypi"})
    good_oidc = json.dumps({"count": 1, "value": jwt(CLAIMS)}).encode()
    server.expect_request("/github-oidc").respond_with_handler(_always(oidc or good_oidc))
    good_mint = json.dumps({"success": True, "token": "minted"}).encode()
    server.expect_request("/_/oidc/mint-token").respond_with_handler(_always(mint or good_mint))
    server.expect_request(f"/simple/{PROJECT}/").respond_with_data("", status=404)
    extra = (
        "attestations = false\n[tool.tagship.indexes.pypi]\n"
        f'upload-url = "{server.url_for("/legacy/")}"\n'
        f'simple-url = "{server.url_for("/simple/")}"\nofficial = true\n'
    )
    release = make_release(make_repo, "http://127.0.0.1:9/", "http://127.0.0.1:9/s/", extra=extra)
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "CharmAIOS/Charm",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token",
        "ACTIONS_ID_TOKEN_REQUEST_URL": server.url_for("/github-oidc?api-version=2.0"),
    }
    return release.repo.path, env


@pytest.mark.parametrize("service", ["oidc", "mint"])
def test_a_huge_token_answer_is_refused_in_bounded_memory(
    service: str, make_repo: MakeRepo, httpserver: HTTPServer
) -> None:
    huge = json_array(HUGE)
    path, env = _trusted_publishing(
        make_repo,
        httpserver,
        oidc=huge if service == "oidc" else None,
        mint=huge if service == "mint" else None,
    )
    result = run_measured(path, ["publish", "--to", "pypi"], env)
    line = _assert_bounded(result, "larger than 1 MiB")
    # the OIDC request URL is masked as the job's other secrets are; its query is not
    named = {
        "oidc": "GET ***&audience=pypi",
        "mint": f"POST {httpserver.url_for('/_/oidc/mint-token')}",
    }
    assert f"refusing the answer to {named[service]}" in line
    assert not any(r.path == "/legacy/" for r, _ in httpserver.log)  # nothing uploaded
