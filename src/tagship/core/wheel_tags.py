"""Which wheel platform tags PyPI accepts, and which wheels of one release collide.

The rules follow PyPI's upload check (warehouse `forklift/legacy.py`), stricter in one place:
no `linux_*` tag at all (PyPI still takes `linux_armv6l`/`linux_armv7l` for historical reasons,
but such a wheel promises nothing about the C library it needs). Versions are checked for
sanity too: glibc 2.5 (manylinux1's) to 2.80, musl 1.x, macOS 10.0 to 10.16, 11 to 15 and 26
to 39, iOS 12 or later (PEP 730), Android API level 21 or later (PEP 738).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion

if TYPE_CHECKING:
    from collections.abc import Iterable

    from packaging.tags import Tag

# repair Linux wheels, or build them where they come out right
LINUX_FIX = (
    "repair it into a manylinux wheel with auditwheel (tagship build runs `auditwheel repair` "
    "when it is installed: pip install 'tagship[compiled]'), or build the wheels with "
    "cibuildwheel (`tagship init` writes that build for a compiled project)"
)

_EXACT = frozenset(
    {
        "any",
        "win32",
        "win_amd64",
        "win_arm64",
        "win_ia64",
        "manylinux1_x86_64",
        "manylinux1_i686",
        "manylinux2010_x86_64",
        "manylinux2010_i686",
        *(
            f"manylinux2014_{arch}"
            for arch in ("x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x")
        ),
    }
)
_LINUX_ARCHES = frozenset({"x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x", "riscv64"})
_MANYLINUX_ARCHES = _LINUX_ARCHES | {"ppc64"}
_MACOS_ARCHES = frozenset(
    {"x86_64", "arm64", "universal2", "intel", "i386", "ppc", "ppc64"}
    | {"fat", "fat3", "fat32", "fat64", "universal"}
)
_IOS_TARGETS = frozenset({"arm64_iphoneos", "arm64_iphonesimulator", "x86_64_iphonesimulator"})
_ANDROID_ARCHES = frozenset({"armeabi_v7a", "arm64_v8a", "x86", "x86_64"})
# a bound far beyond any glibc released (2.43 in 2026) that still catches a typo
_NEWEST_GLIBC_MINOR = 80
_FIRST_GLIBC_MINOR = 5  # manylinux1 is glibc 2.5
_MACOS_10_LAST_MINOR = 16  # Big Sur calls itself 10.16 to old tools
_MACOS_MAJORS = frozenset({*range(11, 16), *range(26, 40)})  # after 15 Apple went to 26
_FIRST_IOS = 12
_FIRST_ANDROID_API = 21

_LINUX = re.compile(r"(many|musl)linux_(\d+)_(\d+)_(\w+)")
_MACOS = re.compile(r"macosx_(\d+)_(\d+)_(\w+)")
_IOS = re.compile(r"ios_(\d+)_(\d+)_(\w+)")
_ANDROID = re.compile(r"android_(\d+)_(\w+)")


def _linux_reason(libc: str, major: int, minor: int, arch: str) -> str | None:
    if libc == "many":
        if major != 2 or not _FIRST_GLIBC_MINOR <= minor <= _NEWEST_GLIBC_MINOR:  # noqa: PLR2004
            return f"glibc {major}.{minor} does not exist"
        arches = _MANYLINUX_ARCHES
    else:
        if major != 1:
            return f"musl {major}.{minor} does not exist"
        arches = _LINUX_ARCHES
    return None if arch in arches else f"PyPI knows no architecture {arch!r}"


def _reason(platform: str) -> str | None:
    if found := _LINUX.fullmatch(platform):
        libc, major, minor, arch = found.groups()
        return _linux_reason(libc, int(major), int(minor), arch)
    if found := _MACOS.fullmatch(platform):
        major, minor, arch = int(found[1]), int(found[2]), found[3]
        if arch not in _MACOS_ARCHES:
            return f"PyPI knows no architecture {arch!r}"
        known = major in _MACOS_MAJORS or (major == 10 and minor <= _MACOS_10_LAST_MINOR)  # noqa: PLR2004
        return None if known else f"macOS {major}.{minor} does not exist"
    if found := _IOS.fullmatch(platform):
        known = int(found[1]) >= _FIRST_IOS and found[3] in _IOS_TARGETS
        return None if known else "that is no iOS platform of PEP 730"
    if found := _ANDROID.fullmatch(platform):
        known = int(found[1]) >= _FIRST_ANDROID_API and found[2] in _ANDROID_ARCHES
        return None if known else "that is no Android platform of PEP 738"
    return "PyPI accepts no such platform"


def platform_problem(platform: str) -> str | None:
    """Why PyPI refuses (or tagship refuses to publish) a wheel of `platform`; None when the
    platform tag is accepted."""
    if platform in _EXACT:
        return None
    if platform.startswith("linux_"):
        return f"is tagged {platform}, which PyPI refuses: {LINUX_FIX}"
    reason = _reason(platform)
    return None if reason is None else f"is tagged {platform}: {reason}"


def tag_problems(tags: Iterable[Tag]) -> list[str]:
    """The problems of a wheel's platform tags, once each."""
    platforms = sorted({tag.platform for tag in tags})
    return [problem for p in platforms if (problem := platform_problem(p)) is not None]


def colliding_wheels(names: Iterable[str]) -> list[tuple[str, str, Tag]]:
    """Pairs of wheels (by file name) that claim one tag: an installer would take either, so
    the release would install differently by chance. One pair per colliding tag; names that
    do not parse are left out (verification reports them on their own)."""
    claims: defaultdict[Tag, list[str]] = defaultdict(list)
    for name in names:
        try:
            tags = parse_wheel_filename(name)[3]
        except (InvalidWheelFilename, InvalidVersion):
            continue
        for tag in tags:
            claims[tag].append(name)
    pairs: dict[tuple[str, str], Tag] = {}
    for tag in sorted(claims, key=str):
        names_of = sorted(claims[tag])
        for other in names_of[1:]:
            pairs.setdefault((names_of[0], other), tag)
    return [(first, second, tag) for (first, second), tag in sorted(pairs.items())]
