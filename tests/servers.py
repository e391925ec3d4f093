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
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from packaging.utils import canonicalize_name

# the demo's own local index serves the tests too
from tagship.adapters.local_index import LocalIndex as PypiServer
from tagship.adapters.local_index import free_port
from tagship.adapters.local_index import running_index as running_pypiserver

__all__ = [
    "PypiServer",
    "free_port",
    "make_sdist",
    "make_wheel",
    "running_pypiserver",
    "twine_upload",
]

BIN = Path(sys.executable).parent


def _metadata(name: str, version: str) -> str:
    # a long description too: publishing verifies the files as `verify-artifacts` does
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: test\n\nA test.\n"


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
