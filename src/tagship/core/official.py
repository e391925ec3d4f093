"""Which indexes are official: declared so, or PyPI's or TestPyPI's by address however the
address is spelled. Official indexes only take uploads from GitHub Actions.

Names are compared, never resolved: a host is normalised the way resolvers and HTTP clients
read it (case, IDNA, every Unicode dot, trailing dot, percent-escapes, userinfo, port) and
then matched against PyPI's domains. An IP literal is official unless it is loopback, since
no name says where it leads.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

from tagship.core.errors import ConfigError, GateError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.core.ci_run import CIRun


class Index(Protocol):
    """What these rules read of an index (core.config's IndexConfig, which imports them)."""

    @property
    def name(self) -> str: ...

    @property
    def upload_url(self) -> str: ...

    @property
    def simple_url(self) -> str: ...

    @property
    def official(self) -> bool: ...


# these names and every name below them reach PyPI or TestPyPI: pypi.org (upload., test.,
# www.), the pypi.io aliases, the python.org names of old, and PyPI's file host
OFFICIAL_DOMAINS = (
    "pypi.org",
    "pypi.io",
    "pypi.python.org",
    "testpypi.python.org",
    "pythonhosted.org",
)
# IDNA separators besides "." (UTS 46): ideographic, fullwidth and halfwidth full stops
_DOTS = str.maketrans(dict.fromkeys("\u3002\uff0e\uff61", "."))
_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
# one part of an inet_aton address: hex, octal or decimal, as resolvers read it
_PART = re.compile(r"0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*")
_MAX_PARTS = 4
_HINT = "write it as https://HOST/PATH"
_OCTET = 256
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _part_value(part: str) -> int:
    if part.startswith("0x"):
        return int(part[2:] or "0", 16)
    return int(part, 8 if part.startswith("0") else 10)


def _inet_aton(name: str) -> ipaddress.IPv4Address | None:
    """`2130706433`, `0x7f.1`, `0177.0.0.1`: the IPv4 forms resolvers accept besides dotted
    decimal (the last part fills the remaining bytes); None for a name."""
    parts = name.split(".")
    if len(parts) > _MAX_PARTS or not all(_PART.fullmatch(p) for p in parts):
        return None
    numbers = [_part_value(p) for p in parts]
    *head, last = numbers
    if any(n >= _OCTET for n in head) or last >= _OCTET ** (_MAX_PARTS + 1 - len(numbers)):
        return None
    value = last
    for position, number in enumerate(head):
        value += number << (8 * (_MAX_PARTS - 1 - position))
    return ipaddress.IPv4Address(value)


def normalise_host(host: str) -> str:
    """The host as a resolver reads it: a lower-case ASCII name without trailing dot, or an
    IP address in its canonical text. ConfigError for a host no resolver would accept."""
    text = unquote(host).translate(_DOTS)
    if ":" in text:
        try:
            return str(ipaddress.IPv6Address(text))
        except ValueError:
            raise ConfigError(f"{host!r} is not a host name or IP address", hint=_HINT) from None
    text = text.rstrip(".")
    try:
        # IDNA 2003 with nameprep: fullwidth letters, case, soft hyphens fold to ASCII
        name = text.encode("idna").decode("ascii").lower()
    except UnicodeError:
        name = ""
    if not _NAME.fullmatch(name):
        raise ConfigError(f"{host!r} is not a host name or IP address", hint=_HINT)
    address = _inet_aton(name)
    return name if address is None else str(address)


def url_host(url: str) -> str:
    """The normalised host of `url` (userinfo and port dropped); ConfigError when the URL
    cannot be parsed or names no host."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # parsing the port is what rejects `:99999` and `:abc`
    except ValueError as exc:
        # the URL itself is not repeated: its userinfo may hold a password
        raise ConfigError(f"cannot parse the URL: {exc}", hint=_HINT) from None
    if not parts.hostname:
        raise ConfigError("the URL names no host", hint=_HINT)
    return normalise_host(parts.hostname)


def check_index_url(key: str, url: str, where: str) -> None:
    """An index URL is parsed once, when the configuration loads, so no later step meets one
    it cannot read: ConfigError naming the key and where it was written."""
    try:
        url_host(url)
    except ConfigError as exc:
        raise ConfigError(f"`{key}` {where}: {exc.message}", hint=exc.hint) from None


def _address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _ip_literal(host: str) -> Address | None:
    """The address a normalised host names, an IPv4-mapped IPv6 one as its IPv4 address."""
    address = _address(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def loopback_host(host: str) -> bool:
    """A normalised host (normalise_host) that stays on this machine: `localhost` or a
    loopback address however written (`127.1`, `0x7f000001`, `::ffff:127.0.0.1`)."""
    address = _ip_literal(host)
    return address.is_loopback if address is not None else host == "localhost"


def official_host(host: str) -> bool:
    """A normalised host (normalise_host) that reaches PyPI or TestPyPI, or may: any IP
    literal that is not loopback."""
    address = _ip_literal(host)
    if address is not None:
        return not address.is_loopback
    return any(host == d or host.endswith(f".{d}") for d in OFFICIAL_DOMAINS)


def official_url(url: str) -> bool:
    """`url` points at PyPI or TestPyPI (or a non-loopback IP), however it is spelled."""
    return official_host(url_host(url))


def is_official(index: Index) -> bool:
    """Declared official, or pointing at PyPI or TestPyPI whatever the declaration says."""
    return index.official or any(official_url(u) for u in (index.upload_url, index.simple_url))


def require_ci_for_official(index: Index, ci: CIRun) -> None:
    """Official indexes (PyPI, TestPyPI) only take uploads from a CI host's job."""
    if is_official(index) and ci.host is None:
        raise GateError(
            f"publishing to {index.name} (an official index) is only allowed from GitHub Actions",
            hint="push the release tag and let the publish workflow upload; "
            "locally, publish to a non-official index",
        )


def _changed_urls(old: Index | None, new: Index) -> dict[str, str]:
    """The URL keys `--set` gave `new` a value other than `old`'s, with that value."""
    urls = {"upload-url": new.upload_url, "simple-url": new.simple_url}
    if old is None:
        return urls
    before = {"upload-url": old.upload_url, "simple-url": old.simple_url}
    return {key: url for key, url in urls.items() if url != before[key]}


def check_overrides(before: Mapping[str, Index], after: Mapping[str, Index]) -> None:
    """`--set` may tighten an index, never loosen an official one: it cannot lower
    `official`, change an official index's URLs, or point any index at PyPI or TestPyPI.
    Those belong in the committed pyproject.toml (ConfigError, exit 2)."""
    for name, new in after.items():
        old = before.get(name)
        if new == old:
            continue
        if old is not None and old.official and not new.official:
            raise ConfigError(
                f"--set indexes.{name}.official=false: {name} is declared official and stays so",
                hint="official indexes only take uploads from CI; locally, publish to an index "
                "declared `official = false` in pyproject.toml",
            )
        changed = _changed_urls(old, new)
        if changed and old is not None and is_official(old):
            key = next(iter(changed))
            raise ConfigError(
                f"--set indexes.{name}.{key}: the URLs of the official index {name} cannot be "
                "changed on the command line",
                hint="change them in pyproject.toml and commit, or publish to another index",
            )
        for key, url in changed.items():
            if official_url(url):
                raise ConfigError(
                    f"--set indexes.{name}.{key}: {url_host(url)} is an address of PyPI or "
                    "TestPyPI, which cannot be given on the command line",
                    hint=f"declare [tool.tagship.indexes.{name}] in pyproject.toml",
                )
