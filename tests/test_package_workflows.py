"""`tagship init` and `doctor` for a repository of several packages, `tagship packages
--changed`, and the required checks each package's release waits for on GitHub."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
import yaml

import github_payloads as gh
from conftest import git
from tagship.adapters.process import run
from tagship.ci.pipeline_values import calls_tagship
from tagship.flows.sample import SampleIndex
from tagship.flows.workspace_sample import Member, create_workspace_sample
from test_packages_flow import MEMBERS
from workflow_lint import WORKFLOWS, assert_linted

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import Cli, CliResult, MakeRepo
    from tagship.flows.sample import SampleRepo

pytestmark = pytest.mark.integration

INDEXES = [
    SampleIndex("testpypi", "https://test.pypi.org/legacy/", "https://test.pypi.org/simple/"),
    SampleIndex("pypi", "https://upload.pypi.org/legacy/", "https://pypi.org/simple/"),
]
CHECKS = {"lint": "ruff check .", "tests": "python -m pytest"}


@pytest.fixture
def sample(tmp_path: Path) -> SampleRepo:
    """Three packages of a uv workspace (ws-app depends on ws-core), on main."""
    made = create_workspace_sample(
        tmp_path / "ws", members=MEMBERS, indexes=INDEXES, checks=CHECKS, runner=run
    )
    git(made.work, "switch", "--quiet", "main")
    return made


def _ok(result: CliResult) -> CliResult:
    assert result.code == 0, result.out + result.err
    return result


def _workflow(work: Path, name: str) -> dict[str, Any]:
    data = yaml.safe_load((work / WORKFLOWS / name).read_text())
    assert isinstance(data, dict)
    data["on"] = data.pop(True)  # YAML 1.1 reads `on` as true
    return data


def _pyprojects(work: Path) -> dict[str, bytes]:
    return {str(p.relative_to(work)): p.read_bytes() for p in work.rglob("pyproject.toml")}


def test_init_writes_one_set_of_workflows_for_every_package(sample: SampleRepo, cli: Cli) -> None:
    work = sample.work
    before = _pyprojects(work)
    result = _ok(cli("-C", str(work), "init", "--owner", "CharmAIOS", "--repo", "Charm"))
    assert _pyprojects(work) == before  # the packages' own files are left as they are
    # one trusted publisher per PyPI project, every one naming the same workflow
    for index, workflow in (("pypi", "publish-pypi.yml"), ("testpypi", "publish-testpypi.yml")):
        for name in ("ws-app", "ws-core", "ws-extra"):
            row = f"{index}\t{name}\tCharmAIOS\tCharm\t{workflow}\t{index}"
            assert row in result.out
    assert "lint (ws-core)\truff check ." in result.out

    ci = _workflow(work, "ci.yml")
    jobs = ci["jobs"]
    changed = jobs["packages"]["steps"][-1]
    assert (changed["id"], changed["run"]) == ("changed", "tagship packages --changed")
    assert jobs["packages"]["outputs"] == {"changed": "${{ steps.changed.outputs.changed }}"}
    lint = jobs["lint-ws-core"]
    assert lint["name"] == "lint (ws-core)"
    assert lint["needs"] == "packages"
    # skipped unless ws-core changed; run (and failed) when what changed is unknown
    changed = "contains(fromJSON(needs.packages.outputs.changed), 'ws-core')"
    assert lint["if"] == (
        f"${{{{ !cancelled() && (needs.packages.result != 'success' || {changed}) }}}}"
    )
    known = lint["steps"][0]
    assert known["if"] == "needs.packages.result != 'success'"
    assert "exit 1" in known["run"]
    assert lint["defaults"] == {"run": {"working-directory": "packages/ws-core"}}
    assert lint["env"] == {"TAGSHIP_PACKAGE": "ws-core"}
    assert lint["steps"][-1]["run"] == "ruff check ."
    installs = {
        job_id: step["run"]
        for job_id, job in jobs.items()
        for step in job["steps"]
        if step.get("name") == "Install tools"
    }
    lock = '-r "$GITHUB_WORKSPACE/.github/tagship-requirements.txt"'
    for job_id, text in installs.items():  # tagship only where the check runs it
        if job_id != "packages":
            assert (lock in text) is calls_tagship(jobs[job_id]["steps"][-1]["run"]), job_id
    # ws-app's checks install ws-core from its directory: it is on no index yet
    assert "uv pip install --system --editable ../ws-core --editable " in installs["lint-ws-app"]
    assert "../ws-core" not in installs["lint-ws-core"]
    assert {j["name"] for j in jobs.values()} >= {
        f"{check} ({name})" for check in CHECKS for name in ("ws-app", "ws-core", "ws-extra")
    }

    _assert_publish_and_draft(work)
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "-m", "workflows")
    _ok(cli("-C", str(work), "init", "--check", "--owner", "CharmAIOS", "--repo", "Charm"))
    doctor = _ok(cli("-C", str(work), "doctor", "--format", "json"))
    report = json.loads(doctor.out)
    assert report["findings"] == []
    assert {t["name"]: t["ran"] for t in report["tools"]}["zizmor"]
    # from a package's directory, or naming one, doctor reads the repository's workflows
    _ok(cli("-C", str(work / "packages" / "ws-app"), "doctor"))
    _ok(cli("-C", str(work), "--package", "ws-core", "doctor"))
    assert_linted(work)


def _assert_publish_and_draft(work: Path) -> None:
    dry = _workflow(work, "publish-testpypi.yml")
    package = dry["on"]["workflow_dispatch"]["inputs"]["package"]
    assert (package["type"], package["options"]) == ("choice", ["ws-app", "ws-core", "ws-extra"])
    assert dry["env"] == {"TAGSHIP_PACKAGE": "${{ inputs.package }}"}
    release = _workflow(work, "publish-pypi.yml")
    tags = release["on"]["push"]["tags"]
    assert sorted(tags) == ["ws-app-v*", "ws-core-v*", "ws-extra-v*"]
    assert "env" not in release  # on a tag, the tag names the package
    steps = _workflow(work, "release-draft.yml")["jobs"]["draft"]["steps"]
    names = ("ws-app", "ws-core", "ws-extra")
    updates = [s for s in steps if s["name"].startswith("Update the draft release")]
    assert [s["run"] for s in updates] == [f"tagship --package {n} notes --github\n" for n in names]
    assert all(s["if"] == "${{ !cancelled() }}" for s in updates)  # one failing, the rest run


def _member_pyproject(work: Path, name: str) -> Path:
    return work / "packages" / name / "pyproject.toml"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            'release-branch = "trunk"\n',
            (
                "ws-core sets release-branch apart from ws-app: the packages of one repository "
                "share its workflows, so they share this policy"
            ),
        ),
        (
            (
                '\n[[tool.setuptools.ext-modules]]\nname = "ws_core._c"\nsources = ["c.c"]\n'
                '\n[tool.cibuildwheel]\nskip = "pp*"\n'
            ),
            (
                "ws-core builds platform wheels: init writes the build matrix of a compiled "
                "project for a repository of one package only"
            ),
        ),
    ],
    ids=["own-release-branch", "compiled-member"],
)
def test_init_refuses_what_one_set_of_workflows_cannot_serve(
    sample: SampleRepo, cli: Cli, extra: str, message: str
) -> None:
    path = _member_pyproject(sample.work, "ws-core")
    path.write_text(path.read_text() + extra)  # the first goes into its [tool.tagship]
    result = cli("-C", str(sample.work), "init")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert message in result.err
    assert not (sample.work / WORKFLOWS).exists()


def test_init_project_names_one_package(sample: SampleRepo, cli: Cli) -> None:
    result = cli("-C", str(sample.work), "init", "--project", "other")
    assert result.code == 2
    assert "--project names the index project of a repository of one package" in result.err


# -- packages --changed ---------------------------------------------------------------------


def _changed(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, work: Path, event: dict[str, Any], **env: str
) -> list[str]:
    """The packages `packages --changed` names for `event`, as the CI workflow's check jobs
    read them (the step output)."""
    output, payload = work.parent / "github-output", work.parent / "event.json"
    output.write_text("")
    payload.write_text(json.dumps(event))
    for name, value in {
        "GITHUB_OUTPUT": str(output),
        "GITHUB_EVENT_PATH": str(payload),
        **env,
    }.items():
        monkeypatch.setenv(name, value)
    _ok(cli("-C", str(work), "packages", "--changed"))
    (line,) = output.read_text().splitlines()
    key, _, value = line.partition("=")
    assert key == "changed"
    found: list[str] = json.loads(value)
    return found


def _change(work: Path, relative: str, message: str) -> str:
    base = git(work, "rev-parse", "HEAD")
    target = work / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(target.read_text() + "\n" if target.exists() else "x = 1\n")
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "-m", message)
    return base


PULL = {"GITHUB_EVENT_NAME": "pull_request"}
EVERY = ["ws-app", "ws-core", "ws-extra"]


def _push(branch: str) -> dict[str, str]:
    return {"GITHUB_EVENT_NAME": "push", "GITHUB_REF_NAME": branch, "GITHUB_REF_TYPE": "branch"}


def test_a_pull_request_checks_the_packages_it_touches(
    sample: SampleRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = sample.work
    base = _change(work, "packages/ws-extra/src/ws_extra/more.py", "extra only")
    pull = {"pull_request": {"number": 7, "base": {"sha": base}}}
    assert _changed(cli, monkeypatch, work, pull, **PULL) == ["ws-extra"]
    group = {"merge_group": {"base_sha": base}}
    assert _changed(cli, monkeypatch, work, group, GITHUB_EVENT_NAME="merge_group") == ["ws-extra"]
    # a push to another branch: what changed since the commit before it
    assert _changed(cli, monkeypatch, work, {"before": base}, **_push("feature/x")) == ["ws-extra"]
    # the shared policy changes every package's checks
    shared = _change(work, "pyproject.toml", "shared policy")
    again = {"pull_request": {"base": {"sha": shared}}}
    assert _changed(cli, monkeypatch, work, again, **PULL) == EVERY
    nothing = {"pull_request": {"base": {"sha": git(work, "rev-parse", "HEAD")}}}
    assert _changed(cli, monkeypatch, work, nothing, **PULL) == []


@pytest.mark.parametrize(
    ("event", "env"),
    [
        ({"before": "0" * 40}, _push("feature/x")),
        ({"before": "HEAD~1"}, _push("main")),
        ({"before": "HEAD~1"}, _push("hotfix/1.2")),
        ({"pull_request": {"base": {"sha": "f" * 40}}}, PULL),
        ({"pull_request": {}}, PULL),
        ({}, {"GITHUB_EVENT_NAME": "workflow_dispatch"}),
    ],
    ids=["new-branch", "release-branch", "hotfix-branch", "unknown-base", "no-base", "dispatch"],
)
def test_without_a_base_to_measure_from_every_package_is_checked(
    sample: SampleRepo,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    event: dict[str, Any],
    env: dict[str, str],
) -> None:
    _change(sample.work, "packages/ws-extra/src/ws_extra/more.py", "extra only")
    assert _changed(cli, monkeypatch, sample.work, event, **env) == EVERY


def test_packages_bad_input(
    sample: SampleRepo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "event.json"
    broken.write_text("{not json")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(broken))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    unreadable = cli("-C", str(sample.work), "packages", "--changed")
    assert unreadable.code == 2
    assert "cannot read the event payload" in unreadable.err
    alone = cli("-C", str(sample.work), "packages", "--since", "HEAD~1")
    assert alone.code == 2
    assert "--since goes with --changed" in alone.err
    single = tmp_path / "single"
    single.mkdir()
    (single / "pyproject.toml").write_text('[project]\nname = "one"\nversion = "1.0"\n')
    none = cli("-C", str(single), "packages")
    assert none.code == 2
    assert "no packages are declared around" in none.err
    listed = _ok(cli("-C", str(sample.work), "packages", "--format", "json"))
    directories = {p["name"]: p["directory"] for p in json.loads(listed.out)["packages"]}
    assert directories == {f"ws-{n}": f"packages/ws-{n}" for n in ("app", "core", "extra")}


# -- the checks a package's release waits for -----------------------------------------------


def test_a_package_waits_for_its_own_checks(
    sample: SampleRepo, cli: Cli, github: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = sample.work / "pyproject.toml"
    root.write_text(
        root.read_text().replace(
            "[tool.tagship]\n", '[tool.tagship]\nrequired-checks = ["lint", "tests"]\n'
        )
    )
    sha = git(sample.work, "rev-parse", "HEAD")
    repo = f"/repos/{gh.FULL}"
    github.expect_request(f"{repo}/commits/main").respond_with_json(gh.commit(sha))
    pairs = [(c, n) for c in ("lint", "tests") for n in ("ws-app", "ws-core")]
    runs = [
        gh.check_run(f"{c} ({n})", conclusion="failure" if n == "ws-app" else "success", rid=i)
        for i, (c, n) in enumerate(pairs, start=1)
    ]
    checks = gh.check_runs(*runs)
    github.expect_request(f"{repo}/commits/{sha}/check-runs").respond_with_json(checks)
    github.expect_request(f"{repo}/commits/{sha}/statuses").respond_with_json([])
    core = _ok(cli("-C", str(sample.work), "--package", "ws-core", "checks"))
    assert "lint (ws-core)\tpassed" in core.out
    app = cli("-C", str(sample.work), "--package", "ws-app", "checks")
    assert app.code == 1
    assert "lint (ws-app)\tfailed" in app.out
    # TAGSHIP_PACKAGE chooses as --package does: the dry run's dispatch sets it
    monkeypatch.setenv("TAGSHIP_PACKAGE", "ws-extra")
    assert _ok(cli("-C", str(sample.work), "version", "--tag")).out == "ws-extra-v0.1.0\n"


def test_a_package_owns_the_files_it_declares(
    sample: SampleRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = sample.work
    path = _member_pyproject(work, "ws-extra")
    path.write_text(path.read_text() + 'files = ["shared/schema.json"]\n')
    (work / "shared").mkdir()
    (work / "shared" / "schema.json").write_text("{}\n")
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "-m", "ws-extra owns the schema")
    git(work, "tag", "-a", "ws-extra-v0.1.1", "-m", "release")
    base = _change(work, "shared/schema.json", "change the schema")
    pull = {"pull_request": {"base": {"sha": base}}}
    assert _changed(cli, monkeypatch, work, pull, **PULL) == ["ws-extra"]
    status = json.loads(_ok(cli("-C", str(work), "status", "--format", "json")).out)
    commits = {row["package"]: row["commits_since_release"] for row in status["packages"]}
    assert commits["ws-extra"] == 1  # the schema's change is ws-extra's
    path.write_text(path.read_text().replace("shared/schema.json", "../outside.json"))
    refused = cli("-C", str(work), "--package", "ws-extra", "status")
    assert refused.code == 2
    assert "'../outside.json' is not inside the repository" in refused.err


def test_what_a_change_makes_checked(
    sample: SampleRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package's dependents are checked with it; a file moved between packages changes
    both; a file no package owns (a shared ruff.toml) changes every package."""
    work = sample.work

    def since(base: str) -> list[str]:
        return _changed(cli, monkeypatch, work, {"pull_request": {"base": {"sha": base}}}, **PULL)

    base = _change(work, "packages/ws-core/src/ws_core/more.py", "core only")
    assert since(base) == ["ws-app", "ws-core"]  # ws-app depends on ws-core
    base = git(work, "rev-parse", "HEAD")
    git(work, "mv", "packages/ws-extra/docs/usage.md", "packages/ws-app/docs/extra-usage.md")
    git(work, "commit", "--quiet", "-m", "move a file from ws-extra to ws-app")
    assert since(base) == ["ws-app", "ws-extra"]
    base = _change(work, "ruff.toml", "shared lint settings")
    assert since(base) == EVERY


@pytest.mark.parametrize(
    "pull",
    [{"base": {"sha": "--output=OUT"}}, {"base": "x"}, []],
    ids=["option-like-base", "base-not-an-object", "pull-not-an-object"],
)
def test_an_odd_event_checks_every_package(
    sample: SampleRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pull: object
) -> None:
    _change(sample.work, "packages/ws-extra/src/ws_extra/more.py", "extra only")
    out = tmp_path / "written-by-git"
    event = json.loads(json.dumps({"pull_request": pull}).replace("OUT", str(out)))
    assert _changed(cli, monkeypatch, sample.work, event, **PULL) == EVERY
    assert not list(tmp_path.glob("written-by-git*"))  # the base was never given to git


def test_check_jobs_install_every_local_dependency_and_quote_paths(
    tmp_path: Path, cli: Cli
) -> None:
    members = (
        Member("ws-core"),
        Member("ws-mid", depends=(("ws-core", ">=0.1"),)),
        Member("ws-top", depends=(("ws-mid", ">=0.1"),)),
    )
    made = create_workspace_sample(
        tmp_path / "ws", members=members, indexes=INDEXES, checks=CHECKS, runner=run
    )
    git(made.work, "switch", "--quiet", "main")
    _ok(cli("-C", str(made.work), "init"))
    jobs = _workflow(made.work, "ci.yml")["jobs"]
    install = next(s["run"] for s in jobs["lint-ws-top"]["steps"] if s["name"] == "Install tools")
    assert "--editable ../ws-mid --editable ../ws-core --editable " in install


def test_two_check_jobs_of_one_id_are_refused(sample: SampleRepo, cli: Cli) -> None:
    root = sample.work / "pyproject.toml"
    text = root.read_text().replace(
        "[tool.tagship]\n", '[tool.tagship]\nrequired-checks = ["lint", "lint-ws"]\n'
    )
    root.write_text(
        text.replace("[tool.tagship.checks]\n", '[tool.tagship.checks]\nlint-ws = "true"\n')
    )
    core = sample.work / "packages" / "ws-core"
    core.rename(sample.work / "packages" / "core")  # packages core and ws-core would clash
    extra = _member_pyproject(sample.work, "ws-extra")
    extra.write_text(extra.read_text().replace('name = "ws-extra"', 'name = "core"'))
    result = cli("-C", str(sample.work), "init")
    assert result.code == 2
    assert "two check jobs would be named lint-ws-core" in result.err


def test_the_release_label_is_checked_for_the_repository(
    sample: SampleRepo, cli: Cli, github: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    github.expect_request(f"/repos/{gh.FULL}/issues/3/labels").respond_with_json(
        [gh.label("release:patch")]
    )
    event = sample.work.parent / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 3}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    result = _ok(cli("-C", str(sample.work), "label-check"))
    assert "pull request #3 carries release:patch" in result.out


def test_one_package_in_a_member_directory_gets_the_workflows_at_the_root(
    make_repo: MakeRepo, cli: Cli
) -> None:
    """A uv workspace whose one package is a member (a virtual root, a helper that is no
    package): the workflows go to the repository's root and run in the member."""
    member = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
    member += '[project]\nname = "core"\nversion = "0.1.0"\n'
    repo = make_repo(
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
            "packages/core/pyproject.toml": member,
            "packages/helper/pyproject.toml": '[project]\nname = "helper"\nversion = "0"\n',
        }
    )
    _ok(cli("-C", str(repo.path), "init", "--owner", "o", "--repo", "r"))
    assert not (repo.path / "packages" / "core" / ".github").exists()
    jobs = _workflow(repo.path, "ci.yml")["jobs"]
    build = jobs["package-build-core"]
    assert build["name"] == "package-build"  # one package: the checks keep their names
    assert build["defaults"] == {"run": {"working-directory": "packages/core"}}
    git(repo.path, "add", "--all")
    git(repo.path, "commit", "--quiet", "-m", "workflows")
    _ok(cli("-C", str(repo.path), "doctor"))


def test_a_project_publish_workflow_of_tagship_s_name_is_refused(
    sample: SampleRepo, cli: Cli
) -> None:
    """The packages' pyproject.toml files are not rewritten, so init cannot move its publish
    workflow aside: the config would name the project's own file as tagship's publisher."""
    own = sample.work / WORKFLOWS / "publish-pypi.yml"
    own.parent.mkdir(parents=True, exist_ok=True)
    text = "name: upload\non:\n  push:\n    tags: ['*']\njobs:\n  up:\n    runs-on: ubuntu-latest\n"
    own.write_text(text + "    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n")
    before = _pyprojects(sample.work)
    result = cli("-C", str(sample.work), "init", "--disable-old-publishers")
    assert result.code == 2, result.out + result.err
    assert "has the name of tagship's pypi publish workflow" in result.err
    assert result.err.count("\n") == 1
    assert _pyprojects(sample.work) == before
    assert sorted(p.name for p in own.parent.iterdir()) == ["publish-pypi.yml"]
