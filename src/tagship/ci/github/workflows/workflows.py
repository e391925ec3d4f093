"""`tagship init`: the CI and publish workflows, and the [tool.tagship] block, from the config."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from tagship.adapters.files import write_atomic
from tagship.ci.github.policy import WORKFLOWS_DIR, TrustedPublisher, publishers
from tagship.ci.github.workflows import workflow_jobs as jobs
from tagship.ci.github.workflows.build_matrix import with_build_matrix
from tagship.ci.github.workflows.check_table import CheckRow, check_rows
from tagship.ci.github.workflows.ci_workflows import ci_workflow, draft_workflow, label_workflow
from tagship.ci.github.workflows.config_block import with_config_block
from tagship.ci.github.workflows.install_tagship import LOCK_FILE
from tagship.ci.github.workflows.values import judge, written_values
from tagship.ci.github.workflows.watch_workflow import WATCH_FILE, wanted, watch_workflow
from tagship.ci.github.workflows.workflow_files import GENERATED_MARK, place, project_check_jobs
from tagship.core.errors import ConfigError
from tagship.core.infer_checks import NO_FACTS, ProjectFacts, plan_checks, unfound_note
from tagship.core.official import is_official
from tagship.core.yaml_text import dump

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from tagship.ci.github.workflows.install_tagship import Install
    from tagship.ci.github.workflows.maturin_jobs import WheelBuilder
    from tagship.core.config import Config, IndexConfig

HEADER = (
    f"{GENERATED_MARK} from [tool.tagship] in pyproject.toml: change the config and\n"
    "run `tagship init` again rather than editing this file (`tagship init --check` shows drift)."
)


@dataclass(frozen=True)
class GeneratedFile:
    """A file `init` owns: its path relative to the project and its full text."""

    path: str
    text: str


@dataclass(frozen=True)
class Environment:
    """A GitHub environment to create, and how to protect it."""

    name: str
    protection: str


@dataclass(frozen=True)
class InitPlan:
    """Everything `init` would write, and what to register by hand afterwards."""

    files: tuple[GeneratedFile, ...]
    publishers: tuple[TrustedPublisher, ...]
    environments: tuple[Environment, ...]
    notes: tuple[str, ...] = ()  # what init did differently from the defaults, and why
    checks: tuple[CheckRow, ...] = ()


@dataclass(frozen=True)
class Drift:
    """A file on disk that differs from what `init` would write (or is missing)."""

    path: str
    diff: str


CI_FILE, LABEL_FILE, DRAFT_FILE = "ci.yml", "release-label.yml", "release-draft.yml"
OWN_FILES = (CI_FILE, LABEL_FILE, DRAFT_FILE)
# newest first: the newest Python a project supports runs its tools; then newer ones still
_PYTHONS = ("3.13", "3.12", "3.11", "3.10", "3.14", "3.15")
RELEASED_PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")  # final releases, oldest first


def workflow_python(config: Config, requires_python: str | None) -> str:
    """`python-version` from [tool.tagship], else the newest Python `requires-python` allows."""
    if config.python_version:
        return config.python_version
    found = allowed_pythons(config, requires_python)
    if not found:
        raise ConfigError(
            f"no Python of {', '.join(_PYTHONS)} satisfies requires-python {requires_python!r}",
            hint='set python-version = "3.X" in [tool.tagship]',
        )
    return found[0]


def allowed_pythons(config: Config, requires_python: str | None) -> tuple[str, ...]:
    """The CPython versions of GitHub's runners that `requires-python` allows, in the order
    the tools' Python is chosen."""
    try:
        allowed = SpecifierSet(requires_python or "")
    except InvalidSpecifier:
        raise ConfigError(
            f"requires-python {requires_python!r} in {config.pyproject} is not a version specifier",
            hint='e.g. requires-python = ">=3.10", or set python-version in [tool.tagship]',
        ) from None
    return tuple(v for v in _PYTHONS if v in allowed)


@dataclass(frozen=True)
class Inputs:
    """What `init` reads besides the config: the project and the workflows already there."""

    project: str
    pyproject_text: str
    install: Install
    python: str
    scm_version: bool = False
    existing: Mapping[str, str] = field(default_factory=dict)  # path -> text
    force: bool = False
    facts: ProjectFacts = NO_FACTS
    wheels: WheelBuilder | None = (
        None  # platform wheels: a build matrix (ci/github/workflows/build_matrix.py)
    )
    watch: bool = False  # `--watch`: the scheduled `tagship watch` workflow too


@dataclass
class Placer:
    """Puts the generated workflows beside the project's own (never over one it did not
    write, but with --force, saving it first), collecting the files and what to tell."""

    existing: Mapping[str, str]
    force: bool
    files: list[GeneratedFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def put(self, name: str, workflow: dict[str, Any] | None) -> str | None:
        """Place workflow `name`; the path it went to (None: no workflow to write)."""
        if workflow is None:
            return None
        placed = place(f"{WORKFLOWS_DIR}/{name}", self.existing, force=self.force)
        if placed.saved_as is not None:
            self.files.append(GeneratedFile(placed.saved_as, self.existing[placed.wanted]))
        self.notes.extend([placed.note] if placed.note else [])
        self.files.append(GeneratedFile(placed.path, dump(workflow, HEADER)))
        return placed.path


def plan(
    config: Config,
    inputs: Inputs,
    *,
    owner: str | None = None,
    repository: str | None = None,
) -> InitPlan:
    """Build every file from the config; the same inputs always give the same bytes."""
    config = replace(
        config,
        github_owner=owner or config.github_owner,
        github_repository=repository or config.github_repository,
    )
    tools = jobs.Toolchain(inputs.python, inputs.install.command, inputs.install.uv_version)
    placer = Placer(inputs.existing, force=inputs.force)
    files, notes, put = placer.files, placer.notes, placer.put
    notes.extend(
        f"{index.name} is declared official = false: no publish workflow is written for it "
        "(Trusted Publishing is for official indexes); publish to it with tagship publish "
        f"--index {index.name} and its TAGSHIP_INDEX_* credentials"
        for index in config.indexes.values()
        if index.workflow and not is_official(index)
    )
    moved: dict[str, str] = {}  # index -> the workflow file its publisher names now
    for publisher in publishers(config, inputs.project):
        index = config.index(publisher.index)
        workflow = publish_workflow(
            config, publisher, index, tools, inputs.scm_version, wheels=inputs.wheels
        )
        path = put(publisher.workflow, workflow)
        if path is not None and path.rsplit("/", 1)[-1] != publisher.workflow:
            moved[index.name] = path.rsplit("/", 1)[-1]
    config = with_workflow_files(config, moved)
    # with --force the project's files of these names are replaced: their jobs do not count
    names = (*OWN_FILES, *(p.workflow for p in publishers(config, inputs.project)))
    replaced = [f"{WORKFLOWS_DIR}/{name}" for name in names] if inputs.force else []
    reused = project_check_jobs(inputs.existing, config.required_checks, skip=replaced)
    plans = plan_checks(config, inputs.facts)
    judge(written_values(config, plans, project=inputs.project, skip=reused), config)
    unfound = unfound_note([p for p in plans if p.name not in reused], config.pyproject.name)
    notes.extend([unfound] if unfound else [])
    put(CI_FILE, ci_workflow(config, tools, plans, set(reused)))
    put(LABEL_FILE, label_workflow(config, tools, plans))
    put(DRAFT_FILE, draft_workflow(config, tools))
    if wanted(f"{WORKFLOWS_DIR}/{WATCH_FILE}", inputs.existing, asked=inputs.watch):
        put(WATCH_FILE, watch_workflow(tools))
    if inputs.install.lock is not None:
        files.append(GeneratedFile(LOCK_FILE, inputs.install.lock))
    notes.extend([inputs.install.warning] if inputs.install.warning else [])
    pinned = owner is not None or repository is not None
    block = with_config_block(
        inputs.pyproject_text, config, plans, pin_github=pinned, workflows=moved
    )
    files.append(GeneratedFile("pyproject.toml", block))
    found = publishers(config, inputs.project)
    environments = environments_of(found)
    checks = check_rows(plans, reused)
    return InitPlan(tuple(files), found, environments, tuple(notes), checks)


def environments_of(found: Sequence[TrustedPublisher]) -> tuple[Environment, ...]:
    """The GitHub environments the publishers name, and how each is to be protected."""
    return tuple(
        Environment(
            p.environment,
            "required reviewers (maintainers approve each release)"
            if p.on_tag
            else "none needed (dry runs)",
        )
        for p in found
        if p.environment
    )


def publish_workflow(
    config: Config,
    publisher: TrustedPublisher,
    index: IndexConfig,
    tools: jobs.Toolchain,
    scm_version: bool,
    *,
    wheels: WheelBuilder | None = None,
) -> dict[str, Any]:
    built = jobs.publish_jobs(config, publisher, index, tools, scm_version=scm_version)
    return {
        "name": f"Publish to {display_name(index.name)}",
        "on": jobs.publish_triggers(config, publisher, scm_version=scm_version),
        "permissions": {},
        # one run per version at a time: two publishes of one version never race
        "concurrency": {
            "group": f"publish-{index.name}-${{{{ github.ref_name }}}}",
            "cancel-in-progress": False,
        },
        "jobs": built if wheels is None else with_build_matrix(built, tools, wheels),
    }


def display_name(index: str) -> str:
    """How the policy writes an index's name: "Publish to TestPyPI", "Publish to PyPI"."""
    return {"pypi": "PyPI", "testpypi": "TestPyPI"}.get(index, index)


def with_workflow_files(config: Config, moved: Mapping[str, str]) -> Config:
    """The config with the publish workflows where `init` had to put them."""
    if not moved:
        return config
    indexes = dict(config.indexes)
    for name, workflow in moved.items():
        indexes[name] = replace(indexes[name], workflow=workflow)
    return replace(config, indexes=indexes)


def drift(init_plan: InitPlan, root: Path) -> list[Drift]:
    """The files whose bytes on disk differ from the plan, each with a unified diff."""
    found = []
    for generated in init_plan.files:
        target = root / generated.path
        current = read_exact(target) if target.exists() else ""
        # line endings alone are no drift (a CRLF checkout of a generated workflow)
        if current.replace("\r\n", "\n") != generated.text.replace("\r\n", "\n"):
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                generated.text.splitlines(keepends=True),
                fromfile=f"a/{generated.path}" if target.exists() else "/dev/null",
                tofile=f"b/{generated.path}",
            )
            found.append(Drift(generated.path, "".join(diff)))
    return found


def write(init_plan: InitPlan, root: Path) -> list[str]:
    """Write the files that changed; returns their paths. Unchanged files are not touched."""
    changed = drift(init_plan, root)
    for entry in changed:
        target = root / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        text = next(f.text for f in init_plan.files if f.path == entry.path)
        write_atomic(target, text.encode("utf-8", "surrogateescape"))
    return [entry.path for entry in changed]


def existing_workflows(root: Path) -> dict[str, str]:
    """Every workflow file of the project, by its path relative to `root`."""
    folder = root / WORKFLOWS_DIR
    if not folder.is_dir():
        return {}
    return {
        f"{WORKFLOWS_DIR}/{path.name}": read_exact(path)
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix in (".yml", ".yaml")
    }


def read_exact(path: Path) -> str:
    """The file's text with its line endings kept (no newline translation); bytes that are
    not UTF-8 survive as surrogates, so a file saved beside is byte for byte the original."""
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
        return handle.read()
