"""PyPI's GitLab Trusted Publisher stand-in (tests/gitlab_oidc.py behind tests/index_proxy.py)
judges a GitLab job's id token as warehouse does: each rule of warehouse/oidc/models/gitlab.py,
with warehouse's error bodies."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import httpx
import pytest

from gitlab_oidc import GitLabPublisher, GitLabPublishers, Job, id_token, id_token_claims
from index_proxy import TrustedIndex
from oidc import jwt

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_httpserver import HTTPServer

JOB = Job("charm-group/sdk/charmos", "v1.0.0", "a" * 40, environment="pypi")
PYPI = GitLabPublisher("charm-group/sdk", "charmos", environment="pypi")


@pytest.fixture
def serve() -> Iterator[list[TrustedIndex]]:
    made: list[TrustedIndex] = []
    yield made
    for index in made:
        index.close()


def _index(httpserver: HTTPServer, made: list[TrustedIndex], *publishers: GitLabPublisher) -> str:
    index = TrustedIndex(httpserver, "http://127.0.0.1:9", GitLabPublishers(publishers), "pypi")
    made.append(index)
    return index.url


def _mint(url: str, token: str) -> httpx.Response:
    return httpx.post(f"{url}/_/oidc/mint-token", json={"token": token}, timeout=10)


@pytest.mark.parametrize(
    ("publisher", "job"),
    [
        (PYPI, JOB),
        # a publisher registered for no environment accepts any, or none
        (replace(PYPI, environment=""), JOB),
        (replace(PYPI, environment=""), replace(JOB, environment="")),
        # the pipeline file may live in a folder
        (
            replace(PYPI, workflow_filepath="ci/release.yml"),
            replace(JOB, config_path="ci/release.yml"),
        ),
    ],
)
def test_a_matching_gitlab_job_gets_a_token(
    httpserver: HTTPServer, serve: list[TrustedIndex], publisher: GitLabPublisher, job: Job
) -> None:
    url = _index(httpserver, serve, publisher)
    assert httpx.get(f"{url}/_/oidc/audience", timeout=10).json() == {"audience": "pypi"}

    answer = _mint(url, id_token(job, "pypi"))

    assert answer.status_code == 200
    assert answer.json()["success"] is True
    assert answer.json()["token"] in serve[0].minted


def _claims_without(name: str) -> str:
    claims = id_token_claims(JOB, "pypi")
    del claims[name]
    return jwt(claims)


def _claims_with(**changed: object) -> str:
    return jwt(id_token_claims(JOB, "pypi") | changed)


NOT_FOUND = (
    "valid token, but no corresponding publisher (Publisher with matching claims was not found)"
)


@pytest.mark.parametrize(
    ("token", "code", "description"),
    [
        # the job ran in another environment than the one registered
        (id_token(replace(JOB, environment="testpypi"), "pypi"), "invalid-publisher", NOT_FOUND),
        (id_token(replace(JOB, environment=""), "pypi"), "invalid-publisher", NOT_FOUND),
        # another pipeline file, another project
        (
            id_token(replace(JOB, config_path="ci/other.yml"), "pypi"),
            "invalid-publisher",
            NOT_FOUND,
        ),
        (
            id_token(replace(JOB, project_path="charm-group/other"), "pypi"),
            "invalid-publisher",
            NOT_FOUND,
        ),
        # a token for another audience, or from an issuer PyPI does not know
        (id_token(JOB, "testpypi"), "invalid-token", "malformed or invalid token"),
        (
            id_token(replace(JOB, issuer="https://gitlab.example.org"), "pypi"),
            "invalid-payload",
            "unknown trusted publishing issuer",
        ),
        (
            _claims_without("ref_path"),
            "invalid-publisher",
            "valid token, but no corresponding publisher (Missing claim 'ref_path')",
        ),
        (
            _claims_with(ci_config_ref_uri="gitlab.com/charm-group/sdk/charmos//.gitlab-ci.yml"),
            "invalid-publisher",
            (
                "valid token, but no corresponding publisher "
                "(Could not extract workflow filename from OIDC claims)"
            ),
        ),
        # the pipeline file at another ref than the job's
        (
            _claims_with(
                ci_config_ref_uri="gitlab.com/charm-group/sdk/charmos//.gitlab-ci.yml@refs/heads/x"
            ),
            "invalid-publisher",
            (
                "valid token, but no corresponding publisher (The ci_config_ref_uri claim does not "
                "match, expecting one of ['gitlab.com/charm-group/sdk/charmos//.gitlab-ci.yml@"
                f"{'a' * 40}', 'gitlab.com/charm-group/sdk/charmos//.gitlab-ci.yml@refs/tags/"
                "v1.0.0'], got 'gitlab.com/charm-group/sdk/charmos//.gitlab-ci.yml@refs/heads/x')"
            ),
        ),
        (_claims_with(sub="project_path:charm-group/other"), "invalid-publisher", None),
    ],
)
def test_a_gitlab_job_that_does_not_match_is_refused_as_pypi_refuses_it(
    httpserver: HTTPServer,
    serve: list[TrustedIndex],
    token: str,
    code: str,
    description: str | None,
) -> None:
    url = _index(httpserver, serve, PYPI)

    answer = _mint(url, token)

    assert answer.status_code == 422
    assert answer.json()["message"] == "Token request failed"
    (error,) = answer.json()["errors"]
    assert error["code"] == code
    expected = description or "valid token, but no corresponding publisher "
    expected += "" if description else "(Check failed for required claim 'sub')"
    assert error["description"] == expected
    assert serve[0].minted == set()


def test_a_gitlab_token_is_exchanged_once(
    httpserver: HTTPServer, serve: list[TrustedIndex]
) -> None:
    url = _index(httpserver, serve, PYPI)
    token = id_token(JOB, "pypi")

    assert _mint(url, token).status_code == 200
    again = _mint(url, token)

    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"code": "invalid-reuse-token", "description": "invalid token: already used"}
    ]


def test_the_environment_publisher_wins_over_the_general_one(
    httpserver: HTTPServer, serve: list[TrustedIndex]
) -> None:
    # warehouse picks the publisher registered for the job's environment first
    url = _index(httpserver, serve, replace(PYPI, environment=""), PYPI)

    assert _mint(url, id_token(JOB, "pypi")).status_code == 200
    assert _mint(url, id_token(replace(JOB, environment="docs"), "pypi")).status_code == 200


def test_a_publisher_spelled_in_another_case_is_found_but_refused(
    httpserver: HTTPServer, serve: list[TrustedIndex]
) -> None:
    # warehouse looks the project up case-insensitively, then compares ci_config_ref_uri exactly
    # with the path as registered: register it as GitLab spells it
    url = _index(
        httpserver, serve, GitLabPublisher("Charm-Group/SDK", "CharmOS", environment="pypi")
    )

    (error,) = _mint(url, id_token(JOB, "pypi")).json()["errors"]

    assert error["code"] == "invalid-publisher"
    assert "The ci_config_ref_uri claim does not match" in error["description"]
