"""Proof (issue 28, item 6): the GitLab pipeline `tagship init --host gitlab` writes releases a
real project, run as written by gitlab-ci-local (tests/gitlab_ci_local.py).

A hatchling sample in nested groups (acme/tools/sample-hatch), its origin a bare repository
behind a gitlab.com URL; `tagship init --host gitlab`, committed as written. Then, as on
GitLab: the check jobs on the default branch; the manual TestPyPI dry run (environment
`testpypi`, its id token for `aud: testpypi`) into a pypiserver behind the Trusted-Publishing
stand-in; the maintainer's `tagship tag` (the required checks read from the GitLab stand-in);
the tag pipeline (environment `pypi`) into a second pypiserver, first with the publisher
registered for another environment (refused before any upload), then, the publisher fixed, a
rerun that promotes the dry run's bytes, records, and creates the GitLab release with notes
from the merge request's labels; `tagship audit` clean, the ledger's CI identity checked
against the GitLab stand-in.
"""

from __future__ import annotations

import hashlib
import json
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
from pytest_httpserver import HTTPServer

from conftest import git
from gitlab_checkout import JOB_TOKEN, Trigger, checkout
from gitlab_ci_local import PipelineRun, environments, run
from gitlab_oidc import GitLabPublisher, GitLabPublishers
from gitlab_standin import GitLabStandIn
from harness_samples import SAMPLES
from index_proxy import TrustedIndex
from runner_python import RunnerPython, runner_python
from servers import running_pypiserver

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NAMESPACE, NAME = "acme/tools", "sample-hatch"
PROJECT = f"{NAMESPACE}/{NAME}"
URL = f"https://gitlab.com/{PROJECT}.git"
SAMPLE = next(s for s in SAMPLES if s.id == "hatchling")
CHECKS = [
    "tagship-lint",
    "tagship-typecheck",
    "tagship-tests",
    "tagship-package-build",
    "tagship-docs-validation",
    "tagship-build-validation",
]
DRY_RUN = [
    "tagship-dry-run-build",
    "tagship-dry-run-publish",
    "tagship-dry-run-verify-install",
    "tagship-dry-run-record",
]
RELEASE = [
    "tagship-release-gate",
    "tagship-release-build",
    "tagship-release-publish",
    "tagship-release-verify-install",
    "tagship-release-record",
    "tagship-release-gitlab-release",
]


@pytest.fixture(scope="session")
def runner(tmp_path_factory: pytest.TempPathFactory) -> RunnerPython:
    return runner_python(tmp_path_factory.mktemp("gitlab-runner"), ("ruff", "mypy", "pytest"))


def _publishers(environment: str) -> GitLabPublishers:
    return GitLabPublishers((GitLabPublisher(NAMESPACE, NAME, environment=environment),))


@pytest.fixture
def indexes(tmp_path: Path) -> Iterator[dict[str, TrustedIndex]]:
    """TestPyPI and PyPI: two pypiservers behind Trusted Publishing, each with the GitLab
    publisher init's checklist asks for (the top-level pipeline file, the environment)."""
    with ExitStack() as stack:
        found = {}
        for name in ("testpypi", "pypi"):
            local = stack.enter_context(running_pypiserver(tmp_path / name))
            server = HTTPServer(host="127.0.0.1")
            server.start()
            stack.callback(server.stop)
            found[name] = TrustedIndex(server, local.url, _publishers(name), audience=name)
            stack.callback(found[name].close)
        yield found


def _tagship_block(runner: RunnerPython, indexes: dict[str, TrustedIndex]) -> str:
    # the jobs install tagship from the wheel (tests run init offline: no lock)
    block = (
        f'\n[tool.tagship]\npython-version = "{runner.version}"\n'
        f'install-tagship = "{runner.wheel}"\nattestations = false  # Sigstore is out of reach\n'
    )
    for name, index in indexes.items():
        block += f'\n[tool.tagship.indexes.{name}]\nupload-url = "{index.url}/"\n'
        block += f'simple-url = "{index.url}/simple/"\nofficial = true\n'
    return block


@dataclass
class Project:
    """The sample after `tagship init --host gitlab`, pushed; GitLab's API stand-in beside."""

    repo: Repo
    gitlab: GitLabStandIn
    runner: RunnerPython
    tmp_path: Path
    clock: float = field(default_factory=time.monotonic)
    seconds: dict[str, float] = field(default_factory=dict)

    def pipeline(
        self, trigger: Trigger, *, jobs: tuple[str, ...] = (), manual: tuple[str, ...] = ()
    ) -> PipelineRun:
        """The pipeline GitLab would run for `trigger` (or `jobs` of it), in a fresh runner's
        clone."""
        where = self.tmp_path / f"runner-{len(self.seconds)}"
        clone = checkout(self.repo.origin, PROJECT, trigger, where)
        done = run(
            clone,
            jobs=jobs,
            manual=manual,
            api_url=self.gitlab.api_url,
            python=self.runner.python,
            concurrency=1,
            timeout=300,
        )
        self.lap(f"{trigger.ref} pipeline {len(self.seconds)}")
        return done

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.seconds[name], self.clock = round(now - self.clock, 1), now


@pytest.fixture
def project(
    runner: RunnerPython,
    indexes: dict[str, TrustedIndex],
    make_repo: MakeRepo,
    httpserver: HTTPServer,
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Project]:
    files = dict(SAMPLE.files)
    files["pyproject.toml"] += _tagship_block(runner, indexes)
    repo = make_repo(files, name=NAME)
    git(repo.path, "remote", "set-url", "origin", URL)  # as cloned from GitLab
    gitlab = GitLabStandIn(httpserver, path=PROJECT)
    gitlab.tokens[JOB_TOKEN] = "write"  # the jobs' CI_JOB_TOKEN
    found = Project(repo, gitlab, runner, tmp_path)
    done = cli("-C", str(repo.path), "init", "--host", "gitlab")
    assert done.code == 0, done.out + done.err
    assert "acme/tools\tsample-hatch\t.gitlab-ci.yml\tpypi" in done.out  # the checklist
    # then git reaches the bare repository behind the URL (after init: `git remote get-url`
    # answers with the rewritten URL)
    git(repo.path, "config", f"url.{repo.origin}.insteadOf", URL)
    repo.commit("tagship init")
    repo.push()
    for sha in git(repo.path, "rev-list", "--reverse", "HEAD").split():  # GitLab's history
        gitlab.commit(sha, git(repo.path, "log", "-1", "--format=%s", sha))
    # the maintainer's shell: a token for the project's API, as the docs say
    monkeypatch.setenv("GITLAB_TOKEN", gitlab.token("write"))
    monkeypatch.setenv("CI_PROJECT_PATH", PROJECT)
    monkeypatch.setenv("CI_API_V4_URL", gitlab.api_url)
    found.lap("set-up and init")
    yield found
    httpserver.check_handler_errors()
    print(f"\nGitLab pipeline e2e: {sum(found.seconds.values()):.1f} s {found.seconds}")  # noqa: T201


def _sha256s(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in directory.iterdir()
        if p.suffix in (".whl", ".gz")
    }


def _known(project: Project, cli: Cli, done: PipelineRun) -> None:
    """What GitLab knows of a pipeline that ran: its jobs as the API lists them, and the jobs
    that appended ledger records under the ids gitlab-ci-local gave them (CI_JOB_ID)."""
    trigger, sha = done.checkout.trigger, done.checkout.sha
    gitlab = project.gitlab
    pipeline = gitlab.pipeline(
        sha, trigger.ref, source=trigger.source, tag=trigger.ref_type == "tag"
    )
    failed = {line.split()[1] for line in done.log.splitlines() if line[1:5] == "FAIL"}
    deploys = environments(done.checkout)  # a job with an environment deployed there
    for name in done.ran():
        status = "failed" if name in failed else "success"
        gitlab.job(pipeline, name, status, environment=deploys.get(name, ""))
    shown = cli("-C", str(project.repo.path), "ledger", "show", "--format", "json")
    for record in json.loads(shown.out)["records"]:
        run_id = int(record["actor"].get("run_id") or 0)
        if record["actor"].get("sha") == sha and run_id and run_id not in gitlab.jobs:
            gitlab.job(pipeline, "tagship-record", id=run_id)


def _refused_for_another_environment(
    project: Project, cli: Cli, pypi: TrustedIndex, tmp_path: Path
) -> None:
    """PyPI's publisher registered for another environment: the release job stops at the
    token exchange, the reason in one line, before any upload."""
    gitlab = project.gitlab
    pypi.publisher = _publishers("release")
    refused = project.pipeline(Trigger("v0.1.0"))
    assert refused.code != 0
    assert refused.ran()[:3] == RELEASE[:3]
    assert "tagship-release-gitlab-release" not in refused.ran()
    log = refused.job_log("tagship-release-publish")
    assert "refused the token exchange (HTTP 422): invalid-publisher" in log, log
    assert "Traceback" not in log
    assert pypi.refused == ["token exchange: Publisher with matching claims was not found"]
    assert _sha256s(tmp_path / "pypi") == {}
    assert gitlab.releases == {}
    _known(project, cli, refused)
    # tagship cannot see what PyPI holds: it says what to register, in the error's one line
    (error,) = [line for line in log.splitlines() if line.startswith("tagship: error:")]
    assert f"register this trusted publisher on the index ({PROJECT}, .gitlab-ci.yml, " in error
    assert error.endswith("environment pypi))"), error


def test_release_through_the_generated_gitlab_pipeline(
    project: Project, indexes: dict[str, TrustedIndex], cli: Cli, tmp_path: Path
) -> None:
    repo, gitlab = project.repo, project.gitlab
    sha = git(repo.origin, "rev-parse", "refs/heads/main")
    main = Trigger("main", ref_type="branch")

    # GitLab runs the checks and leaves the dry run waiting for a hand; gitlab-ci-local refuses
    # a pipeline whose manual job others need unless told to run it: the checks are named
    checks = project.pipeline(main, jobs=tuple(CHECKS))
    assert checks.code == 0, checks.log
    assert checks.ran() == CHECKS
    _known(project, cli, checks)

    # the maintainer starts the dry run by hand (Run pipeline, then the manual job)
    web = Trigger("main", ref_type="branch", source="web")
    dry = project.pipeline(web, jobs=tuple(DRY_RUN), manual=(DRY_RUN[0],))
    assert dry.code == 0, dry.log
    assert dry.ran() == DRY_RUN
    _known(project, cli, dry)
    assert len(_sha256s(tmp_path / "testpypi")) == 2

    # the change released: a merge request labelled release:patch, merged as main's head
    gitlab.merge_request(1, labels=("release:patch",), merged_as=sha, title="Greet politely")
    # the maintainer tags: the required checks as GitLab reports the check jobs
    tagged = cli("-C", str(repo.path), "tag")
    assert tagged.code == 0, tagged.out + tagged.err
    assert "[passed] required checks: all passed (GitLab)" in tagged.out
    gitlab.tags["v0.1.0"] = git(repo.origin, "rev-parse", "refs/tags/v0.1.0^{commit}")
    project.lap("tagship tag")

    pypi = indexes["pypi"]
    _refused_for_another_environment(project, cli, pypi, tmp_path)

    # the publisher fixed, the tag pipeline again: the dry run's bytes, promoted
    pypi.publisher = _publishers("pypi")
    release = project.pipeline(Trigger("v0.1.0"))
    assert release.code == 0, release.log
    assert release.ran() == RELEASE
    _known(project, cli, release)
    testpypi_files = _sha256s(tmp_path / "testpypi")
    assert _sha256s(tmp_path / "pypi") == testpypi_files
    assert len(testpypi_files) == 2
    (exchange,) = [c for c in pypi.exchanges if c["environment"] == "pypi"][-1:]
    assert exchange["ci_config_ref_uri"] == f"gitlab.com/{PROJECT}//.gitlab-ci.yml@refs/tags/v0.1.0"
    # the GitLab release, created once production succeeded, notes from the labels
    (created,) = gitlab.releases.values()
    assert created["tag_name"] == "v0.1.0"
    assert "Greet politely" in created["description"]
    assert [link["name"] for link in created["assets"]["links"]] == ["tagship-manifest.json"]
    assert list(gitlab.packages) == ["release-files/v0.1.0/tagship-manifest.json"]

    # the audit: every file on PyPI from a release, each job confirmed by GitLab
    audit = cli("-C", str(repo.path), "audit", "--index", "pypi")
    assert audit.code == 0, audit.out + audit.err
    assert "CI identities checked with GitLab" in audit.out
    assert "0.1.0\tok" in audit.out
    asked = [path for _, path in gitlab.requests if "/jobs/" in path]
    assert asked, "the audit did not ask GitLab about the publishing job"
    project.lap("audit")
