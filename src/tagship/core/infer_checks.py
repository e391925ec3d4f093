"""Which command each required check runs, read from what the project already uses.

A command written in `[tool.tagship.checks]` wins; `""` there means "skipped by policy".
Otherwise the project's own tools decide (pre-commit or ruff or flake8 for lint, mypy or
pyright for typecheck, pytest, tox, nox or unittest for tests, Sphinx or MkDocs for docs), a
member's and its repository root's. Without a linter, type checker or test runner the check is
a visible skip: a job that passes saying what to set, never red by default. Any other check
nothing answers for fails saying what to set. Pure: the facts come from `ProjectFacts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from tagship.core.config import Config

LABEL_CHECK = "release-label"
DEV_NAMES = ("dev", "test", "tests", "testing", "lint", "typing", "type", "docs", "doc")


@dataclass(frozen=True)
class ProjectFacts:
    """What a project's files say about its tools: file names present (relative paths),
    the tables of pyproject.toml's `[tool]`, its extras and dependency groups, and the text
    of its development requirement files."""

    files: frozenset[str]
    tool_tables: frozenset[str]
    ini_sections: frozenset[str]  # "setup.cfg:flake8", "tox.ini:pytest", ...
    extras: Mapping[str, tuple[str, ...]]
    groups: Mapping[str, tuple[str, ...]]
    requirement_files: Mapping[str, str]  # path -> text
    # the repository root's facts, for a member of a repository of several packages
    inherited: ProjectFacts | None = None
    settings: frozenset[str] = frozenset()  # options that decide a command: "mypy.files"
    # what the docs build with (Read the Docs' python.install, or docs/requirements.txt)
    docs_requirements: Mapping[str, str] = field(default_factory=dict)
    docs_extras: tuple[str, ...] = ()
    for_docs: bool = False  # the docs check's view: its requirements and extras count too

    def has(self, *names: str) -> str | None:
        return next((n for n in names if n in self.files), None)

    def requirements(self) -> Mapping[str, str]:
        """The development requirement files (path -> text), the docs' too in their view."""
        return {**self.requirement_files, **(self.docs_requirements if self.for_docs else {})}

    def dev_extras(self) -> list[str]:
        """The extras installed for development, in order, the docs' too in their view."""
        wanted = (*DEV_NAMES, *self.docs_extras) if self.for_docs else DEV_NAMES
        return [k for k in dict.fromkeys(wanted) if k in self.extras]

    def declared(self, tool: str) -> bool:
        """`tool` is among the project's development requirements."""
        texts = [*self.requirements().values()]
        texts += [" ".join(self.extras[k]) for k in self.dev_extras()]
        texts += [" ".join(v) for k, v in self.groups.items() if k in DEV_NAMES]
        return any(tool in text.lower() for text in texts)


NO_FACTS = ProjectFacts(frozenset(), frozenset(), frozenset(), {}, {}, {})


@dataclass(frozen=True)
class CheckPlan:
    """What one required check's job does: install, run, and where that was decided."""

    name: str
    command: str | None  # None: nothing found, the job fails saying what to set; "": skipped
    setup: str
    source: str
    skipped: bool = False  # `name = ""` in [tool.tagship.checks]
    # the kind of tool the project has none of ("type checker"): the job passes saying so
    unfound: str | None = None


def _lint(facts: ProjectFacts) -> tuple[str, str] | None:
    found = facts.has(".pre-commit-config.yaml", ".pre-commit-config.yml")
    if found:
        return "pre-commit run --all-files --show-diff-on-failure", found
    found = facts.has("ruff.toml", ".ruff.toml")
    if found or "ruff" in facts.tool_tables:
        return "ruff check .", found or "[tool.ruff] in pyproject.toml"
    flake8 = facts.has(".flake8") or next(
        (s.split(":")[0] for s in facts.ini_sections if s.endswith(":flake8")), None
    )
    if flake8:
        return "flake8", flake8
    return None


def _typecheck(facts: ProjectFacts) -> tuple[str, str] | None:
    # mypy reads mypy.ini, .mypy.ini, pyproject.toml, setup.cfg in that order (never tox.ini)
    mypy = facts.has("mypy.ini", ".mypy.ini") or (
        "[tool.mypy] in pyproject.toml" if "mypy" in facts.tool_tables else None
    )
    mypy = mypy or ("setup.cfg" if "setup.cfg:mypy" in facts.ini_sections else None)
    if mypy:
        # a bare `mypy` checks the configured `files` (tests/ may be outside them); without
        # them it wants a path
        return ("mypy" if "mypy.files" in facts.settings else "mypy ."), mypy
    found = facts.has("pyrightconfig.json")
    if found or "pyright" in facts.tool_tables:
        return "pyright", found or "[tool.pyright] in pyproject.toml"
    return None


def _pytest_config(facts: ProjectFacts) -> tuple[str, str] | None:
    """pytest's configuration files, which pytest also finds from a directory below."""
    found = facts.has("pytest.ini") or next(
        (s.split(":")[0] for s in facts.ini_sections if s.endswith((":tool:pytest", ":pytest"))),
        None,
    )
    if found or "pytest" in facts.tool_tables:
        return "pytest", found or "[tool.pytest.ini_options] in pyproject.toml"
    return None


def _tests(facts: ProjectFacts) -> tuple[str, str] | None:
    """A test runner the project configures (a bare test folder is `_test_folder`'s)."""
    found = facts.has("pytest.ini", "conftest.py", "tests/conftest.py")
    if found:
        return "pytest", found
    pytest = _pytest_config(facts)
    if pytest:
        return pytest
    found = facts.has("tox.toml") or next(
        (s.split(":")[0] for s in facts.ini_sections if s in ("tox.ini:tox", "tox.ini:testenv")),
        None,
    )
    if found or "tox" in facts.tool_tables:
        return "tox -e py", found or "[tool.tox] in pyproject.toml"
    if facts.has("noxfile.py"):
        return "nox", "noxfile.py"
    return None


def _test_folder(facts: ProjectFacts) -> tuple[str, str] | None:
    found = facts.has("tests", "test")
    if found and facts.declared("pytest"):
        return "pytest", f"{found}/ and pytest among the development requirements"
    if found:
        return f"python -m unittest discover -s {found}", f"{found}/ (unittest)"
    return None


def _docs(facts: ProjectFacts) -> tuple[str, str]:
    for conf in ("docs/conf.py", "docs/source/conf.py", "doc/conf.py", "doc/source/conf.py"):
        if conf in facts.files:
            folder = conf.removesuffix("/conf.py")
            return f"sphinx-build -W -b html {folder} {folder}/_build/html", conf
    found = facts.has("mkdocs.yml", "mkdocs.yaml")
    if found:
        return "mkdocs build --strict", found
    # no docs of its own: what it publishes still has to render, its docs links to resolve
    return "tagship check-docs", "no Sphinx or MkDocs: the long description and docs-files"


def _root_typecheck(facts: ProjectFacts) -> tuple[str, str] | None:
    found = _typecheck(facts)
    # the root's `files` name the root's folders, not the member's: mypy checks the member
    return ("mypy .", found[1]) if found and found[0] == "mypy" else found


_FINDERS = {"lint": _lint, "typecheck": _typecheck, "tests": _tests}
# what a member takes from the repository's root: configuration its tools find by walking up
# from the member's directory (pytest's rootdir search; ruff, flake8, mypy, pyright likewise)
_ROOT_FINDERS = {"lint": _lint, "typecheck": _root_typecheck, "tests": _pytest_config}
# the kind of tool each inferred check needs, as its skip names it, and what was looked for
UNFOUND = {
    "lint": ("linter", "no pre-commit, ruff or flake8 configuration"),
    "typecheck": ("type checker", "no mypy or pyright configuration"),
    "tests": ("test runner", "no pytest, tox or nox configuration, no tests/ directory"),
}


def _find(name: str, facts: ProjectFacts) -> tuple[str, str] | None:
    """(command, where) for a check the project's tools answer for, its own or its root's."""
    found = _FINDERS[name](facts)
    # the root's pytest configuration counts for a member with tests to run
    tested = name != "tests" or facts.has("tests", "test") is not None
    if found is None and facts.inherited is not None and tested:
        inherited = _ROOT_FINDERS[name](facts.inherited)
        if inherited is not None:
            found = inherited[0], f"{inherited[1]} at the repository root"
    if found is None and name == "tests":
        found = _test_folder(facts)
    return found


_FIXED = {
    "package-build": "tagship build",
    "build-validation": "tagship build && tagship verify-artifacts",
    LABEL_CHECK: "tagship label-check",
}


# the project's own tools install with uv, which setup-uv puts in every job: one resolve of
# the project, its development requirements and a missing tool; PEP 735 groups need no newer pip
UV_INSTALL = "uv pip install --system"


def dev_install(facts: ProjectFacts, tools: tuple[str, ...] = ()) -> str:
    """The project with its development requirements, as it declares them (and `tools`)."""
    extras = facts.dev_extras()
    groups = [k for k in DEV_NAMES if k in facts.groups]
    target = f'".[{",".join(extras)}]"' if extras else "."
    parts = [UV_INSTALL, "--editable", target]
    parts += [f"--group {g}" for g in groups]
    parts += [f"-r {path}" for path in sorted(facts.requirements())]
    return " ".join([*parts, *tools])


def plan_checks(config: Config, facts: ProjectFacts) -> tuple[CheckPlan, ...]:
    """Each required check's plan, in the configured order. A `check-setup` written in the
    config is the whole setup; otherwise the project's development requirements, plus the
    check's tool when the project does not declare it."""
    own_setup = config.sources.get("check-setup") is not None
    base = config.check_setup if own_setup else dev_install(facts)
    plans = []
    for name in config.required_checks:
        written = config.sources.get(f"checks.{name}")
        command = config.check_commands.get(name)
        found = _find(name, facts) if name in _FINDERS else None
        # a skip written by `init` for want of a tool reads the same when init runs again
        unfound = UNFOUND[name][0] if name in UNFOUND and found is None else None
        if written is not None and command is not None:
            where, skipped = f"[tool.tagship.checks] ({written})", command == ""
        elif name in _FIXED:
            command, where, skipped = _FIXED[name], "tagship", False
        elif unfound is not None:
            command, where, skipped = "", UNFOUND[name][1], False
        else:
            found = _docs(facts) if name == "docs-validation" else found
            command, where = (found[0], f"inferred from {found[1]}") if found else (None, "-")
            skipped = False
        tool = _tool_of(command or "")
        # the docs build with what the project declares for them, as Read the Docs would
        view = replace(facts, for_docs=True) if name == "docs-validation" else facts
        setup = base if view is facts or own_setup else dev_install(view)
        if not own_setup and (command or "").startswith("tagship "):
            setup = ""  # tagship's own checks need tagship alone, installed in every job
        elif tool and not own_setup and not view.declared(tool):
            setup = dev_install(view, (tool,))
        plans.append(
            CheckPlan(name, command, setup, where, skipped, unfound if not command else None)
        )
    return tuple(plans)


# the first word of a check's command -> the distribution that provides it
_TOOLS = {
    "ruff": "ruff",
    "flake8": "flake8",
    "mypy": "mypy",
    "pyright": "pyright",
    "pytest": "pytest",
    "tox": "tox",
    "nox": "nox",
    "pre-commit": "pre-commit",
    "sphinx-build": "sphinx",
    "mkdocs": "mkdocs",
}


def _tool_of(command: str) -> str | None:
    words = command.split()
    return _TOOLS.get(words[0]) if words else None


def shown_command(plan: CheckPlan) -> str:
    """What a check's job does, as `init`'s table and `config` show it."""
    if plan.unfound is not None:  # written "" or not: the job passes saying what to set
        return "(skipped: nothing found)"
    if plan.skipped:
        return "(skipped by policy)"
    if plan.command is None:
        return "(none found: the job fails until one is set)"
    return plan.command


def github_check_names(checks: Iterable[str], package: str | None) -> list[str]:
    """The names the required checks' jobs report to GitHub: in a repository of several
    packages each package's own (`lint (core)`), but the release label, which is the pull
    request's."""
    if package is None:
        return list(checks)
    return [c if c == LABEL_CHECK else f"{c} ({package})" for c in checks]


def job_command(plan: CheckPlan, pyproject: str) -> str:
    """The shell line a check's job runs: its command, a skip notice, or a one-line failure
    that says what to set (a tool the project lacks: the host words `unfound_message`)."""
    if plan.skipped:
        return f'echo "{plan.name} is skipped by policy ({plan.name} = \\"\\" in {pyproject})"'
    if plan.command is None:
        return f'echo "::error::{missing(plan.name, pyproject)}"; exit 1'
    return plan.command


def missing(check: str, pyproject: str) -> str:
    """What to do about a check nothing was found for, in one line."""
    where = f"[tool.tagship.checks] in {pyproject}"
    return f"no {check} command found: set {check} = '...' (or '' to skip it) under {where}"


def unfound_message(plan: CheckPlan, pyproject: str) -> str:
    """What the job of a check the project has no tool for says, in one line."""
    where = f'[tool.tagship.checks] {plan.name} = "..." in {pyproject}'
    return f"no {plan.unfound} configured: set {where} to run one"


def unfound_note(plans: Sequence[CheckPlan], pyproject: str) -> str | None:
    """What `init` says about the checks it could not infer (None: it inferred them all, or a
    skip is written already)."""
    unfound = [p for p in plans if p.unfound is not None and not p.skipped]
    if not unfound:
        return None
    tools = ", ".join(f"no {p.unfound}" for p in unfound)
    return (
        f"could not infer {', '.join(p.name for p in unfound)} ({tools} found): each is a job "
        f"that passes saying so; set its command under [tool.tagship.checks] in {pyproject} "
        "to run one"
    )
