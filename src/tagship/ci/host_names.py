"""The name of a project's CI host in messages (GitHub, GitLab), for code that runs on any:
a command run by hand, without a job or a token, still names the project's host."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.ci import title_of
from tagship.ci.adoption import choose

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.core.ci_run import CIRun


def project_host_title(ci: CIRun, origin_url: str | None, root: Path) -> str:
    """The host of the run's job, else of its API token, else the one `init` adopts for the
    project (its remote, its pipeline files), else GitHub."""
    name = ci.host or ci.api_host or choose(None, origin_url, root, None).host.name
    return title_of(name)
