"""The tag format read from a repository's tags (core/tag_style.py), on the tag histories of
real repositories: bare versions, v-tags, a move from one style to another, monorepos."""

from __future__ import annotations

import pytest
from packaging.version import Version

from tagship.core.tag_style import as_template, infer_style, names_package, spellings, split_tag


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("2.32.3", ("", "2.32.3")),
        ("v1.2.3", ("v", "1.2.3")),
        ("v1.2.3rc1", ("v", "1.2.3rc1")),  # the rc's 1 is no version of its own
        ("v1.2.3-rc.1", ("v", "1.2.3rc1")),
        ("hatchling-v1.25.0", ("hatchling-v", "1.25.0")),
        ("core/1.0.0", ("core/", "1.0.0")),
        ("pkg@1.2.3", ("pkg@", "1.2.3")),
        ("py3-v1.0", ("py3-v", "1.0")),  # a digit in the name is not the version
        ("1!2.0", ("", "1!2.0")),
    ],
)
def test_split_tag(tag: str, expected: tuple[str, str]) -> None:
    found = split_tag(tag)
    assert found is not None
    assert (found[0], str(found[1])) == (expected[0], str(Version(expected[1])))


@pytest.mark.parametrize(
    "tag",
    [
        "build-42",  # one number: a build, not a release
        "latest",
        "1.0+local",
        "langchain-core==0.3.0",  # `=` cannot be written in a tag format
        "docs",
    ],
)
def test_split_tag_refuses(tag: str) -> None:
    assert split_tag(tag) is None


def test_bare_tags() -> None:
    style = infer_style(["0.28.1", "0.28.0", "0.27.2"], spellings("httpx", "."))
    assert style is not None
    assert style.tag_format == "{version}"
    assert style.why == "the 3 newest release tags look like 0.28.1"


def test_the_newest_style_wins_over_an_older_one() -> None:
    # coveragepy: coverage-3.x long ago, bare versions since
    tags = [f"7.{n}.0" for n in range(12, 0, -1)] + [f"coverage-3.{n}" for n in range(7, 0, -1)]
    style = infer_style(tags, spellings("coverage", "."))
    assert style is not None
    assert style.tag_format == "{version}"
    assert style.why.startswith("the 10 newest release tags")


def test_a_majority_of_the_newest_decides() -> None:
    tags = ["v2.1.0", "2.0.1", "v2.0.0", "v1.9.0", "1.8.0"]
    style = infer_style(tags, spellings("sample", "."))
    assert style is not None
    assert style.tag_format == "v{version}"
    assert style.why == "3 of the 5 newest release tags look like v2.1.0"


def test_one_package_of_a_repository_tagging_two() -> None:
    # pypa/hatch seen as one package: hatchling's tags name another package
    tags = ["hatch-v1.18.0", "hatchling-v1.32.0", "hatch-v1.17.1", "hatchling-v1.31.0"]
    style = infer_style(tags, spellings("hatch", "."))
    assert style is not None
    assert style.tag_format == "hatch-v{version}"
    assert as_template(style, "hatch") == "{name}-v{version}"


def test_members_of_a_monorepo() -> None:
    tags = ["core/1.1.0", "pkg-cli@0.3.0", "v9.0.0", "core/1.0.0", "pkg_cli@0.2.0"]
    others = spellings("pkg-cli", "tools/cli")
    core = infer_style(tags, spellings("ws-core", "libs/core"), others, alone=False)
    assert core is not None
    assert core.tag_format == "core/{version}"  # spelled by its directory
    assert as_template(core, "ws-core") == "core/{version}"
    cli = infer_style(tags, others, spellings("ws-core", "libs/core"), alone=False)
    assert cli is not None
    assert cli.tag_format == "pkg-cli@{version}"
    assert as_template(cli, "pkg-cli") == "{name}@{version}"
    # a member no tag names gets nothing from `v9.0.0`: that is the root's
    assert infer_style(tags, spellings("ws-extra", "libs/extra"), others, alone=False) is None


def test_the_root_package_of_a_monorepo_takes_the_unnamed_tags() -> None:
    tags = ["v2.33.0", "pydantic-graph-v0.1.0", "v2.32.0"]
    others = spellings("pydantic-graph", "pydantic_graph")
    style = infer_style(tags, spellings("pydantic-ai", "."), others)
    assert style is not None
    assert style.tag_format == "v{version}"
    # only other packages' tags: nothing tells the root's
    assert infer_style(["pydantic-graph-v0.1.0"], spellings("pydantic-ai", "."), others) is None


def test_the_only_package_takes_any_prefix_when_nothing_else_tells() -> None:
    style = infer_style(["release-1.2.0", "release-1.1.0", "build-7"], spellings("x", "."))
    assert style is not None
    assert style.tag_format == "release-{version}"


def test_no_release_tags() -> None:
    assert infer_style([], spellings("x", ".")) is None
    assert infer_style(["latest", "build-1", "docs"], spellings("x", ".")) is None


def test_names_package_takes_the_longest_spelling() -> None:
    assert names_package("a-b-v", ["a", "a-b"]) == "a-b"
    assert names_package("ab-v", ["a"]) is None
    assert names_package("Hatch-V", ["hatch"]) == "Hatch"
