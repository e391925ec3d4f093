"""The HTTP chokepoint: retries, Retry-After, https-only off loopback, no silent downgrade."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from werkzeug import Response

from tagship.adapters.http import Http, RetryPolicy, policy_from_env
from tagship.adapters.http_rules import require_secure
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer


@pytest.mark.parametrize(
    "url",
    ["https://pypi.org/simple/", "http://127.0.0.1:8080/", "http://localhost/", "http://[::1]:1/"],
)
def test_secure_or_loopback_urls_pass(url: str) -> None:
    assert require_secure(url) == url


@pytest.mark.parametrize("url", ["http://pypi.org/simple/", "ftp://127.0.0.1/", "http://10.0.0.1/"])
def test_plain_http_elsewhere_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="refusing insecure URL"):
        require_secure(url)


def test_a_redirect_to_https_is_not_followed_unverified(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/simple/x/").respond_with_response(
        Response(status=302, headers={"Location": "https://127.0.0.1:1/simple/x/"})
    )
    with Http(RetryPolicy(attempts=1)) as http, pytest.raises(ConfigError, match="redirect"):
        http.get(httpserver.url_for("/simple/x/"))


def test_retries_honour_retry_after_then_give_the_last_answer(httpserver: HTTPServer) -> None:
    slept: list[float] = []
    httpserver.expect_ordered_request("/busy").respond_with_data("", 429, {"Retry-After": "7"})
    httpserver.expect_ordered_request("/busy").respond_with_data("", 503)
    httpserver.expect_ordered_request("/busy").respond_with_data("done", 200)
    policy = RetryPolicy(attempts=3, base_delay=0.5)
    with Http(policy, sleep=slept.append, rng=lambda: 1.0) as http:
        answer = http.get(httpserver.url_for("/busy"))
    assert (answer.status_code, answer.text) == (200, "done")
    assert slept == [7.0, 1.0]  # Retry-After, then 0.5 * 2 ** 1 at full jitter


def test_client_errors_are_not_retried(httpserver: HTTPServer) -> None:
    slept: list[float] = []
    httpserver.expect_request("/gone").respond_with_data("", 404)
    with Http(RetryPolicy(attempts=5), sleep=slept.append) as http:
        assert http.get(httpserver.url_for("/gone")).status_code == 404
    assert slept == []


def test_connection_failures_end_in_a_service_error() -> None:
    slept: list[float] = []
    with (
        Http(RetryPolicy(attempts=3), sleep=slept.append) as http,
        pytest.raises(ServiceError, match="failed after 3 attempts"),
    ):
        http.get("http://127.0.0.1:9/")
    assert len(slept) == 2


def test_policy_from_environment() -> None:
    policy = policy_from_env({"TAGSHIP_HTTP_ATTEMPTS": "2", "TAGSHIP_HTTP_TIMEOUT": "1.5"})
    assert (policy.attempts, policy.timeout, policy.base_delay) == (2, 1.5, 0.5)
    with pytest.raises(ConfigError, match="TAGSHIP_HTTP_BACKOFF='-1'"):
        policy_from_env({"TAGSHIP_HTTP_BACKOFF": "-1"})
    assert policy_from_env({"TAGSHIP_HTTP_BACKOFF": "0"}).base_delay == 0  # retry at once


@pytest.mark.parametrize(
    ("variable", "value", "wanted"),
    [
        ("TAGSHIP_HTTP_TIMEOUT", "nan", "a number of seconds > 0"),
        ("TAGSHIP_HTTP_TIMEOUT", "inf", "a number of seconds > 0"),
        ("TAGSHIP_HTTP_TIMEOUT", "0", "a number of seconds > 0"),  # every try would time out
        ("TAGSHIP_HTTP_TIMEOUT", "1e12", "a number of seconds > 0"),  # past what sockets take
        ("TAGSHIP_HTTP_BACKOFF", "nan", "a number of seconds >= 0"),
        ("TAGSHIP_HTTP_BACKOFF", "-inf", "a number of seconds >= 0"),
        ("TAGSHIP_HTTP_ATTEMPTS", "0", "a whole number >= 1"),
        ("TAGSHIP_HTTP_ATTEMPTS", "2.5", "a whole number >= 1"),
    ],
)
def test_unusable_http_settings_name_the_variable(variable: str, value: str, wanted: str) -> None:
    with pytest.raises(ConfigError) as info:
        policy_from_env({variable: value})
    assert info.value.message.startswith(f"{variable}={value!r} is not {wanted}")
    assert info.value.hint == f"fix or unset {variable}"


def test_an_unreadable_retry_after_falls_back_to_backoff(httpserver: HTTPServer) -> None:
    slept: list[float] = []
    httpserver.expect_ordered_request("/odd").respond_with_data("", 503, {"Retry-After": "soon"})
    httpserver.expect_ordered_request("/odd").respond_with_data("ok", 200)
    with Http(RetryPolicy(attempts=2, base_delay=0.5), sleep=slept.append, rng=lambda: 1.0) as http:
        assert http.get(httpserver.url_for("/odd")).text == "ok"
    assert slept == [0.5]


def test_an_https_answer_never_redirects_to_plain_http() -> None:
    def transport_handler(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https":
            return httpx.Response(302, headers={"Location": "http://127.0.0.1:1/simple/x/"})
        return httpx.Response(200, text="downgraded")

    transport = httpx.MockTransport(transport_handler)
    with (
        Http(RetryPolicy(attempts=1), transport=transport) as http,
        pytest.raises(ConfigError, match="redirect from https"),
    ):
        http.get("https://index.example/simple/x/")
