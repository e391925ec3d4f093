"""A local package index (pypiserver) on a free loopback port: the demo's TestPyPI and PyPI."""

from __future__ import annotations

import socket
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.http import Http, RetryPolicy
from tagship.adapters.installed_from import requirement
from tagship.adapters.process import Service
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from collections.abc import Iterator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class LocalIndex:
    """A running pypiserver: uploads by POST to `upload_url`, reads at `simple_url`."""

    url: str
    directory: Path

    @property
    def simple_url(self) -> str:
        return f"{self.url}/simple/"

    @property
    def upload_url(self) -> str:
        return f"{self.url}/"  # pypiserver 2.4 takes uploads at / (/legacy/ answers 405)


def _pypi_server() -> Path:
    found = Path(sys.executable).parent / "pypi-server"
    if not found.is_file():
        raise ConfigError(
            "pypiserver is not installed next to tagship",
            hint="install tagship with its demo extra: "
            f"pip install {requirement('demo')} (or: uv tool install {requirement('demo')})",
        )
    return found


@contextmanager
def running_index(
    directory: Path, timeout: float = 20.0, *, fallback: bool = False
) -> Iterator[LocalIndex]:
    """pypiserver without authentication, stopped on exit; with `fallback`, projects it lacks
    are redirected to pypi.org, as pypiserver does by default."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [str(_pypi_server()), "run", "-p", str(port), "-i", "127.0.0.1", "-a", ".", "-P", "."]
    args += [*([] if fallback else ["--disable-fallback"]), "--hash-algo", "sha256"]
    args.append(str(directory))
    service = Service(args)
    url = f"http://127.0.0.1:{port}"
    probe = Http(RetryPolicy(attempts=1, timeout=1.0))
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(probe, url):
            failure = service.exited()
            if failure is not None:
                raise ServiceError(f"pypiserver stopped at start-up ({failure})")
            if time.monotonic() > deadline:
                raise ServiceError(f"pypiserver did not answer on {url} within {timeout:g} s")
            time.sleep(0.1)
        yield LocalIndex(url, directory)
    finally:
        probe.close()
        service.stop()


def _healthy(http: Http, url: str) -> bool:
    try:
        return http.get(f"{url}/health").status_code == 200  # noqa: PLR2004
    except ServiceError:
        return False
