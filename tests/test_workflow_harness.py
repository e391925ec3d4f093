"""Proof (issue 15, item 11): the workflows `tagship init` writes release real projects.

For six projects, one per build backend (`harness_samples.py`), the generated workflows run job
by job on this machine (`workflow_harness.py`), with tagship installed from a wheel of this
checkout: the seven required checks (ci.yml on a push to main, release-label.yml on a pull
request) for every sample; for the samples in RELEASED (all) also the draft notes, "Publish to
TestPyPI" by dispatch, `tagship tag` by the maintainer and "Publish to PyPI" on the tag, against
two real pypiservers behind Trusted Publishing (`index_proxy.py`) and a stand-in for GitHub
(`github_standin.py`). The release ends with the dry run's bytes on PyPI and a clean audit.
Two compiled projects (COMPILED: a setuptools C extension with cibuildwheel, a maturin Rust
program with maturin's action) are released the same way, their build matrix run for the rows
this machine can be the runner of (Linux x86_64), the other rows reported as not run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
from pytest_httpserver import HTTPServer

from buildkit import rust_tools
from conftest import git
from github_standin import GitHubStandIn
from harness_samples import COMPILED, RELEASED, SAMPLES, Sample
from index_proxy import Registration, TrustedIndex
from runner_kit import Kit, network, run
from servers import running_pypiserver
from workflow_harness import (
    Event,
    Machine,
    RunResult,
    dispatch_event,
    pull_request_event,
    push_event,
    run_workflow,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import MakeRepo, Repo

pytestmark = [pytest.mark.integration, pytest.mark.slow]
OWNER = "harness"
CHECK_JOBS = {"lint", "typecheck", "tests", "package-build", "docs-validation", "build-validation"}
TOOLS = ("ruff", "mypy", "pytest", "flake8")  # the maintainer runs the checks locally too


def _rust() -> tuple[str, dict[str, str]]:
    """A hosted runner has Rust, and so has a maintainer of a Rust project."""
    found = rust_tools()
    if found is None:
        pytest.skip("cargo is not installed: the Rust sample is not released")
    return found


def _sha256s(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in directory.iterdir()
        if p.is_file()
    }


def _tagship_block(kit: Kit, sample: Sample, indexes: dict[str, TrustedIndex]) -> str:
    # the jobs' Python is the kit's; they install tagship with `uv pip install --system WHEEL`
    # (no lock: tests run init with TAGSHIP_OFFLINE), its dependencies already in place
    block = f"""
[tool.tagship]
python-version = "{kit.python_version}"
install-tagship = "{kit.wheel}"
attestations = false  # Sigstore is out of reach
{sample.policy}
[tool.tagship.github]
owner = "{OWNER}"
repository = "{sample.name}"
"""
    for name, index in indexes.items():
        block += f'\n[tool.tagship.indexes.{name}]\nupload-url = "{index.url}/"\n'
        block += f'simple-url = "{index.url}/simple/"\nofficial = true\n'
    return block


@pytest.fixture
def indexes(tmp_path: Path, sample: Sample) -> Iterator[dict[str, TrustedIndex]]:
    """TestPyPI and PyPI: two pypiservers, each behind Trusted Publishing for the publisher
    `tagship init` asks to register (init writes publish workflows for official indexes only)."""
    with ExitStack() as stack:
        found = {}
        for name in ("testpypi", "pypi"):
            local = stack.enter_context(running_pypiserver(tmp_path / name))
            server = HTTPServer(host="127.0.0.1")
            server.start()
            stack.callback(server.stop)
            publisher = Registration(f"{OWNER}/{sample.name}", f"publish-{name}.yml", name)
            found[name] = TrustedIndex(server, local.url, publisher, audience=name)
            stack.callback(found[name].close)
        yield found


@dataclass
class Project:
    """A sample after `tagship init`, pushed to its bare origin, with the runner, the GitHub
    stand-in and the maintainer's shell (tagship from the wheel) around it."""

    sample: Sample
    repo: Repo
    env: dict[str, str]
    github: GitHubStandIn
    machine: Machine
    clock: float
    runs: list[RunResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def full(self) -> str:
        return f"{OWNER}/{self.sample.name}"

    def tagship(self, *args: str, **extra: str) -> str:
        return run(["tagship", "-C", self.repo.path, *args], {**self.env, **extra})

    def run(self, file: str, event: Event) -> RunResult:
        """Run a generated workflow; every job must succeed."""
        path = self.repo.path / ".github" / "workflows" / file
        result = run_workflow(path, event, self.machine, self.github, parallel=2)
        self.runs.append(result)
        self.lap(file)
        assert result.ok, result.failures()
        return result

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.seconds[name], self.clock = round(now - self.clock, 1), now

    def logged(self, secrets: list[str]) -> list[str]:
        """Log lines holding one of `secrets`, other than the mask commands."""
        lines = (line for run in self.runs for line in run.log().splitlines())
        return [ln for ln in lines if "::add-mask::" not in ln and any(s in ln for s in secrets)]


@pytest.fixture
def project(
    sample: Sample,
    kit: Kit,
    indexes: dict[str, TrustedIndex],
    make_repo: MakeRepo,
    httpserver: HTTPServer,
    shared_cache: Path,
    tmp_path: Path,
) -> Iterator[Project]:
    clock = time.monotonic()
    files = dict(sample.files)
    files["pyproject.toml"] += _tagship_block(kit, sample, indexes)
    repo = make_repo(files, name=sample.name)
    # the maintainer's shell: tagship from the wheel, the project's tools for local checks
    python = tmp_path / "maintainer-python"
    shutil.copytree(kit.python, python, symlinks=True, copy_function=os.link)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    system_path, rust = kit.system_path, dict[str, str]()
    if sample.rust:
        cargo, rust = _rust()
        system_path = f"{system_path}:{cargo}"
    env.update(PATH=f"{python / 'bin'}:{kit.uv_dir}:{system_path}", **rust)
    uv: list[str | Path] = [kit.uv_dir / "uv", "pip", "install", "-q", "-p", python / "bin/python"]
    editable = [arg for path in sample.installs for arg in ("-e", repo.path / path)]
    run([*uv, kit.wheel, *TOOLS, *sample.tools, *editable], env)
    full = f"{OWNER}/{sample.name}"
    kept = {"UV_CACHE_DIR": str(shared_cache / "uv"), "PIP_CACHE_DIR": str(shared_cache / "pip")}
    machine = Machine(
        tmp_path / "runner", kit.python, kit.python_version, kit.uv_dir, kit.uv_version,
        repo.origin, full, {**kept, **network(), **rust}, system_path,
    )  # fmt: skip
    github = GitHubStandIn(httpserver, full, repo.origin)
    found = Project(sample, repo, env, github, machine, clock)
    found.tagship("init", "--owner", OWNER, "--repo", sample.name, "--watch")
    repo.commit("tagship init")
    repo.push()
    found.lap("set-up and init")
    yield found
    assert github.unserved == []
    httpserver.check_handler_errors()
    total = sum(found.seconds.values())
    drafts = [r["tag_name"] for r in github.releases]
    print(f"\n{sample.id}: {total:.1f} s {found.seconds} releases {drafts}")  # noqa: T201


def _head(project: Project) -> str:
    return git(project.repo.origin, "rev-parse", "refs/heads/main")


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
def test_required_checks_pass(project: Project) -> None:
    """ci.yml on a push to main runs the six check jobs, release-label.yml on a pull request
    the seventh, with the project's own tools, and each passes."""
    sha = _head(project)
    ci = project.run("ci.yml", push_event(project.full, "refs/heads/main", sha))
    assert {job.name for job in ci.jobs.values()} == CHECK_JOBS
    # a pull request's merge commit (here: main's head) with exactly one release label
    git(project.repo.origin, "update-ref", "refs/pull/1/merge", sha)
    project.github.merged_pull(1, sha, ("release:patch",))
    labels = project.run("release-label.yml", pull_request_event(project.full, 1, sha, "pr-1", []))
    steps = {step.name: step.outcome for step in labels.jobs["release-label"].steps}
    assert steps["Exactly one release label"] == "success"


@pytest.mark.parametrize(
    "sample", [*RELEASED, *COMPILED], ids=[s.id for s in (*RELEASED, *COMPILED)]
)
def test_release_through_the_generated_workflows(
    project: Project, indexes: dict[str, TrustedIndex], tmp_path: Path
) -> None:
    """The draft notes, "Publish to TestPyPI", the maintainer's `tagship tag`, "Publish to
    PyPI" on the tag: the dry run's bytes on PyPI, every file accounted for by the audit."""
    sample, github, sha = project.sample, project.github, _head(project)
    github.merged_pull(1, sha, ("release:patch",))  # the change being released
    project.run("release-draft.yml", push_event(project.full, "refs/heads/main", sha))
    inputs = {"version": sample.version} if sample.scm else {}
    dry = project.run("publish-testpypi.yml", dispatch_event(project.full, "main", sha, inputs))
    if sample in COMPILED:  # the build matrix ran where this machine can be the runner
        rows = dry.jobs["wheels"].rows
        ran = [row.name for row in rows if row.conclusion == "success"]
        assert len(ran) == 1, ran
        assert "ubuntu-latest" in ran[0]
        assert all("[harness] not run" in r.steps[0].log for r in rows if r.name not in ran)

    tag = f"v{sample.version}"
    if not any(r["tag_name"] == tag and r["draft"] for r in github.releases):
        github.draft(tag)  # for a first release notes --github drafts the version after it
    version = ["--version", sample.version] if sample.scm else []
    token = {"GITHUB_TOKEN": github.maintainer_token(), "GITHUB_API_URL": github.api_url}
    project.tagship("tag", "--checks", "local", *version, **token)
    project.lap("tagship tag")

    tagged = git(project.repo.origin, "rev-parse", f"refs/tags/{tag}^{{commit}}")
    release = project.run("publish-pypi.yml", push_event(project.full, f"refs/tags/{tag}", tagged))
    rebuilt = release.jobs["build"].summary.split("against the promoted files", 1)[-1]
    assert ("byte-identical" in rebuilt) == sample.reproducible, rebuilt
    testpypi, pypi = _sha256s(tmp_path / "testpypi"), _sha256s(tmp_path / "pypi")
    assert pypi == testpypi, "PyPI holds other bytes than the dry run put on TestPyPI"
    assert len(pypi) == 2
    audit = project.tagship("audit", "--index", "pypi", **token)
    assert f"{sample.version}\tok" in audit
    project.lap("audit")

    assert [i.refused for i in indexes.values()] == [[], []]
    assert all(len(i.minted) == 1 for i in indexes.values())  # one exchange per publish
    assert all(i.burned == list(i.minted) for i in indexes.values())  # burned after use
    minted = [t for index in indexes.values() for t in index.minted]
    assert project.logged([*github.tokens, *minted]) == []
    released = [r for r in github.releases if r["tag_name"] == tag]
    assert [(r["draft"], [a["name"] for a in r["assets"]]) for r in released] == [
        (False, ["tagship-manifest.json"])
    ]
    assert github.after_publish == []  # immutable releases: nothing sent once published
    # the scheduled watch, run by hand: the release on PyPI and on GitHub, as recorded
    main = dispatch_event(project.full, "main", _head(project), {})
    watched = project.run("tagship-watch.yml", main)
    assert "1 GitHub Release; no drift" in watched.log()
