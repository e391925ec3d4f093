"""A GitLab project as `init` meets it: whether the repository is on GitLab (its remote, or
its pipeline file), its project path, and what remains outside the repository once the
pipeline is written (init's checklist), with this project's exact values.

PyPI matches a GitLab publisher on the namespace, the project, the top-level pipeline file
(`workflow_filepath`, from the `ci_config_ref_uri` claim: `.gitlab-ci.yml` even when the
jobs come from an included file) and the environment (warehouse/oidc/models/gitlab.py);
its GitLab publishers are for gitlab.com projects only (the issuer it trusts).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tagship.ci.github.setup_plan import label_spec
from tagship.ci.gitlab.pipeline import publishing
from tagship.ci.gitlab.pipeline.include import PIPELINE_FILE
from tagship.ci.pipeline_values import ChecklistTable, HostChecklist
from tagship.core.versions import tag_glob

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.core.config import Config

HOST = "gitlab"
GITLAB_COM = "gitlab.com"
_SCP = re.compile(r"[\w.-]+@(?P<host>[\w.-]+):(?P<path>.+)")
_FORMS = {"pypi": ("PyPI", "https://pypi.org"), "testpypi": ("TestPyPI", "https://test.pypi.org")}


def remote_parts(url: str | None) -> tuple[str, str] | None:
    """(server host, project path) of a remote URL; None for a local or unreadable one."""
    if not url:
        return None
    scp = _SCP.fullmatch(url)
    if scp is not None:
        host, path = scp["host"], scp["path"]
    else:
        parts = urlsplit(url)
        if not parts.hostname or parts.scheme == "file":
            return None
        host, path = parts.hostname, parts.path
    path = path.strip("/").removesuffix(".git")
    return (host.lower(), path) if "/" in path else None


def recognise(origin_url: str | None, root: Path) -> str | None:
    """Why this repository is on GitLab (its remote, or a pipeline file and no GitHub
    workflows), or None when nothing says so."""
    parts = remote_parts(origin_url)
    if parts is not None and (parts[0] == GITLAB_COM or "gitlab" in parts[0]):
        return f"origin is on {parts[0]}"
    if (
        parts is None
        and (root / PIPELINE_FILE).is_file()
        and not (root / ".github/workflows").is_dir()
    ):
        return f"{PIPELINE_FILE} is there and .github/workflows is not"
    return None


def project_path(origin_url: str | None) -> str | None:
    """The project's path on GitLab (`group/subgroup/project`), from the remote."""
    parts = remote_parts(origin_url)
    return parts[1] if parts is not None else None


def checklist(config: Config, project: str, origin_url: str | None) -> HostChecklist:
    """The publishers to register on each index, the protected environments and tags, and
    the release labels."""
    parts = remote_parts(origin_url)
    server, path = parts if parts is not None else (GITLAB_COM, None)
    unknown = "(unknown: set origin to the GitLab project)"
    namespace, _, name = path.rpartition("/") if path else (unknown, "", unknown)
    forms: list[tuple[str, ...]] = []
    environments: list[tuple[str, ...]] = []
    after: list[str] = []
    for index_name, production in publishing(config):
        index = config.index(index_name)
        environment = index.environment or index.name
        title, site = _FORMS.get(index_name, (index_name, ""))
        forms.append((index_name, project, namespace, name, PIPELINE_FILE, environment))
        if site:
            after.append(
                f"  {title} {project}: new project {site}/manage/account/publishing/, "
                f"existing project {site}/manage/project/{project}/settings/publishing/"
            )
        protection = (
            "protected, approval required (maintainers approve each release); "
            "deployment tier production"
            if production
            else "none needed (dry runs, started by hand)"
        )
        environments.append((environment, protection))
    if server != GITLAB_COM:  # PyPI trusts gitlab.com's id tokens only
        after.append(
            f"  note: {server} is not {GITLAB_COM}: PyPI accepts GitLab publishers from "
            f"{GITLAB_COM} projects only"
        )
    project_url = f"https://{server}/{path}" if path else None
    settings = f"{project_url}/-/settings" if project_url else None
    where = f" ({settings}/ci_cd)" if settings else ""
    glob = tag_glob(config.tag_format)
    labels_at = f" ({project_url}/-/labels)" if project_url else ""
    labels = tuple(
        (label.name, f"#{label.color}", label.description)
        for label in map(label_spec, config.release_labels)
    )
    tables = (
        ChecklistTable(
            "1. Trusted publishers (on the index: GitLab tab; a pending publisher while the "
            "project is not there yet)",
            (
                "index",
                "PyPI Project Name",
                "Namespace",
                "Project name",
                "Top-level pipeline file path",
                "Environment name",
            ),
            tuple(forms),
        ),
        ChecklistTable(
            f"2. GitLab protected environments (Operate > Environments; Settings > CI/CD > "
            f"Protected environments{where})",
            ("environment", "protection"),
            tuple(environments),
        ),
        ChecklistTable(
            f"3. Protected tags (Settings > Repository > Protected tags"
            f"{f' ({settings}/repository)' if settings else ''})",
            ("tag pattern", "allowed to create"),
            ((glob, "Maintainers"),),
        ),
        ChecklistTable(
            f"4. Release labels (Manage > Labels{labels_at})",
            ("label", "colour", "description"),
            labels,
        ),
    )
    return HostChecklist(tables, tuple(after))
