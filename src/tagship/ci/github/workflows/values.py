"""What [tool.tagship] puts into the generated workflows, judged before a byte is written.

GitHub pastes a `${{ ... }}` expression into a job's script before the shell reads it (template
injection), and evaluates it in most other values too; some text breaks the YAML or the shell
line tagship writes around it (a line separator, a quote in a quoted argument, a branch name
in a `case` pattern). Such a value is refused naming its key (exit 2). A generated workflow
that already carries an expression in a `run:` is a doctor finding. Pure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tagship.ci.github.policy import Finding, publishers
from tagship.ci.github.workflow_model import WorkflowSyntaxError, parse_workflow
from tagship.core.config import COMMAND_LINE, REPOSITORY
from tagship.core.config_values import is_project_name
from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from tagship.ci.github.workflow_model import Workflow
    from tagship.core.config import Config
    from tagship.core.infer_checks import CheckPlan

EXPRESSION = "${{"
RUN_EXPRESSION = "generated-run-expression"
# script: a shell script (lines and tabs allowed); line: one line of text; branch and glob:
# in GitHub's branch filters and a shell `case` pattern; quoted: inside "..." of a shell line;
# job: a job id; project: a project name on the index
Kind = Literal["script", "line", "branch", "glob", "quoted", "job", "project"]
# what git, GitHub's branch filters and the shell all read the same: no quote, `$`, space;
# no `+` or `?`, which GitHub's filters read as repetitions
_SHAPES: dict[Kind, tuple[re.Pattern[str], str]] = {
    "branch": (re.compile(r"[A-Za-z0-9._/@-]+"), "letters, digits and . _ / - @"),
    "glob": (re.compile(r"[A-Za-z0-9._/@*\[\]-]+"), "letters, digits, . _ / - @, * and [...]"),
    "job": (
        re.compile(r"[A-Za-z_][A-Za-z0-9_-]*"),
        "letters, digits, - and _, a letter or _ first (a GitHub job id)",
    ),
}
_QUOTE_BREAKERS = frozenset('"$`\\')
_ENV_HINT = (
    "read the value in the command from an environment variable instead: GitHub sets "
    "$GITHUB_REF_NAME, $GITHUB_HEAD_REF, $GITHUB_EVENT_PATH and others in every job"
)


@dataclass(frozen=True)
class Written:
    """A value init writes into a workflow: its key in [tool.tagship], its text, how it is
    written, and the key of config.sources that says where it was set."""

    key: str
    text: str
    kind: Kind
    source: str


def _hidden(text: str, kind: Kind) -> str | None:
    """The first character that breaks the YAML, reads as a line break, or hides text from
    a reviewer (controls, format characters such as bidi overrides, line separators)."""
    allowed = "\n\t" if kind == "script" else ""
    for char in text:
        if char not in allowed and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return f"U+{ord(char):04X}"
    return None


def _problem(value: Written) -> tuple[str, str] | None:
    """(what is wrong, how to fix it), or None."""
    if EXPRESSION in value.text:
        why = "holds a GitHub expression (${{ ... }}), which GitHub pastes into the workflow "
        return why + "before it runs (template injection)", _ENV_HINT
    hidden = _hidden(value.text, value.kind)
    if hidden is not None:
        return (
            f"holds {hidden}, which breaks the workflow's YAML or hides text from review",
            "remove it; write a line break as a real one",
        )
    shape = _SHAPES.get(value.kind)
    if shape is not None and not shape[0].fullmatch(value.text):
        return f"is {value.text!r}, which the workflows cannot carry as it is", f"use {shape[1]}"
    if value.kind == "quoted" and _QUOTE_BREAKERS & set(value.text):
        return 'holds " $ ` or \\, which would break out of the quoted install command', (
            "write the URL or path without them"
        )
    if value.kind == "project" and not is_project_name(value.text):
        return "is not a project name the index accepts", (
            "ASCII letters and digits, with . _ - between them (PEP 508)"
        )
    return None


def _where(config: Config, source: str) -> str:
    origin = config.sources.get(source)
    if origin == COMMAND_LINE:
        return "given with --set on the command line"
    if origin == REPOSITORY:
        return "in the repository's root pyproject.toml"
    return f"in {config.pyproject}"


def written_values(
    config: Config, plans: Sequence[CheckPlan], *, project: str, skip: Iterable[str] = ()
) -> Iterator[Written]:
    """Every value of the config (and of the checks' plans) that init writes into a workflow;
    the checks in `skip` run in the project's own workflows and get no job."""
    skipped = set(skip)
    yield Written("project.name", project, "project", "project.name")
    for plan in plans:
        if plan.name in skipped:
            continue
        yield Written("required-checks", plan.name, "job", "required-checks")
        yield Written(f"checks.{plan.name}", plan.command or "", "script", f"checks.{plan.name}")
        yield Written("check-setup", plan.setup, "script", "check-setup")
    if config.install_tagship:
        yield Written("install-tagship", config.install_tagship, "quoted", "install-tagship")
    yield Written("release-branch", config.release_branch, "branch", "release-branch")
    yield Written("hotfix-branches", config.hotfix_branches, "glob", "hotfix-branches")
    for publisher in publishers(config, project):
        index = config.index(publisher.index)
        for key, text in (("environment", index.environment), ("simple-url", index.simple_url)):
            name = f"indexes.{index.name}.{key}"
            yield Written(name, text or "", "line", name)


def judge(values: Iterable[Written], config: Config) -> None:
    """ConfigError (exit 2) naming the key of the first value init may not write."""
    for value in values:
        found = _problem(value)
        if found is not None:
            problem, hint = found
            key = value.key if value.key.startswith("project.") else f"tool.tagship.{value.key}"
            raise ConfigError(f"`{key}` {_where(config, value.source)} {problem}", hint=hint)


def run_expressions(workflow: Workflow) -> Iterator[Finding]:
    """A generated workflow's `run:` holding an expression: tagship never writes one, so it
    came from an older config or a hand edit."""
    for route, text in workflow.strings():
        if route[-1:] == ("run",) and EXPRESSION in text:
            yield Finding(
                RUN_EXPRESSION,
                workflow.path,
                workflow.line(route),
                "a run: of this generated workflow holds a GitHub expression (${{ ... }}), "
                "pasted into the script before it runs (template injection)",
                "remove the expression from [tool.tagship] (read the value from an environment "
                "variable) and run `tagship init` again",
            )


def runs_expression(path: str, text: str) -> bool:
    """Whether the workflow text has a `run:` holding an expression (False if not YAML)."""
    try:
        return any(run_expressions(parse_workflow(path, text)))
    except WorkflowSyntaxError:
        return False
