"""Tag <-> version rules and bumps, as pure functions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.version import Version

from tagship.core.errors import ConfigError, GateError, UsageError
from tagship.core.version_source import VersionSource
from tagship.core.versions import (
    bump,
    check_tag,
    next_version,
    scm_version,
    tag_for,
    tag_glob,
    validate_tag_format,
    version_from_tag,
)


@pytest.mark.parametrize(
    ("tag", "version"),
    [
        ("v0.4.22", "0.4.22"),
        ("v0.4.22-rc.1", "0.4.22rc1"),
        ("v0.4.22rc1", "0.4.22rc1"),
        ("v1.0.0.post2", "1.0.0.post2"),
        ("refs/tags/v2.0.0", "2.0.0"),
        ("v1.0.0-alpha.3", "1.0.0a3"),
    ],
)
def test_matching_tags_pass(tag: str, version: str) -> None:
    check_tag(tag, Version(version), "v{version}")


@pytest.mark.parametrize("version", ["0.4.23", "0.4.22.post1", "0.4.220", "0.4.2", "0.4.22.0"])
def test_v0_4_22_never_matches_another_version(version: str) -> None:
    with pytest.raises(GateError, match=r"expected tag v"):
        check_tag("v0.4.22", Version(version), "v{version}")


def test_mismatch_message_names_both_sides() -> None:
    with pytest.raises(GateError) as info:
        check_tag("v0.4.23", Version("0.4.22"), "v{version}")
    assert info.value.message == (
        "tag v0.4.23 does not match pyproject version 0.4.22 (expected tag v0.4.22)"
    )
    assert info.value.exit_code == 1


def test_local_versions_are_refused_even_when_tag_matches() -> None:
    with pytest.raises(GateError, match="local part"):
        check_tag("v1.0+abc", Version("1.0+abc"), "v{version}")


@pytest.mark.parametrize("tag", ["0.4.22", "release-0.4.22", "v", "vfoo", "v0.4.22-"])
def test_tags_in_the_wrong_format_are_usage_errors(tag: str) -> None:
    with pytest.raises(UsageError) as info:
        version_from_tag(tag, "v{version}")
    assert info.value.exit_code == 2
    assert "v1.2.3" in (info.value.hint or "")


def test_custom_tag_format() -> None:
    assert tag_for(Version("1.2.3"), "charmos-{version}") == "charmos-1.2.3"
    assert version_from_tag("charmos-1.2.3", "charmos-{version}") == Version("1.2.3")
    assert tag_glob("charmos-{version}") == "charmos-*"


@pytest.mark.parametrize("fmt", ["v", "v{version}{version}", "v{ver}", "{version}-{x}"])
def test_invalid_tag_formats(fmt: str) -> None:
    with pytest.raises(ConfigError):
        validate_tag_format(fmt)


@pytest.mark.parametrize(
    "fmt",
    [
        "{version}}",
        "v {version}",
        "-{version}",
        "/{version}",
        "rel..{version}",
        "{version}.",
        "{version}/",
        "rel//{version}",
        "rel/.v{version}",
        "{version}.lock",
        "v{version}~1",
        "v{version}:x",
        "v{version}^",
        "v{version}?",
        "v{version}*",
        "v\\{version}",
        "vé{version}",
    ],
)
def test_tag_formats_that_make_names_git_rejects(fmt: str) -> None:
    with pytest.raises(ConfigError, match="makes tag names git rejects"):
        validate_tag_format(fmt)


@pytest.mark.parametrize(
    ("fmt", "tag"),
    [
        ("{version}", "1.2.3"),
        ("v{version}", "v1.2.3"),
        ("release/v{version}", "release/v1.2.3"),
        ("my_pkg-{version}+final", "my_pkg-1.2.3+final"),
        ("V.{version}", "V.1.2.3"),
        ("pkg@{version}", "pkg@1.2.3"),  # git refuses `@{`, which a version never follows
    ],
)
def test_tag_formats_git_accepts(fmt: str, tag: str) -> None:
    assert tag_for(Version("1.2.3"), fmt) == tag


def test_expected_tag_is_normalised() -> None:
    assert tag_for(Version("0.4.22-rc.1"), "v{version}") == "v0.4.22rc1"


@pytest.mark.parametrize(
    ("current", "part", "expected"),
    [
        ("0.4.22", "patch", "0.4.23"),
        ("0.4.22", "minor", "0.5.0"),
        ("0.4.22", "major", "1.0.0"),
        ("0.4.22", "rc", "0.4.23rc1"),
        ("0.4.23rc1", "rc", "0.4.23rc2"),
        ("0.4.23rc2", "release", "0.4.23"),
        ("0.4.23rc2", "patch", "0.4.23"),
        ("0.5.0rc1", "minor", "0.5.0"),
        ("0.5.1rc1", "minor", "0.6.0"),
        ("1.0.0b2", "major", "1.0.0"),
        ("1.0.0b2", "rc", "1.0.0rc1"),
        ("2", "patch", "2.0.1"),
        ("1.2", "minor", "1.3.0"),
        ("1.2.3.post1", "patch", "1.2.4"),
        ("1.2.3.dev4", "patch", "1.2.3"),
    ],
)
def test_bump(current: str, part: str, expected: str) -> None:
    assert str(next_version(Version(current), part)) == expected


@pytest.mark.parametrize(
    ("current", "part", "expected"),
    [
        ("1.0.0", "alpha", "1.0.1a1"),
        ("1.0.0a1", "alpha", "1.0.0a2"),
        ("1.0.0a2", "beta", "1.0.0b1"),
        ("1.0.0b1", "beta", "1.0.0b2"),
        ("1.0.0b2", "rc", "1.0.0rc1"),
        ("1.0.0.dev3", "alpha", "1.0.0a1"),  # after its own dev releases
        ("1.0.0rc1.dev2", "rc", "1.0.0rc1"),
        ("1.0.0", "post", "1.0.0.post1"),
        ("1.0.0.post1", "post", "1.0.0.post2"),
        ("1.0.0.post1.dev2", "post", "1.0.0.post1"),
        ("1.0.0", "dev", "1.0.1.dev1"),
        ("1.0.0.dev1", "dev", "1.0.0.dev2"),
        ("1.0.0rc1", "dev", "1.0.0rc2.dev1"),
        ("1.0.0.post1.dev1", "dev", "1.0.0.post1.dev2"),
        ("1.0.0rc2", "release", "1.0.0"),
        ("1.0.0.dev2", "release", "1.0.0"),
        ("1.0.0.post1.dev2", "release", "1.0.0.post1"),
    ],
)
def test_pre_and_post_release_bumps(current: str, part: str, expected: str) -> None:
    new = next_version(Version(current), part)
    assert str(new) == expected
    assert new > Version(current)


@pytest.mark.parametrize(
    ("current", "part", "message"),
    [
        ("1.0.0rc1", "alpha", "1.0.0rc1 is a release candidate: an alpha would go backwards"),
        ("1.0.0rc1", "beta", "a beta would go backwards"),
        ("1.0.0b1", "alpha", "1.0.0b1 is a beta: an alpha would go backwards"),
        ("1.0.0rc1", "post", "a post-release follows a final release"),
        ("1.0.0", "release", "already a final release"),
        ("1.0.0.post1", "release", "already a final release"),
    ],
)
def test_pre_release_bumps_never_go_backwards(current: str, part: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        next_version(Version(current), part)


@pytest.mark.parametrize(
    ("current", "part", "expected"),
    [
        # a development release of a post-release comes after the final release
        ("1.0.0.post1.dev2", "patch", "1.0.1"),
        ("1.0.0.post1.dev2", "minor", "1.1.0"),
        ("1.0.0.post1.dev2", "major", "2.0.0"),
        # a post-release of a candidate is still that candidate's
        ("1.0.0rc1.post1", "release", "1.0.0"),
        ("1.0.0rc1.post1.dev1", "release", "1.0.0"),
        # the epoch is kept
        ("2!1.0", "patch", "2!1.0.1"),
        ("2!1.0", "minor", "2!1.1.0"),
        ("2!1.0", "major", "2!2.0.0"),
        ("2!1.0", "rc", "2!1.0.1rc1"),
        ("2!1.0rc1", "rc", "2!1.0.0rc2"),
        ("2!1.0rc1", "release", "2!1.0"),
        ("2!1.0rc1", "beta", None),
        ("2!1.0", "post", "2!1.0.post1"),
        ("2!1.0", "dev", "2!1.0.1.dev1"),
        ("2!1.0.dev1", "alpha", "2!1.0.0a1"),
    ],
)
def test_awkward_versions_bump_forward(current: str, part: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(UsageError, match="would go backwards"):
            next_version(Version(current), part)
        return
    new = next_version(Version(current), part)
    assert str(new) == expected
    assert new > Version(current)


def test_a_post_release_of_a_dev_release_is_refused() -> None:
    """1.0.0.dev3 comes before 1.0.0, which does not exist yet: it has no post-release."""
    with pytest.raises(UsageError) as info:
        next_version(Version("1.0.0.dev3"), "post")
    assert info.value.message == (
        "1.0.0.dev3 is a development release of 1.0.0, which is not released yet: "
        "a post-release follows a final release"
    )
    assert info.value.hint == "bump release (to 1.0.0) instead"


def test_an_explicit_earlier_pre_release_is_refused() -> None:
    with pytest.raises(UsageError, match=r"1\.0\.0a1 is not after the current version 1\.0\.0rc1"):
        next_version(Version("1.0.0rc1"), "1.0.0a1")


def test_release_of_a_final_version_is_refused() -> None:
    with pytest.raises(UsageError, match="already a final release"):
        bump(Version("1.0.0"), "release")


@pytest.mark.parametrize("spec", ["0.4.21", "0.4.22", "0.4.22rc1"])
def test_bump_never_goes_backwards(spec: str) -> None:
    with pytest.raises(UsageError, match="not after"):
        next_version(Version("0.4.22"), spec)


def test_explicit_version_with_a_local_part_is_refused() -> None:
    with pytest.raises(UsageError, match=r"version 1\.2\.3\+local has a local part") as info:
        next_version(Version("0.4.22"), "1.2.3+local")
    assert "1.2.3" in (info.value.hint or "")


def test_explicit_version_and_invalid_spec() -> None:
    assert next_version(Version("0.4.22"), "1.0.0") == Version("1.0.0")
    with pytest.raises(UsageError, match="neither a bump part nor a valid PEP 440"):
        next_version(Version("0.4.22"), "1.0.0-banana")


@pytest.mark.parametrize(
    ("tag_version", "distance", "expected"),
    [
        ("1.2.3", 0, "1.2.3"),
        ("1.2.3", 4, "1.2.4.dev4+gabc1234"),
        ("1.2.3rc1", 2, "1.2.3rc2.dev2+gabc1234"),
        (None, 5, "0.1.dev5+gabc1234"),
    ],
)
def test_scm_version_follows_guess_next_dev(
    tag_version: str | None, distance: int, expected: str
) -> None:
    last = Version(tag_version) if tag_version else None
    assert str(scm_version(last, distance, "abc1234")) == expected


def test_mismatch_names_a_dynamic_source_and_its_hint() -> None:
    about = VersionSource("file", "hatch version path src/p/__about__.py", Path("x"), "x")
    with pytest.raises(GateError) as info:
        check_tag("v1.3.0", Version("1.2.0"), "v{version}", about)
    assert info.value.message == (
        "tag v1.3.0 does not match version 1.2.0 from hatch version path src/p/__about__.py "
        "(expected tag v1.2.0)"
    )
    assert "tagship bump" in (info.value.hint or "")
    scm = VersionSource("scm", "hatch-vcs (git tags)")
    with pytest.raises(GateError) as info:
        check_tag("v1.3.0", Version("1.2.1.dev1+gabc"), "v{version}", scm)
    assert "from hatch-vcs (git tags)" in info.value.message
    assert "tagship bump" not in (info.value.hint or "")
    assert "commit you release" in (info.value.hint or "")
    static = VersionSource("static", "pyproject.toml [project].version", Path("pyproject.toml"))
    with pytest.raises(GateError) as info:
        check_tag("v0.4.23", Version("0.4.22"), "v{version}", static)
    assert info.value.message == (
        "tag v0.4.23 does not match pyproject version 0.4.22 (expected tag v0.4.22)"
    )
