"""The demo's third sample: a uv workspace of two packages, one depending on the other, of
which one is released (bump -> dry run -> tag -> release on the tag) and the other untouched."""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING

from tagship.core.config import REQUIRED_CHECKS
from tagship.flows.workspace_sample import Member, create_workspace_sample
from tagship.repository import open_package, open_repository
from tagship.steps.versions.bump import bump_version

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from tagship.adapters.process import Runner
    from tagship.flows.pipeline import Pipeline
    from tagship.flows.sample import SampleIndex
    from tagship.workspace import Workspace

MEMBERS = (Member("demo-core"), Member("demo-app", depends=(("demo-core", ">=0.1"),)))


def workspace_release(
    base: Path,
    indexes: list[SampleIndex],
    env: Mapping[str, str],
    runner: Runner,
    flows: tuple[Callable[[Workspace], Pipeline], ...],
) -> str:
    """demo-core bumped, dry-run, tagged and released (`flows`: the demo's dry run, tag and
    release); demo-app, which depends on it, keeps its version and tags."""
    dry_run, tag, release = flows
    # the checks were shown on the first sample: stand-ins keep the demo short
    checks = dict.fromkeys(REQUIRED_CHECKS[:-1], f"{shlex.quote(sys.executable)} -c pass")
    repo = create_workspace_sample(
        base, members=MEMBERS, indexes=indexes, checks=checks, runner=runner
    )
    repository = open_repository(repo.work)
    core = open_package(repository, "demo-core", env=env, runner=runner)
    bump_version(core, "minor", commit=True, dry_run=False)
    core.require_git().push_branch("main")
    bumped = open_package(open_repository(repo.work), "demo-core", env=env, runner=runner)
    dry_run(bumped)
    tag(bumped)
    release(bumped)
    app = open_package(repository, "demo-app", env=env, runner=runner)
    app_tags = [t for _, t in app.release_tags()]
    return (
        f"released {bumped.expected_tag()} from a uv workspace of {len(MEMBERS)} packages; "
        f"demo-app untouched: {app.version()}, tags {', '.join(app_tags)}"
    )
