"""`tagship doctor` on a GitLab project: tagship's pipeline as `init` writes it and included
from `.gitlab-ci.yml`; with a GITLAB_TOKEN, the project's settings the policy needs: release
tags protected, the production environment protected with approval, releases from the
default branch."""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from tagship.ci.github.policy import Finding
from tagship.ci.gitlab.adopt import HOST, project_path, remote_parts
from tagship.ci.gitlab.pipeline import OWN_FILE, publishing
from tagship.ci.gitlab.pipeline.include import PIPELINE_FILE, includes_local, parse
from tagship.ci.gitlab.pipeline.jobs import OWN_STAGES
from tagship.ci.gitlab.settings import Denied, GitLabSettings
from tagship.core.versions import tag_for

if TYPE_CHECKING:
    from collections.abc import Mapping

    from packaging.version import Version

    from tagship.adapters.http import Http
    from tagship.core.ci_run import CIRun
    from tagship.core.config import Config

NAME = "GitLab settings"
NO_TOKEN = "no GITLAB_TOKEN with CI_API_V4_URL"  # noqa: S105 - a note, not a secret
_FIX = "run `tagship init` and commit the result"


def pipeline_findings(files: Mapping[str, str | None], expected: str) -> list[Finding]:
    """tagship's pipeline file against what init writes (`expected`), and the include."""
    found: list[Finding] = []
    own = files.get(OWN_FILE)
    if own is None:
        found.append(Finding("gitlab-pipeline", OWN_FILE, 0, "tagship's pipeline is missing", _FIX))
    elif own.replace("\r\n", "\n") != expected.replace("\r\n", "\n"):
        found.append(
            Finding("gitlab-pipeline", OWN_FILE, 0, "differs from what `tagship init` writes", _FIX)
        )
    top = files.get(PIPELINE_FILE)
    data = parse(top) if top is not None else None
    if data is None or not includes_local(data, OWN_FILE):
        found.append(
            Finding(
                "gitlab-include",
                PIPELINE_FILE,
                0,
                f"does not include {OWN_FILE}: GitLab runs none of tagship's jobs",
                f"add `include: [{{local: {OWN_FILE}}}]`, or run `tagship init`",
            )
        )
    stages = data.get("stages") if data is not None else None
    missing = [s for s in OWN_STAGES if isinstance(stages, list) and s not in stages]
    if missing:
        found.append(
            Finding(
                "gitlab-stages",
                PIPELINE_FILE,
                0,
                f"its stages: list lacks {', '.join(missing)}: GitLab refuses the pipeline",
                f"add {', '.join(missing)} to stages:, or run `tagship init`",
            )
        )
    return found


def skipped_because(ci: CIRun, origin_url: str | None) -> str | None:
    """Why the settings cannot be read here, or None when they can: the run's token goes
    only to an API the run names (a GitLab job's, or one set by hand beside the token), never
    to one guessed from the remote, where another host's token would leak."""
    if ci.token is None or (ci.host != HOST and ci.api_url is None):
        return NO_TOKEN
    if project_path(origin_url) is None:
        return "cannot tell which GitLab project this is (origin)"
    return None


def settings_findings(
    config: Config,
    ci: CIRun,
    origin_url: str | None,
    example: Version,
    *,
    http: Http | None = None,
) -> list[Finding]:
    """Protected tags cover the release tags, the production environment needs approval,
    releases come from the default branch (needs a token: `skipped_because` is None)."""
    parts = remote_parts(origin_url)
    assert parts is not None  # noqa: S101 - skipped_because said so
    server, path = parts
    assert ci.token is not None  # noqa: S101 - skipped_because said so
    api = ci.api_url or f"https://{server}/api/v4"  # a GitLab job names its API
    settings = GitLabSettings(api, path, ci.token, http=http).read()
    where, web = f"gitlab:{path}", f"https://{server}/{path}/-/settings"
    found: list[Finding] = []
    tag = tag_for(example, config.tag_format)
    if isinstance(settings.protected_tags, Denied):
        found.append(_denied(where, settings.protected_tags))
    elif not any(fnmatch.fnmatchcase(tag, p) for p in settings.protected_tags):
        found.append(
            Finding(
                "gitlab-protected-tags",
                where,
                0,
                f"no protected tag matches {tag}: anyone who may push can tag a release",
                f"at {web}/repository protect the tags {tag.replace(str(example), '*')} "
                "(allowed to create: Maintainers)",
            )
        )
    if isinstance(settings.protected_environments, Denied):
        found.append(_denied(where, settings.protected_environments))
    else:
        by_name = {e.name: e for e in settings.protected_environments}
        for index_name, production in publishing(config):
            index = config.index(index_name)
            name = index.environment or index.name
            if production and (by_name.get(name) is None or by_name[name].approvals < 1):
                state = "is not protected" if name not in by_name else "needs no approval"
                found.append(
                    Finding(
                        "gitlab-environment-approval",
                        where,
                        0,
                        f"environment {name} {state}: a pushed tag publishes to {index_name} "
                        "with nobody approving it",
                        f"at {web}/ci_cd protect {name} with required approvals >= 1 "
                        "(Premium; else protect the tags and limit who may create them)",
                    )
                )
    branch = settings.default_branch
    if isinstance(branch, Denied):
        found.append(_denied(where, branch))
    elif branch is not None and branch != config.release_branch:
        found.append(
            Finding(
                "gitlab-default-branch",
                where,
                0,
                f"the default branch is {branch}, but releases come from {config.release_branch}:"
                " the checks and the dry run run on the default branch",
                f'set release-branch = "{branch}" in [tool.tagship], or make '
                f"{config.release_branch} the default branch at {web}/repository",
            )
        )
    return found


def _denied(where: str, denied: Denied) -> Finding:
    return Finding("gitlab-permission", where, 0, denied.message, denied.hint)
