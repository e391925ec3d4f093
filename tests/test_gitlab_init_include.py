"""The one edit init makes to a project's `.gitlab-ci.yml`, over the forms real files take:
an include list in block or flow style, a string entry naming tagship's file already, CRLF
line endings, a file of comments only; every other byte kept, and a second edit a no-op."""

from __future__ import annotations

import pytest
import yaml

from tagship.ci.gitlab.pipeline.include import with_include
from tagship.core.errors import ConfigError

OWN = ".gitlab/tagship.gitlab-ci.yml"
STAGES = ("tagship-checks", "tagship-dry-run", "tagship-release")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "include: [ci/a.yml]  # ours\njob:\n  script: [true]\n",
            f"include: [ci/a.yml, local: {OWN}]  # ours\njob:\n  script: [true]\n",
        ),
        (
            "include:\n    - 'ci/a.yml'\n\n    # more later\njob:\n  script: [true]\n",
            (
                f"include:\n    - 'ci/a.yml'\n    - local: {OWN}\n\n    # more later\n"
                "job:\n  script: [true]\n"
            ),
        ),
        ("# nothing yet\n", f"# nothing yet\ninclude:\n  - local: {OWN}\n"),
        (
            "stages: [test]\r\njob:\r\n  stage: test\r\n  script: [true]\r\n",
            (
                "stages: [test, tagship-checks, tagship-dry-run, tagship-release]\r\njob:\r\n"
                f"  stage: test\r\n  script: [true]\r\ninclude:\r\n  - local: {OWN}\r\n"
            ),
        ),
    ],
)
def test_edit_keeps_the_file(before: str, after: str) -> None:
    edited = with_include(before, OWN, STAGES)
    assert edited.text == after
    assert with_include(edited.text, OWN, STAGES).added == ()  # idempotent


def test_already_included_as_a_string() -> None:
    text = f"include:\n  - {OWN}\nstages: [build, {', '.join(STAGES)}]\n"
    assert with_include(text, OWN, STAGES).text == text


def test_gitlab_tags_are_read_not_refused() -> None:
    text = ".base:\n  script: [true]\njob:\n  script:\n    - !reference [.base, script]\n"
    edited = with_include(text, OWN, STAGES).text
    assert edited.startswith(text)
    assert yaml.safe_load(edited.replace("!reference ", ""))["include"] == [{"local": OWN}]


def test_a_string_include_is_refused_with_the_line() -> None:
    with pytest.raises(ConfigError) as refused:
        with_include("include: ci/a.yml\n", OWN, STAGES)
    assert refused.value.hint == (
        f"add `- local: {OWN}` to .gitlab-ci.yml yourself, then run `tagship init` again"
    )
