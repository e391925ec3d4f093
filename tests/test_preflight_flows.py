"""The preflight inside `dry-run` and `tag`: a refusal stops the flow before the first byte
reaches the test index, and before the tag exists here or on origin."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from conftest import git
from release_world import bump, files_on, ok, release_world
from tagship.adapters.index import JSON_TYPE

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import Cli
    from release_world import World

pytestmark = pytest.mark.integration


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with release_world(tmp_path) as made:
        yield made


def _archived(httpserver: HTTPServer, index: str) -> tuple[str, str]:
    """A JSON simple API that says the sample's project is archived, as `--set` for `index`."""
    page = {"meta": {"api-version": "1.4"}, "name": "demo-pkg", "files": []}
    page["project-status"] = {"status": "archived", "reason": "read only"}
    httpserver.expect_request("/simple/demo-pkg/").respond_with_data(
        json.dumps(page), content_type=JSON_TYPE
    )
    return "--set", f"indexes.{index}.simple-url={httpserver.url_for('/simple/')}"


def test_dry_run_stops_at_the_preflight_before_uploading(
    world: World, cli: Cli, httpserver: HTTPServer
) -> None:
    bump(world, cli)
    result = cli(
        "-C", world.path, *_archived(httpserver, "testpypi"), "dry-run", "--checks", "local"
    )
    assert result.code == 1, result.out + result.err
    assert "[passed] build and verify" in result.out
    assert "[failed] preflight: testpypi would refuse demo-pkg 0.2.0" in result.out
    assert "demo-pkg on testpypi is archived (read only) and takes no uploads" in result.err
    assert "publish to testpypi" not in result.out  # never started
    assert files_on(world.test_index) == {}


def test_tag_stops_at_the_preflight_before_the_tag_exists(
    world: World, cli: Cli, httpserver: HTTPServer
) -> None:
    bump(world, cli)
    ok(cli("-C", world.path, "dry-run", "--checks", "local"))
    result = cli("-C", world.path, *_archived(httpserver, "pypi"), "tag", "--checks", "local")
    assert result.code == 1, result.out + result.err
    assert "[failed] preflight: pypi would refuse demo-pkg 0.2.0" in result.out
    assert git(world.sample.work, "tag", "-l", "v0.2.0") == ""
    assert "v0.2.0" not in git(world.sample.work, "ls-remote", "--tags", "origin")
    # the production index answered as it should: the same tag passes its preflight
    passed = ok(cli("-C", world.path, "tag", "--checks", "local", "--dry-run"))
    assert "[passed] preflight: demo-pkg is new on pypi; 2 files pass its rules" in passed.out
