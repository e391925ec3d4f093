"""Which indexes are official: PyPI and TestPyPI however their address is spelled, any
non-loopback IP literal, and what `--set` may not change about them."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

import httpx
import pytest

from tagship.adapters.project_files import load_pyproject
from tagship.ci import read_run
from tagship.core.config import BUILTIN_INDEXES, IndexConfig, load_config
from tagship.core.errors import ConfigError, GateError
from tagship.core.official import (
    is_official,
    normalise_host,
    official_host,
    official_url,
    require_ci_for_official,
    url_host,
)

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.core.config import Config

# one of PyPI's addresses (Fastly), in the forms a resolver accepts for it
PYPI_IP = ipaddress.IPv4Address("151.101.0.223")
PYPI_IP_FORMS = (
    str(PYPI_IP),
    str(int(PYPI_IP)),  # one integer
    hex(int(PYPI_IP)),
    "0x97.0x65.0.0xdf",
    "0227.0145.0.0337",  # octal parts
    "151.101.223",  # the last part fills the remaining bytes
    "151.6619359",
)

SPELLINGS = {
    # spelling -> the host it normalises to
    "https://pypi.org./legacy/": "pypi.org",
    "https://upload.pypi.org./legacy/": "upload.pypi.org",
    "https://UPLOAD.PyPI.org/legacy/": "upload.pypi.org",
    "https://pypi\uff0eorg/simple/": "pypi.org",  # fullwidth full stop
    "https://pypi\u3002org/simple/": "pypi.org",  # ideographic full stop
    "https://pypi\uff61org/simple/": "pypi.org",  # halfwidth ideographic full stop
    "https://upload\u3002pypi\uff0eorg\uff61/legacy/": "upload.pypi.org",
    "https://\uff50\uff59\uff50\uff49.org/simple/": "pypi.org",  # fullwidth letters
    "https://p\u00adypi.org/simple/": "pypi.org",  # a soft hyphen maps to nothing
    "https://pypi%2Eorg/simple/": "pypi.org",  # percent-escaped dot
    "https://pypi.io/simple/": "pypi.io",
    "https://upload.pypi.io/legacy/": "upload.pypi.io",
    "https://test.pypi.io/simple/": "test.pypi.io",
    "https://pypi.python.org/simple/": "pypi.python.org",
    "https://testpypi.python.org/simple/": "testpypi.python.org",
    "https://www.pypi.org/simple/": "www.pypi.org",
    "https://test.pypi.org./legacy/": "test.pypi.org",
    "https://upload.test.pypi.org/legacy/": "upload.test.pypi.org",
    "https://files.pythonhosted.org/": "files.pythonhosted.org",
    "https://user:secret@pypi.org:443/simple/": "pypi.org",
    "https://evil.example\\@pypi.org/simple/": "pypi.org",  # the host is after the last @
    **{f"https://{form}/legacy/": str(PYPI_IP) for form in PYPI_IP_FORMS},
    "https://[2a04:4e42::223]/simple/": "2a04:4e42::223",
    "https://[::ffff:151.101.0.223]/simple/": "::ffff:9765:df",
    "https://0.0.0.0/": "0.0.0.0",  # noqa: S104 - an address, not a bind
    "https://[fe80::1%25eth0]/": "fe80::1%eth0",
}

NOT_OFFICIAL = {
    "http://127.0.0.1:8080/": "127.0.0.1",
    "http://127.8.9.10/": "127.8.9.10",
    "http://2130706433/": "127.0.0.1",  # loopback as one integer
    "http://0x7f.1/": "127.0.0.1",
    "http://\uff12\uff11\uff13\uff10\uff17\uff10\uff16\uff14\uff13\uff13/": "127.0.0.1",
    "http://[::1]:9/": "::1",
    "http://[::ffff:127.0.0.1]/": "::ffff:7f00:1",
    "http://localhost:3141/": "localhost",
    "https://example.com/simple/": "example.com",
    "https://notpypi.org/": "notpypi.org",
    "https://pypi.org.example.com/": "pypi.org.example.com",
    "https://pypi.org-mirror.example/": "pypi.org-mirror.example",
    "https://my_index.internal/": "my_index.internal",
    "https://1.2.3.4.5/": "1.2.3.4.5",  # five parts: a name, whatever a resolver makes of it
}

MALFORMED = (
    "http://[::1/",
    "https://[pypi.org]/",
    "https://pypi..org/",
    "https://pypi.org:99999/",
    "https://pypi.org:abc/",
    "https:pypi.org/",
    "https:///simple/",
    "https://./",
    "https://pypi.org%00.evil.example/",
    "https://pypi.org%20/",
    "https://[::1%zz/",
    "not a url",
    "",
)


@pytest.mark.parametrize(("url", "host"), SPELLINGS.items())
def test_every_spelling_of_pypi_is_official(url: str, host: str) -> None:
    assert url_host(url) == host
    assert official_url(url)


@pytest.mark.parametrize(("url", "host"), NOT_OFFICIAL.items())
def test_loopback_and_other_names_are_not_official(url: str, host: str) -> None:
    assert url_host(url) == host
    assert not official_url(url)


@pytest.mark.parametrize("url", MALFORMED)
def test_a_url_that_cannot_be_parsed_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        official_url(url)
    assert info.value.hint == "write it as https://HOST/PATH"


def test_errors_never_repeat_the_userinfo() -> None:
    with pytest.raises(ConfigError) as info:
        url_host("https://user:s3cret@[pypi.org/")
    assert "s3cret" not in info.value.message


@pytest.mark.parametrize("host", ["PyPI.org", "pypi.org.", "pypi.org..", "pypi\u3002org"])
def test_normalise_host_folds_case_dots_and_trailing_dots(host: str) -> None:
    assert normalise_host(host) == "pypi.org"
    assert official_host(normalise_host(host))


# URLs whose parse a client might read differently from urllib: tagship must never call a
# URL non-official that httpx, which sends the requests, would send to PyPI
TRICKY = (
    *SPELLINGS,
    *NOT_OFFICIAL,
    "https://pypi.org\\@evil.example/",
    "https://evil.example#@pypi.org/",
    "https://evil.example?@pypi.org/",
    "https://a@b@pypi.org/",
    "https://:@pypi.org/",
    "https://pypi.org:/x",
    "https://pypi.org:0443/",
    "//pypi.org/simple/",
    "HTTPS://PYPI.ORG/",
    "https://evil%2f@pypi.org/",
    "https://pypi.org%2F@evil.example/",
    "https://\u00df.pypi.org/",
    "https://127.0.0.1.nip.io/",
)


@pytest.mark.parametrize("url", TRICKY)
def test_what_httpx_would_send_to_pypi_is_official_here(url: str) -> None:
    try:
        sent_to = normalise_host(httpx.URL(url).host)
    except (httpx.InvalidURL, ConfigError):
        return  # httpx would not send it anywhere
    if official_host(sent_to):
        assert official_url(url)


def _index(upload: str, simple: str, *, official: bool = False) -> IndexConfig:
    return IndexConfig("x", upload, simple, official=official)


def test_is_official_by_declaration_or_by_either_address() -> None:
    local = "http://127.0.0.1:1/"
    assert not is_official(_index(local, local))
    assert is_official(_index(local, local, official=True))
    assert is_official(_index("https://upload.pypi.org./legacy/", local))
    assert is_official(_index(local, "https://pypi\uff0eorg/simple/"))
    assert all(is_official(index) for index in BUILTIN_INDEXES.values())


def test_only_github_actions_may_publish_to_an_official_index() -> None:
    index = _index("https://pypi.io/legacy/", "https://pypi.io/simple/")
    for env in ({}, {"CI": "true"}, {"GITHUB_ACTIONS": "1"}, {"GITHUB_ACTIONS": "false"}):
        with pytest.raises(GateError, match="only allowed from GitHub Actions"):
            require_ci_for_official(index, read_run(env))
    require_ci_for_official(index, read_run({"GITHUB_ACTIONS": "true"}))
    require_ci_for_official(_index("http://127.0.0.1:1/", "http://127.0.0.1:1/"), read_run({}))


# -- configuration: what pyproject.toml may say, and what --set may not ----------------------

LOCAL = (
    "[tool.tagship.indexes.local]\nupload-url = 'http://127.0.0.1:1/'\n"
    "simple-url = 'http://127.0.0.1:1/simple/'\nofficial = false\n"
    "[tool.tagship.indexes.prod]\nupload-url = 'http://127.0.0.1:2/'\n"
    "simple-url = 'http://127.0.0.1:2/simple/'\nofficial = true\n"
)


def _load(tmp_path: Path, tool: str = LOCAL, *overrides: str) -> Config:
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[project]\nname = "x"\nversion = "1.0"\n{tool}')
    return load_config(path, load_pyproject(path), overrides=overrides)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("indexes.pypi.official=false", "pypi is declared official and stays so"),
        ("indexes.prod.official=false", "prod is declared official and stays so"),
        ("indexes={prod={official=false}}", "prod is declared official and stays so"),
        ("indexes.prod={official=false}", "prod is declared official and stays so"),
        ("indexes.pypi.upload-url=http://127.0.0.1:9/", "URLs of the official index pypi"),
        ("indexes.testpypi.simple-url=http://127.0.0.1:9/", "URLs of the official index"),
        ("indexes.prod.upload-url=http://127.0.0.1:9/", "URLs of the official index prod"),
        ("indexes.local.upload-url=https://pypi.org./legacy/", "pypi.org is an address of PyPI"),
        ("indexes.local.simple-url=https://2539978975/", "151.101.0.223 is an address of"),
        (
            "indexes.new={upload-url='https://test.pypi.io/', simple-url='http://127.0.0.1:1/'}",
            "test.pypi.io is an address of",
        ),
    ],
)
def test_set_never_loosens_an_official_index(tmp_path: Path, override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, LOCAL, override)


def test_set_may_tighten_and_may_change_local_indexes(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        LOCAL,
        "indexes.local.official=true",
        "indexes.pypi.official=true",
        "indexes.pypi.upload-url=https://upload.pypi.org/legacy/",  # the same value
        "indexes.new.upload-url=http://127.0.0.1:3/",
        "indexes.new.simple-url=http://127.0.0.1:3/simple/",
        "indexes.new.official=true",
    )
    assert config.index("local").official
    assert config.index("new").official
    assert config.overridden == [
        "indexes.local.official",
        "indexes.new.official",
        "indexes.new.simple-url",
        "indexes.new.upload-url",
        "indexes.pypi.official",
        "indexes.pypi.upload-url",
    ]
    moved = _load(tmp_path, LOCAL, "indexes.local.upload-url=http://127.0.0.1:4/")
    assert moved.index("local").upload_url == "http://127.0.0.1:4/"


def test_the_committed_file_may_declare_anything_but_cannot_make_pypi_local(
    tmp_path: Path,
) -> None:
    tool = (
        "[tool.tagship.indexes.pypi]\nupload-url = 'http://127.0.0.1:1/'\n"
        "simple-url = 'http://127.0.0.1:1/simple/'\nofficial = false\n"
        "[tool.tagship.indexes.mirror]\nupload-url = 'https://pypi.org./legacy/'\n"
        "simple-url = 'https://pypi.org./simple/'\nofficial = false\n"
    )
    config = _load(tmp_path, tool)
    assert not is_official(config.index("pypi"))  # moved to loopback in the committed file
    assert is_official(config.index("mirror"))  # declared local, but PyPI by address


@pytest.mark.parametrize("url", ["http://[::1/", "https://pypi..org/", "https://h:99999/"])
@pytest.mark.parametrize("key", ["upload-url", "simple-url"])
def test_malformed_index_urls_are_refused_when_the_config_loads(
    tmp_path: Path, url: str, key: str
) -> None:
    tool = LOCAL.replace(f"{key} = 'http://127.0.0.1:1/", f"{key} = '{url}").replace(
        f"{url}simple/", url
    )
    with pytest.raises(ConfigError, match=rf"`tool\.tagship\.indexes\.local\.{key}` in "):
        _load(tmp_path, tool)
    with pytest.raises(ConfigError, match=rf"`tool\.tagship\.indexes\.local\.{key}` given with"):
        _load(tmp_path, LOCAL, f"indexes.local.{key}={url}")
