"""The preflight counts a monorepo's packages that are new on the index: past PyPI's 20 new
projects an hour, the first release of them all warns before anything is created."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from release_world import FAST_CHECKS, ok
from tagship.adapters.local_index import running_index
from tagship.adapters.process import run
from tagship.flows.sample import SampleIndex
from tagship.flows.workspace_sample import Member, create_workspace_sample

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli

pytestmark = pytest.mark.integration


def test_twenty_one_new_packages_warn(tmp_path: Path, cli: Cli) -> None:
    with running_index(tmp_path / "index") as index:
        indexes = [
            SampleIndex("testpypi", index.upload_url, index.simple_url),
            SampleIndex("pypi", index.upload_url, index.simple_url),
        ]
        members = tuple(Member(f"mono-{n}") for n in range(21))
        sample = create_workspace_sample(
            tmp_path / "ws", members=members, indexes=indexes, checks=FAST_CHECKS, runner=run
        )
        where = ("-C", str(sample.work), "--package", "mono-0")
        ok(cli(*where, "build"))
        result = ok(cli(*where, "preflight", "--index", "testpypi"))
        assert (
            "[warning] new projects: 21 packages of this repository are new on testpypi, and it "
            "creates at most 20 projects an hour per user through API tokens" in result.out
        )
        assert "[passed] preflight: mono-0 is new on testpypi" in result.out
        assert not any(p.is_file() for p in index.directory.iterdir())
