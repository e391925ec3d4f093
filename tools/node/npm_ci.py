"""Install the packages of package-lock.json into a directory, as `npm ci` would, without npm.

`make test` runs it on a machine that has Python, git and make and nothing else: each tarball
named in the lock is downloaded from its `resolved` URL, checked against its `integrity`
(sha512) before anything is unpacked, and extracted to `TARGET/node_modules/<name>`. A package
already there at the locked version is left alone, so a second run costs nothing.

Usage: python tools/node/npm_ci.py TARGET
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

LOCK = Path(__file__).with_name("package-lock.json")


def _installed_version(folder: Path) -> str | None:
    try:
        data = json.loads((folder / "package.json").read_text())
    except (OSError, ValueError):
        return None
    version = data.get("version")
    return version if isinstance(version, str) else None


def _download(url: str, integrity: str) -> bytes:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512" or not url.startswith("https://"):
        raise SystemExit(f"{LOCK}: {url} must be https with a sha512 integrity")
    with urllib.request.urlopen(url, timeout=300) as answer:  # noqa: S310 - https checked above
        data: bytes = answer.read()
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{url}: sha512 {actual} differs from the lock's {expected}")
    return data


def _unpack(data: bytes, folder: Path) -> None:
    # npm tarballs hold one top folder (`package/` by convention): its contents become the package
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        archive.extractall(staging, filter="tar")
    (top,) = staging.iterdir()
    shutil.rmtree(folder, ignore_errors=True)
    top.rename(folder)
    staging.rmdir()


def install(target: Path) -> list[str]:
    """Install every locked package missing from `target`; the names installed."""
    lock = json.loads(LOCK.read_text())
    done = []
    for key, entry in lock["packages"].items():
        if not key:
            continue
        folder = target / key
        if _installed_version(folder) == entry["version"]:
            continue
        folder.parent.mkdir(parents=True, exist_ok=True)
        _unpack(_download(entry["resolved"], entry["integrity"]), folder)
        done.append(f"{key.removeprefix('node_modules/')}@{entry['version']}")
    return done


if __name__ == "__main__":
    if len(sys.argv) != 2:  # noqa: PLR2004 - the one argument
        raise SystemExit(__doc__)
    for name in install(Path(sys.argv[1])):
        print(f"installed {name}")
