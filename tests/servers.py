"""Real local servers and distribution files for tests (import: `from servers import ...`).

- `running_pypiserver(directory)`: a pypiserver on a free loopback port, stopped on exit.
- `make_wheel` / `make_sdist`: tiny but valid distribution files, written directly (no
  build backend), so each test can have as many versions as it needs in milliseconds.
- `twine_upload`: plain twine, i.e. an upload that tagship did not make.
"""

from __future__ import annotations

import base64
import hashlib
import io
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    from collections.abc import Iterator

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class PypiServer:
    """A running pypiserver: upload by POST to `upload_url`, read at `simple_url`."""

    url: str
    directory: Path

    @property
    def simple_url(self) -> str:
        return f"{self.url}/simple/"

    @property
    def upload_url(self) -> str:
        return f"{self.url}/"  # pypiserver 2.4 takes uploads at / (/legacy/ answers 405)


@contextmanager
def running_pypiserver(directory: Path, timeout: float = 20.0) -> Iterator[PypiServer]:
    """Start pypiserver without authentication and without a fallback to pypi.org."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [str(BIN / "pypi-server"), "run", "-p", str(port), "-i", "127.0.0.1"]
    args += ["-a", ".", "-P", ".", "--disable-fallback", "--hash-algo", "sha256", str(directory)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                msg = f"pypiserver exited with {process.returncode}: {stderr[-2000:]}"
                raise RuntimeError(msg)
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                msg = f"pypiserver did not answer on {url} within {timeout} s"
                raise RuntimeError(msg)
            time.sleep(0.1)
        yield PypiServer(url, directory)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _metadata(name: str, version: str) -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: test\n\n"


def make_wheel(directory: Path, name: str, version: str, payload: str = "") -> Path:
    """A pure-Python wheel with one module, METADATA, WHEEL and a matching RECORD."""
    stem = f"{canonicalize_name(name).replace('-', '_')}-{version}"
    info = f"{stem}.dist-info"
    module = canonicalize_name(name).replace("-", "_")
    files = {
        f"{module}/__init__.py": f"VERSION = {version!r}\n{payload}",
        f"{info}/METADATA": _metadata(name, version),
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = hashlib.sha256(text.encode()).digest()
        b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record.append(f"{path},sha256={b64},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    target = directory / f"{stem}-py3-none-any.whl"
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as archive:
        for path, text in files.items():
            archive.writestr(zipfile.ZipInfo(path, (2020, 1, 1, 0, 0, 0)), text)
    return target


def make_sdist(directory: Path, name: str, version: str, payload: str = "") -> Path:
    """An sdist holding PKG-INFO and a pyproject.toml."""
    stem = f"{canonicalize_name(name).replace('-', '_')}-{version}"
    files = {
        f"{stem}/PKG-INFO": _metadata(name, version),
        f"{stem}/pyproject.toml": f'[project]\nname = "{name}"\nversion = "{version}"\n'
        f"# {payload}\n",
    }
    target = directory / f"{stem}.tar.gz"
    directory.mkdir(parents=True, exist_ok=True)
    with tarfile.open(target, "w:gz") as archive:
        for path, text in files.items():
            data = text.encode()
            member = tarfile.TarInfo(path)
            member.size, member.mtime = len(data), 1577836800
            archive.addfile(member, io.BytesIO(data))
    return target


def twine_upload(server: PypiServer, *files: Path) -> None:
    """Upload with plain twine, as someone bypassing tagship would."""
    args = [str(BIN / "twine"), "upload", "--non-interactive", "--disable-progress-bar"]
    args += ["--repository-url", server.upload_url, "-u", "anyone", "-p", "anything"]
    done = subprocess.run(
        [*args, *map(str, files)], capture_output=True, text=True, check=False, timeout=120
    )
    if done.returncode != 0:
        msg = f"twine upload failed: {done.stdout[-1500:]}{done.stderr[-1500:]}"
        raise RuntimeError(msg)
