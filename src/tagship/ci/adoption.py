"""Which CI host a project adopts tagship on, and what each host's adoption provides: the
registry `init --host` takes its choices from and `doctor` dispatches through.

GitHub Actions is the default; its workflows are written by the init path that predates this
registry (ci/github/workflows/), so its entry has no `pipeline`. A host with a `pipeline`
provides its files, its checklist and its doctor checks through the functions below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from tagship.ci.gitlab import adopt as gitlab_adopt
from tagship.ci.gitlab import doctor as gitlab_doctor
from tagship.ci.gitlab import pipeline as gitlab_pipeline
from tagship.ci.gitlab.pipeline.include import PIPELINE_FILE as GITLAB_PIPELINE_FILE
from tagship.core.config import github_repo_from_url

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from packaging.version import Version

    from tagship.ci.github.policy import Finding
    from tagship.ci.github.workflows.workflows import InitPlan
    from tagship.ci.pipeline_values import HostChecklist, PipelineInputs
    from tagship.core.ci_run import CIRun
    from tagship.core.config import Config

DEFAULT = "github"


class SettingsFindings(Protocol):
    def __call__(
        self, config: Config, ci: CIRun, origin_url: str | None, example: Version
    ) -> list[Finding]: ...


@dataclass(frozen=True)
class Pipeline:
    """A host whose pipeline files `init` writes through this registry."""

    own_file: str  # tagship's pipeline file
    top_file: str  # the project's top-level pipeline file, which includes it
    lock_file: str  # the hash-locked set its jobs install tagship from
    plan: Callable[[Config, PipelineInputs], InitPlan]
    checklist: Callable[[Config, str, str | None], HostChecklist]
    pipeline_findings: Callable[[Mapping[str, str | None], str], list[Finding]]
    settings_name: str
    skipped_because: Callable[[CIRun, str | None], str | None]
    settings_findings: SettingsFindings


@dataclass(frozen=True)
class AdoptionHost:
    name: str
    recognise: Callable[[str | None, Path], str | None]  # why a repository is on it, or None
    pipeline: Pipeline | None


def _github(origin_url: str | None, root: Path) -> str | None:
    if github_repo_from_url(origin_url) is not None and "github" in (origin_url or ""):
        return "origin is on GitHub"
    if (root / ".github/workflows").is_dir():
        return ".github/workflows is there"
    return None


# in the order their remotes and files are recognised: GitLab's pipeline file is looked at
# only without a remote, GitHub's workflows folder always
HOSTS: dict[str, AdoptionHost] = {
    gitlab_adopt.HOST: AdoptionHost(
        gitlab_adopt.HOST,
        gitlab_adopt.recognise,
        Pipeline(
            gitlab_pipeline.OWN_FILE,
            GITLAB_PIPELINE_FILE,
            gitlab_pipeline.LOCK_FILE,
            gitlab_pipeline.plan,
            gitlab_adopt.checklist,
            gitlab_doctor.pipeline_findings,
            gitlab_doctor.NAME,
            gitlab_doctor.skipped_because,
            gitlab_doctor.settings_findings,
        ),
    ),
    DEFAULT: AdoptionHost(DEFAULT, _github, None),
}


@dataclass(frozen=True)
class HostChoice:
    host: AdoptionHost
    why: str


def choose(flag: str | None, origin_url: str | None, root: Path, ci_host: str | None) -> HostChoice:
    """The host named by `--host`, else the one whose job this is, else the first whose
    remote or files say so (GitHub first), else GitHub."""
    if flag is not None:
        return HostChoice(HOSTS[flag], "given with --host")
    if ci_host in HOSTS:
        return HostChoice(HOSTS[ci_host], f"running in a {ci_host} job")
    for host in HOSTS.values():
        why = host.recognise(origin_url, root)
        if why is not None:
            return HostChoice(host, why)
    return HostChoice(HOSTS[DEFAULT], "nothing says otherwise (the default)")
