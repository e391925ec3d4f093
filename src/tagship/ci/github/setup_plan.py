"""What remains outside the repository once `init` has written it: the trusted (or pending)
publishers to register on each index, the GitHub environments, the required checks on the
release branch and the release labels, each with this project's exact values. Pure: `init`
prints it, `tagship setup github` creates on GitHub what GitHub's API allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.ci.github.policy import publishers
from tagship.core.infer_checks import github_check_names
from tagship.core.notes import label_kind
from tagship.core.versions import tag_glob

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from tagship.ci.github.policy import TrustedPublisher
    from tagship.core.config import Config

# the index's forms: a pending publisher creates the project on its first upload
_FORMS = {
    "pypi": ("PyPI", "https://pypi.org"),
    "testpypi": ("TestPyPI", "https://test.pypi.org"),
}
# GitHub's label colours (hex, no #): a breaking change stands out, skip recedes
_COLOURS = {"major": "b60205", "minor": "fbca04", "patch": "0e8a16", "skip": "cfd3d7"}
_OTHER_COLOUR = "c5def5"  # alpha, beta, rc, post, dev
_MEANING = {
    "major": "a breaking change (major bump)",
    "minor": "a new feature (minor bump)",
    "patch": "a fix (patch bump)",
    "skip": "left out of the release notes",
}
RULESET_NAME = "tagship: required checks"


@dataclass(frozen=True)
class PublisherForm:
    """One trusted publisher to register: the index's form fields, as the form names them."""

    index: str  # the config's index name: pypi, testpypi
    index_title: str  # PyPI, TestPyPI
    pending_url: str  # the pending-publisher form (a project not yet on the index)
    project_url: str  # the project's own publishing page (a project already there)
    project: str
    owner: str | None
    repository: str | None
    workflow: str
    environment: str | None


@dataclass(frozen=True)
class EnvironmentSpec:
    """A GitHub environment a publish job runs in, and who and what may deploy to it."""

    name: str
    reviewers: bool  # a person approves each job (the production index)
    tags: tuple[str, ...]  # deployment tag patterns (GitHub's fnmatch syntax)
    branches: tuple[str, ...]  # deployment branch patterns


@dataclass(frozen=True)
class LabelSpec:
    name: str
    color: str
    description: str


@dataclass(frozen=True)
class Checklist:
    """Everything to set up outside the repository, with this project's values."""

    owner: str | None
    repository: str | None
    settings_url: str | None  # the repository's settings page on GitHub, when known
    publishers: tuple[PublisherForm, ...]
    environments: tuple[EnvironmentSpec, ...]
    branch: str
    checks: tuple[str, ...]  # as GitHub names them (a job's name, `lint (core)` per package)
    labels: tuple[LabelSpec, ...]


@dataclass(frozen=True)
class PackageRelease:
    """What one package adds: its publishers (from what init wrote) and its tag pattern."""

    publishers: tuple[TrustedPublisher, ...]
    tag_pattern: str


def package_release(config: Config, project: str) -> PackageRelease:
    """A package's publishers and release-tag pattern, from its config."""
    return PackageRelease(publishers(config, project), tag_glob(config.tag_format))


def required_check_names(configs: Iterable[tuple[Config, str | None]]) -> tuple[str, ...]:
    """The required checks as GitHub names them, over each (config, package of several)."""
    names: list[str] = []
    for config, package in configs:
        names.extend(github_check_names(config.required_checks, package))
    return tuple(dict.fromkeys(names))


def label_spec(name: str) -> LabelSpec:
    kind = label_kind(name) or ""
    meaning = _MEANING.get(kind, f"a {kind} release")
    return LabelSpec(name, _COLOURS.get(kind, _OTHER_COLOUR), f"tagship release label: {meaning}")


def _form(publisher: TrustedPublisher) -> PublisherForm:
    title, site = _FORMS.get(publisher.index, (publisher.index, ""))
    return PublisherForm(
        publisher.index,
        title,
        f"{site}/manage/account/publishing/" if site else "",
        f"{site}/manage/project/{publisher.project}/settings/publishing/" if site else "",
        publisher.project,
        publisher.owner,
        publisher.repository,
        publisher.workflow,
        publisher.environment,
    )


def checklist(
    config: Config,
    packages: Sequence[PackageRelease],
    checks: Sequence[str],
    *,
    server_url: str,
) -> Checklist:
    """The checklist of a repository: `config` for what its packages share (the repository,
    the release branch, the labels), `packages` one entry per package."""
    forms = tuple(_form(p) for package in packages for p in package.publishers)
    environments: dict[str, EnvironmentSpec] = {}
    for package in packages:
        for publisher in package.publishers:
            name = publisher.environment
            if not name:
                continue
            if publisher.on_tag:  # the production publish runs on the push of a release tag
                tags: tuple[str, ...] = (package.tag_pattern,)
                branches: tuple[str, ...] = ()
            else:  # the dry run is started by hand, on the release or a hotfix branch
                tags, branches = (), (config.release_branch, config.hotfix_branches)
            seen = environments.get(name)
            if seen is not None:
                tags = tuple(dict.fromkeys((*seen.tags, *tags)))
                branches = tuple(dict.fromkeys((*seen.branches, *branches)))
            reviewers = publisher.on_tag or (seen is not None and seen.reviewers)
            environments[name] = EnvironmentSpec(name, reviewers, tags, branches)
    owner, repository = config.github_owner, config.github_repository
    known = owner and repository
    return Checklist(
        owner,
        repository,
        f"{server_url}/{owner}/{repository}/settings" if known else None,
        forms,
        tuple(environments.values()),
        config.release_branch,
        tuple(checks),
        tuple(label_spec(name) for name in config.release_labels),
    )
