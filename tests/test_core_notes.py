"""Label-driven release notes and the next version, as pure functions."""

from __future__ import annotations

import pytest
from packaging.version import Version

from tagship.core.config import RELEASE_LABELS
from tagship.core.errors import ConfigError, GateError
from tagship.core.notes import (
    MergedPull,
    build_notes,
    label_kind,
    parse_merge_commit,
    release_labels_of,
    render_markdown,
    require_one_label,
    validate_labels,
)

MAJ, MIN, PAT, SKIP = RELEASE_LABELS


def pr(number: int, *labels: str) -> MergedPull:
    return MergedPull(number, f"change {number}", f"dev{number}", labels)


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("release:major", "major"),
        ("release:minor", "minor"),
        ("release/patch", "patch"),
        ("semver:Skip", "skip"),
        ("bug", None),
        ("release:", None),
        ("minorish", None),
    ],
)
def test_label_kind(label: str, kind: str | None) -> None:
    assert label_kind(label) == kind


def test_validate_labels_refuses_a_label_without_a_kind() -> None:
    validate_labels(RELEASE_LABELS)
    with pytest.raises(ConfigError, match="'release:big' does not end in major"):
        validate_labels(["release:big"])


@pytest.mark.parametrize(
    ("pulls", "current", "bump", "expected"),
    [
        ([pr(1, PAT)], "0.4.22", "patch", "0.4.23"),
        ([pr(1, PAT), pr(2, MIN)], "0.4.22", "minor", "0.5.0"),
        ([pr(1, PAT), pr(2, MIN), pr(3, MAJ)], "0.4.22", "major", "1.0.0"),
        ([pr(1, SKIP)], "0.4.22", None, None),
        ([], "0.4.22", None, None),
        ([pr(1, SKIP), pr(2, PAT)], "1.2.3", "patch", "1.2.4"),
        ([pr(1, "bug")], "1.2.3", "patch", "1.2.4"),  # unlabelled counts as a patch
        ([pr(1, MIN, PAT)], "1.2.3", "minor", "1.3.0"),  # two labels: the higher wins
        ([pr(1, MAJ)], "1.0.0rc1", "major", "1.0.0"),  # a pre-release finishes its line
        ([pr(1, MIN)], "2.0", "minor", "2.1.0"),
    ],
)
def test_next_version_from_the_highest_label(
    pulls: list[MergedPull], current: str, bump: str | None, expected: str | None
) -> None:
    notes = build_notes(pulls, RELEASE_LABELS, current=Version(current), since="v" + current)
    assert notes.bump == bump
    assert notes.next_version == (Version(expected) if expected else None)


LABELS = (*RELEASE_LABELS, "release:alpha", "release:beta", "release:rc", "release:post")


@pytest.mark.parametrize(
    ("labels", "expected", "section"),
    [
        (["release:rc"], "1.2.4rc1", "Pre-release changes"),
        (["release:minor", "release:rc"], "1.3.0rc1", "New features"),
        (["release:major", "release:beta", "release:alpha"], "2.0.0b1", "Breaking changes"),
        (["release:post"], "1.2.3.post1", "Post-release fixes"),
    ],
)
def test_pre_release_labels_make_the_next_version_a_pre_release(
    labels: list[str], expected: str, section: str
) -> None:
    pulls = [pr(n, label) for n, label in enumerate(labels, start=1)]
    notes = build_notes(pulls, LABELS, current=Version("1.2.3"), since="v1.2.3")
    assert notes.next_version == Version(expected)
    assert notes.sections[0].title == section
    assert label_kind("release:rc") == "rc"
    validate_labels(LABELS)


@pytest.mark.parametrize(
    ("project", "expected"),
    [("0.4.22", "0.4.23"), ("0.5.0", "0.5.0"), ("0.4.23rc1", "0.4.23"), ("1.0.0", "1.0.0")],
)
def test_an_already_bumped_project_version_wins_when_higher(project: str, expected: str) -> None:
    notes = build_notes(
        [pr(1, PAT)],
        RELEASE_LABELS,
        current=Version("0.4.22"),
        since="v0.4.22",
        project_version=Version(project),
    )
    assert notes.next_version == Version(expected)


def test_sections_group_and_skip_is_left_out() -> None:
    pulls = [pr(4, PAT), pr(2, MAJ), pr(3, SKIP), pr(1, MIN), pr(5, "docs"), pr(2, MAJ)]
    notes = build_notes(pulls, RELEASE_LABELS, current=Version("1.0.0"), since="v1.0.0")
    assert [(s.kind, [p.number for p in s.pulls]) for s in notes.sections] == [
        ("major", [2]),
        ("minor", [1]),
        ("patch", [4]),
        ("unlabelled", [5]),
    ]
    assert [p.number for p in notes.skipped] == [3]
    assert notes.problems == ("#5 has no release label",)
    assert [p.number for p in notes.pulls] == [2, 1, 4, 5]


def test_two_labels_are_reported_as_a_problem() -> None:
    notes = build_notes([pr(9, MIN, PAT)], RELEASE_LABELS, current=Version("1.0"), since=None)
    assert notes.problems == ("#9 has 2 release labels: release:minor, release:patch",)


def test_render_markdown() -> None:
    notes = build_notes(
        [pr(1, MIN), pr(2, PAT), pr(3, SKIP)], RELEASE_LABELS, current=Version("1.0.0"), since=None
    )
    assert render_markdown(notes, footer=["end"]) == (
        "## New features\n\n- change 1 (#1) @dev1\n\n"
        "## Fixes and maintenance\n\n- change 2 (#2) @dev2\n\nend\n"
    )


def test_render_markdown_without_changes() -> None:
    notes = build_notes([pr(3, SKIP)], RELEASE_LABELS, current=Version("1.0.0"), since=None)
    assert render_markdown(notes) == "No user-facing changes.\n"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["bug", "release:minor"], "release:minor"),
        (["release:skip"], "release:skip"),
    ],
)
def test_require_one_label(labels: list[str], expected: str) -> None:
    assert require_one_label(7, labels, RELEASE_LABELS) == expected


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([], r"#7 has no release label \(its labels: none\)"),
        (["bug", "docs"], r"#7 has no release label \(its labels: bug, docs\)"),
        (
            ["release:patch", "release:minor"],
            "#7 has 2 release labels: release:minor, release:patch",
        ),
        (["release:major", "release:minor", "release:skip"], "has 3 release labels"),
    ],
)
def test_require_one_label_refuses(labels: list[str], message: str) -> None:
    with pytest.raises(GateError, match=message) as caught:
        require_one_label(7, labels, RELEASE_LABELS)
    assert caught.value.exit_code == 1


def test_release_labels_of_keeps_configured_order() -> None:
    assert release_labels_of(["release:patch", "x", "release:major"], RELEASE_LABELS) == (
        "release:major",
        "release:patch",
    )


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        (
            "Merge pull request #12 from alice/fix-crash",
            "Fix the crash on start\n\nRelease-Label: release:patch\n",
            MergedPull(12, "Fix the crash on start", "alice", ("release:patch",)),
        ),
        (
            "Merge pull request #3 from bob/feature",
            "Add a feature",
            MergedPull(3, "Add a feature", "bob", ()),
        ),
        (
            "Merge pull request #4 from carol/x",
            "release-label: release:minor\nrelease-label: release:patch",
            MergedPull(
                4, "Merge pull request #4 from carol/x", "carol", ("release:minor", "release:patch")
            ),
        ),
        ("Merge branch 'main' into feature", "", None),
        ("Fix typo", "Release-Label: release:patch", None),
    ],
)
def test_parse_merge_commit(subject: str, body: str, expected: MergedPull | None) -> None:
    assert parse_merge_commit(subject, body) == expected


def test_the_first_release_is_the_projects_version() -> None:
    """Nothing was released yet: the draft is for the version in pyproject.toml, unbumped."""
    first = build_notes(
        [pr(1, PAT)],
        RELEASE_LABELS,
        current=Version("0.1.0"),
        since=None,
        project_version=Version("0.1.0"),
    )
    assert first.next_version == Version("0.1.0")
    scm = build_notes(
        [pr(1, PAT)],
        RELEASE_LABELS,
        current=Version("0.1.dev2"),
        since=None,
        project_version=Version("0.1.dev2"),
    )
    assert scm.next_version == Version("0.1")  # a dev version is bumped as before
