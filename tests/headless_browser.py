"""A real headless Chromium for the tests that look at a page (import: `from headless_browser
import ...`), and a tiny PNG reader for its screenshots (zlib from the standard library).

Chromium comes from PATH, else from Debian's packages unpacked into a cache beside the
virtual environment (`apt-get download` + `dpkg-deb -x`: no root, nothing installed on the
machine), so a fresh CI machine gets one by itself. When neither works the test is skipped
with the reason, never passed.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

# beside the project's .venv, so `make clean` drops it; TAGSHIP_TEST_BROWSER_CACHE moves it
CACHE = Path(
    os.environ.get("TAGSHIP_TEST_BROWSER_CACHE")
    or Path(__file__).resolve().parent.parent / ".venv" / "chromium"
)
_BINARY = Path("usr/lib/chromium/chromium")
_TIMEOUT = 300


@dataclass(frozen=True)
class Browser:
    """How to start Chromium: its program and the environment it needs (its libraries)."""

    program: Path
    env: dict[str, str]

    def run(self, *args: str, profile: Path) -> subprocess.CompletedProcess[str]:
        """Chromium headless on a page, with a throwaway profile and no host name resolving:
        a page that needs the network shows it."""
        command = [
            str(self.program),
            "--headless",
            "--no-sandbox",  # root in a container has no user namespace sandbox
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            *args,
        ]
        return subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=120, check=False
        )


def _run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT, check=False
    )


def _unpacked(root: Path) -> Browser:
    libraries = sorted({str(p.parent) for p in root.rglob("*.so*") if p.is_file()})
    env = {**os.environ, "LD_LIBRARY_PATH": ":".join(libraries)}
    return Browser(root / _BINARY, env)


def _missing_packages() -> list[str]:
    """What `apt-get install chromium` would add to this machine: chromium and the
    libraries it lacks (a simulation: nothing is installed)."""
    plan = _run(["apt-get", "install", "-s", "--no-install-recommends", "chromium"])
    if plan.returncode != 0:
        tail = (plan.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(
            f"no Chromium: apt-get cannot plan it ({tail}); apt-get update, or install chromium"
        )
    return [line.split()[1] for line in plan.stdout.splitlines() if line.startswith("Inst ")]


def _provision() -> Browser:
    """Download Debian's chromium and the libraries this machine lacks, unpack them into a
    fresh directory and move it into place whole (concurrent runs never see half)."""
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        pytest.skip("no Chromium on PATH and no apt-get/dpkg-deb to unpack Debian's")
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE.parent, prefix=".chromium-") as scratch:
        debs, root = Path(scratch, "debs"), Path(scratch, "root")
        debs.mkdir()
        got = _run(["apt-get", "download", *_missing_packages()], cwd=debs)
        if got.returncode != 0:
            tail = (got.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"no Chromium: apt-get download failed ({tail}); install chromium")
        for deb in sorted(debs.glob("*.deb")):
            unpacked = _run(["dpkg-deb", "-x", str(deb), str(root)])
            assert unpacked.returncode == 0, unpacked.stderr
        if not (root / _BINARY).is_file():
            pytest.skip("no Chromium: Debian's package holds no usr/lib/chromium/chromium")
        try:
            root.rename(CACHE)
        except OSError:  # another run put one in place first
            assert (CACHE / _BINARY).is_file()
    return _unpacked(CACHE)


def chromium() -> Browser:
    """Chromium on PATH, else the cached unpacked one, else one unpacked now."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found is not None:
            return Browser(Path(found), dict(os.environ))
    if (CACHE / _BINARY).is_file():
        return _unpacked(CACHE)
    return _provision()


@dataclass(frozen=True)
class Image:
    """A decoded screenshot: its size and its pixels as (r, g, b) rows."""

    width: int
    height: int
    pixels: list[tuple[int, int, int]]

    def colours(self) -> Counter[tuple[int, int, int]]:
        return Counter(self.pixels)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(kind: int, line: bytearray, previous: bytes, step: int) -> bytearray:
    """One scanline back from its PNG filter (0 none, 1 sub, 2 up, 3 average, 4 paeth)."""
    if kind == 2:
        return bytearray((x + y) & 0xFF for x, y in zip(line, previous, strict=True))
    for i in range(len(line)):
        left = line[i - step] if i >= step else 0
        up, corner = previous[i], previous[i - step] if i >= step else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
    return line


def read_png(data: bytes) -> Image:
    """An 8-bit RGB or RGBA PNG (what Chromium writes), non-interlaced."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat, header = 8, bytearray(), b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0), "only 8-bit, non-interlaced PNGs"
    step = {2: 3, 6: 4}[colour]
    raw, stride = zlib.decompress(bytes(idat)), width * step
    previous, pixels = bytes(stride), list[tuple[int, int, int]]()
    for row in range(height):
        start = row * (stride + 1)
        line = _unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, step)
        pixels += [(line[i], line[i + 1], line[i + 2]) for i in range(0, stride, step)]
        previous = bytes(line)
    return Image(width, height, pixels)
