"""Which wheel platform tags PyPI accepts (core/wheel_tags.py), and which wheels collide."""

from __future__ import annotations

import pytest
from packaging.tags import Tag

from tagship.core.wheel_tags import colliding_wheels, platform_problem, tag_problems

REFUSED = {
    "linux_x86_64": "is tagged linux_x86_64, which PyPI refuses: repair it into a manylinux "
    "wheel with auditwheel (tagship build runs `auditwheel repair` when it is installed: "
    "pip install 'tagship[compiled]'), or build the wheels with cibuildwheel (`tagship init` "
    "writes that build for a compiled project)",
    "linux_armv7l": "is tagged linux_armv7l, which PyPI refuses: repair it",
    "manylinux_2_99_x86_64": "is tagged manylinux_2_99_x86_64: glibc 2.99 does not exist",
    "manylinux_2_4_x86_64": "is tagged manylinux_2_4_x86_64: glibc 2.4 does not exist",
    "manylinux_2_17_sparc": "is tagged manylinux_2_17_sparc: PyPI knows no architecture 'sparc'",
    "manylinux2014_riscv64": "is tagged manylinux2014_riscv64: PyPI accepts no such platform",
    "musllinux_2_0_aarch64": "is tagged musllinux_2_0_aarch64: musl 2.0 does not exist",
    "musllinux_1_2_ppc64": "is tagged musllinux_1_2_ppc64: PyPI knows no architecture 'ppc64'",
    "macosx_16_0_arm64": "is tagged macosx_16_0_arm64: macOS 16.0 does not exist",
    "macosx_10_17_x86_64": "is tagged macosx_10_17_x86_64: macOS 10.17 does not exist",
    "macosx_14_0_aarch64": "is tagged macosx_14_0_aarch64: PyPI knows no architecture 'aarch64'",
    "ios_13_0_x86_64_iphoneos": "is tagged ios_13_0_x86_64_iphoneos: that is no iOS platform",
    "ios_11_0_arm64_iphoneos": "is tagged ios_11_0_arm64_iphoneos: that is no iOS platform",
    "android_19_arm64_v8a": "is tagged android_19_arm64_v8a: that is no Android platform",
    "android_24_mips": "is tagged android_24_mips: that is no Android platform",
    "freebsd_14_0_amd64": "is tagged freebsd_14_0_amd64: PyPI accepts no such platform",
    "win_amd32": "is tagged win_amd32: PyPI accepts no such platform",
}
ACCEPTED = (
    "any",
    "manylinux1_x86_64",
    "manylinux2010_i686",
    "manylinux2014_ppc64",
    "manylinux_2_5_x86_64",
    "manylinux_2_17_aarch64",
    "manylinux_2_28_riscv64",
    "musllinux_1_1_x86_64",
    "musllinux_1_2_armv7l",
    "macosx_10_9_universal2",
    "macosx_10_16_x86_64",
    "macosx_11_0_arm64",
    "macosx_15_0_x86_64",
    "macosx_26_0_arm64",
    "win32",
    "win_amd64",
    "win_arm64",
    "ios_13_0_arm64_iphoneos",
    "ios_13_0_arm64_iphonesimulator",
    "ios_13_0_x86_64_iphonesimulator",
    "android_21_armeabi_v7a",
    "android_24_x86_64",
)


@pytest.mark.parametrize("platform", list(REFUSED))
def test_platforms_pypi_refuses(platform: str) -> None:
    problem = platform_problem(platform)
    assert problem is not None
    assert problem.startswith(REFUSED[platform])


@pytest.mark.parametrize("platform", ACCEPTED)
def test_platforms_pypi_accepts(platform: str) -> None:
    assert platform_problem(platform) is None


def test_each_platform_of_a_wheel_is_judged_once() -> None:
    tags = [Tag("cp312", "cp312", "linux_x86_64"), Tag("cp311", "cp311", "linux_x86_64")]
    tags.append(Tag("cp312", "cp312", "manylinux_2_17_x86_64"))
    assert [p.split(",")[0] for p in tag_problems(tags)] == ["is tagged linux_x86_64"]


def test_wheels_that_claim_one_tag_collide() -> None:
    names = [
        "x-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        "x-1.0-cp312-cp312-manylinux_2_28_x86_64.whl",  # another glibc: installers pick
        "x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        "x-1.0-py3-none-any.whl",
        "not-a-wheel-name.whl",  # reported on its own by verification
    ]
    collisions = colliding_wheels(names)
    assert [(a, b, str(tag)) for a, b, tag in collisions] == [
        (names[0], names[1], "cp312-cp312-manylinux_2_17_x86_64")
    ]
    assert colliding_wheels(names[2:]) == []
