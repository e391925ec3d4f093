"""GitHub Actions workflow files as plain data, with the line of every key for findings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from tagship.ci.github.workflows.workflow_files import is_generated
from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

Route = tuple[str | int, ...]

# commands that upload to a package index, and those that build distributions
_PUBLISH_RUN = re.compile(
    r"\btagship\s+publish\b|\btwine\s+upload\b|\buv\s+publish\b|\b(?:poetry|hatch|pdm|flit)\s+publish\b"
)
_PUBLISH_ACTION = "pypa/gh-action-pypi-publish"
_BUILD_RUN = re.compile(
    r"\btagship\s+build\b|\bpython3?\s+-m\s+build\b|\bpyproject-build\b|\buv\s+build\b"
    r"|\b(?:poetry|hatch|pdm|flit)\s+build\b"
)
# the `if:` that switches a job or step off: always false, yet no constant (actionlint refuses
# a constant condition); a literal `false`, or `false && ...` without `||`, is off too
OFF = "github.event_name == 'disabled-by-tagship-init'"
_OFF = re.compile(
    r"^\s*(?:\$\{\{\s*)?(?:false(?:\s*&&(?:(?!\|\|).)*)?|github\.event_name\s*==\s*"
    r"'disabled-by-tagship-init')\s*(?:\}\})?\s*$",
    re.DOTALL,
)
_TAG_GATE = re.compile(r"\btagship\s+check-tag\b")
_PUBLISH_TO = re.compile(r"\btagship\s+publish\b[^\n;&|]*?--to[ =]([\w.-]+)")


class WorkflowSyntaxError(ConfigError):
    """A workflow file that is not YAML, or not a mapping at its top."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message, hint="fix the YAML; GitHub does not run what it cannot parse")
        self.line = line


@dataclass(frozen=True)
class Workflow:
    """One workflow file: its data (every scalar kept as text) and where each key sits."""

    path: str
    data: Mapping[str, Any]
    lines: Mapping[Route, int]
    generated: bool = False  # carries `tagship init`'s header: tagship's own file

    @property
    def file_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def line(self, route: Route) -> int:
        """The line of `route`, or of its nearest ancestor that has one."""
        while route:
            if route in self.lines:
                return self.lines[route]
            route = route[:-1]
        return 1

    def triggers(self) -> dict[str, Any]:
        """`on:` as a mapping of event -> its filters (a bare event maps to {})."""
        raw = self.data.get("on", {})
        if isinstance(raw, str):
            return {raw: {}}
        if isinstance(raw, list):
            return {str(event): {} for event in raw}
        return {k: (v if isinstance(v, dict) else {}) for k, v in raw.items()}

    def jobs(self) -> dict[str, dict[str, Any]]:
        raw = self.data.get("jobs", {})
        return (
            {k: v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}
        )

    def strings(self) -> Iterator[tuple[Route, str]]:
        """Every scalar in the file with its route, in file order."""
        yield from _walk(self.data, ())


def _walk(node: Any, route: Route) -> Iterator[tuple[Route, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*route, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*route, index))
    elif isinstance(node, str):
        yield route, node


def parse_workflow(path: str, text: str) -> Workflow:
    """Parse workflow text; YAML errors name the file and line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "syntax error"
        raise WorkflowSyntaxError(f"{path}:{line} is not valid YAML: {problem}", line) from None
    lines: dict[Route, int] = {}
    data = _convert(root, (), lines) if root is not None else {}
    if not isinstance(data, dict):
        raise WorkflowSyntaxError(f"{path} is not a workflow: its top level is not a mapping", 1)
    return Workflow(path, data, lines, generated=is_generated(text))


def _convert(node: yaml.Node, route: Route, lines: dict[Route, int]) -> Any:
    # scalars stay text: `on:` must not become True, nor `3.10` become 3.1
    lines.setdefault(route, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child: Route = (*route, key)
            lines[child] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, child, lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*route, i), lines) for i, item in enumerate(node.value)]
    return str(node.value)


def steps(job: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = job.get("steps", [])
    return [s for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []


def is_off(condition: Any) -> bool:
    """An `if:` that never holds: the job or step it guards never runs."""
    return isinstance(condition, str) and bool(_OFF.match(condition))


def step_publishes(step: Mapping[str, Any]) -> bool:
    if is_off(step.get("if")):
        return False
    uses = str(step.get("uses", ""))
    return uses.startswith(_PUBLISH_ACTION) or bool(_PUBLISH_RUN.search(str(step.get("run", ""))))


def step_builds(step: Mapping[str, Any]) -> bool:
    return bool(_BUILD_RUN.search(str(step.get("run", ""))))


def step_gates_tag(step: Mapping[str, Any]) -> bool:
    return bool(_TAG_GATE.search(str(step.get("run", ""))))


def job_publishes(job: Mapping[str, Any]) -> bool:
    if is_off(job.get("if")):
        return False
    return any(step_publishes(s) for s in steps(job))


def publish_target(job: Mapping[str, Any]) -> str:
    """The index a publishing job uploads to, as far as its text tells."""
    for step in steps(job):
        if not step_publishes(step):
            continue
        run = str(step.get("run", ""))
        named = _PUBLISH_TO.search(run)
        if named is not None:
            return named.group(1)
        with_ = step.get("with", {})
        text = (
            run + " " + " ".join(str(v) for v in with_.values()) if isinstance(with_, dict) else run
        )
        return "testpypi" if "test.pypi.org" in text or "testpypi" in text else "pypi"
    return "pypi"


def needs(job: Mapping[str, Any]) -> tuple[str, ...]:
    raw = job.get("needs", ())
    if isinstance(raw, str):
        return (raw,)
    return tuple(str(n) for n in raw) if isinstance(raw, list) else ()


def environment_name(job: Mapping[str, Any]) -> str | None:
    raw = job.get("environment")
    if isinstance(raw, dict):
        name = raw.get("name")
        return name if isinstance(name, str) else None
    return raw if isinstance(raw, str) else None


def grants_id_token(permissions: Any) -> bool:
    if isinstance(permissions, str):
        return permissions == "write-all"
    return isinstance(permissions, dict) and permissions.get("id-token") == "write"
