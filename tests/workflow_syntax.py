"""What the workflow harness understands of a workflow file: its keys, the expressions tagship
generates, `if:` conditions and `on:` triggers. Anything else is `Unsupported`, loudly, so a
change to what `tagship init` writes is noticed rather than half-emulated."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from workflow_expressions import ExpressionError, Parsed, evaluate_tree, parse

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from workflow_events import Event

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")
_WORKFLOW_KEYS = {"name", "on", "permissions", "concurrency", "jobs", "env"}
_JOB_KEYS = {
    *("name", "runs-on", "permissions", "steps", "needs", "environment", "if", "env"),
    *("strategy", "outputs", "defaults"),
}
_STEP_KEYS = {"name", "uses", "with", "run", "env", "if", "id", "shell", "working-directory"}


class Unsupported(Exception):  # noqa: N818 - reads as the verdict it is
    """The workflow uses something the harness does not understand: extend the harness."""


# -- expressions ----------------------------------------------------------------------------


def _lookup(name: str, context: Mapping[str, str]) -> str:
    if name not in context:
        raise Unsupported(f"no value for ${{{{ {name} }}}} in this run")
    return context[name]


def _parsed(text: str) -> Parsed:
    try:
        return parse(text)
    except ExpressionError as exc:
        raise Unsupported(f"expression not understood by the harness: {text!r}: {exc}") from None


def _value(text: str, context: Mapping[str, str], *, failed: bool = False) -> object:
    status = {"success": not failed, "failure": failed, "always": True, "cancelled": False}
    try:
        return evaluate_tree(_parsed(text).tree, lambda n: _lookup(n, context), status)
    except ExpressionError as exc:
        raise Unsupported(f"expression not understood by the harness: {text!r}: {exc}") from None


def evaluate(expression: str, context: Mapping[str, str]) -> object:
    """The value of one expression (workflow_expressions.py: what tagship generates)."""
    return _value(expression.strip(), context)


def substitute(text: str, context: Mapping[str, str]) -> str:
    """`text` with every ${{ }} replaced by its value."""

    def one(match: re.Match[str]) -> str:
        value = evaluate(match[1], context)
        return str(value).lower() if isinstance(value, bool) else str(value)

    return EXPRESSION.sub(one, text)


def condition(value: object, context: Mapping[str, str], *, failed: bool) -> bool:
    """An `if:` (bare, or wrapped in ${{ }}), `failed` telling whether a step before (or a
    job needed) failed. A condition calling a status function (`!cancelled()`, `always()`,
    `failure()`) decides alone; any other holds only after success, as on GitHub. Nothing
    is cancelled."""
    if value is None:
        return not failed
    text = str(value).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2].strip()
    result = _value(text, context, failed=failed)
    if not isinstance(result, bool):
        raise Unsupported(f"if: {value!r} is not a condition")
    return result if _parsed(text).has_status else result and not failed


class Outputs(dict[str, str]):
    """A context in which every job's and step's outputs exist (an empty JSON list): what
    they hold is known only as the run goes, their spelling before it."""

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or str(key).startswith(("needs.", "steps."))

    def __missing__(self, key: str) -> str:
        if key.startswith(("needs.", "steps.")):
            return "[]"
        raise KeyError(key)


def check_expressions(node: object, context: Mapping[str, str]) -> None:
    """Every expression anywhere in the workflow, used by this run or not, is one we know."""
    if isinstance(node, dict):
        for key, value in node.items():
            check_expressions(key, context)
            check_expressions(value, context)
    elif isinstance(node, list):
        for item in node:
            check_expressions(item, context)
    elif isinstance(node, str):
        for found in EXPRESSION.findall(node):
            if not _parsed(found.strip()).has_status:  # read, or Unsupported
                evaluate(found, context)


# -- triggers -------------------------------------------------------------------------------


def _glob(pattern: str) -> re.Pattern[str]:
    """A branch or tag filter: `*` matches within a path segment, `**` across them."""
    if any(c in pattern for c in "?+[]!"):
        raise Unsupported(f"filter pattern not understood by the harness: {pattern!r}")
    pieces = re.split(r"(\*\*|\*)", pattern)
    wild = {"**": ".*", "*": "[^/]*"}
    return re.compile("".join(wild.get(piece, re.escape(piece)) for piece in pieces))


def _matches(patterns: object, value: str) -> bool:
    if not isinstance(patterns, list):
        raise Unsupported(f"filter is not a list: {patterns!r}")
    return any(_glob(str(p)).fullmatch(value) for p in patterns)


def triggers(on: object, event: Event) -> bool:
    """Whether `on:` starts a run for `event` (push filters, pull_request types, dispatch)."""
    if isinstance(on, str):
        on = {on: None}
    if isinstance(on, list):
        on = dict.fromkeys(on)
    if not isinstance(on, dict) or event.name not in on:
        return False
    spec = on[event.name] or {}
    if event.name == "push":
        if set(spec) - {"branches", "tags"}:
            raise Unsupported(f"push filters not understood: {sorted(spec)}")
        kind = "tags" if event.ref_type == "tag" else "branches"
        if kind in spec:
            return _matches(spec[kind], event.ref_name)
        return not spec  # only the other kind is filtered: this kind does not trigger
    if event.name == "pull_request":
        types = spec.get("types", ["opened", "synchronize", "reopened"])
        return str(event.payload.get("action")) in types
    if event.name == "workflow_dispatch":
        declared = spec.get("inputs") or {}
        unknown = set(event.inputs) - set(declared)
        missing = [k for k, v in declared.items() if v.get("required") and k not in event.inputs]
        if unknown or missing:
            raise Unsupported(f"dispatch inputs: unknown {sorted(unknown)}, missing {missing}")
        return True
    raise Unsupported(f"event not understood by the harness: {event.name}")


# -- the file -------------------------------------------------------------------------------


def needs(job: Mapping[str, Any]) -> list[str]:
    found = job.get("needs", [])
    return [found] if isinstance(found, str) else list(found)


def matrix_rows(job: Mapping[str, Any]) -> list[dict[str, str]]:
    """The `matrix.*` values of each of the job's runs: one empty row without a matrix. Only
    what tagship writes is understood: one key, whose values are strings or flat mappings."""
    strategy = job.get("strategy")
    if strategy is None:
        return [{}]
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    if set(strategy) != {"matrix"} or not isinstance(matrix, dict) or len(matrix) != 1:
        raise Unsupported(f"strategy not understood: {strategy!r}")
    ((key, values),) = matrix.items()
    rows = []
    for value in values:
        if isinstance(value, dict):
            rows.append({f"matrix.{key}.{k}": str(v) for k, v in value.items()})
        elif isinstance(value, str):
            rows.append({f"matrix.{key}": value})
        else:
            raise Unsupported(f"matrix value not understood: {value!r}")
    return rows


def permissions(value: object) -> dict[str, str]:
    """A `permissions:` block (what the job's token may do)."""
    if value in (None, {}):
        return {}
    if not isinstance(value, dict):  # read-all, write-all: tagship writes least privilege
        raise Unsupported(f"permissions not understood: {value!r}")
    return {str(k): str(v) for k, v in value.items()}


@dataclass(frozen=True)
class Workflow:
    file: str
    data: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> Workflow:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if True in data:  # YAML 1.1 reads the key `on` as true
            data["on"] = data.pop(True)
        unknown = set(data) - _WORKFLOW_KEYS
        for job_id, job in data["jobs"].items():
            unknown |= {f"{job_id}.{key}" for key in set(job) - _JOB_KEYS}
            for step in job["steps"]:
                unknown |= {f"{job_id}.steps.{key}" for key in set(step) - _STEP_KEYS}
        if unknown:
            raise Unsupported(f"{path.name}: keys not understood: {sorted(unknown)}")
        return cls(path.name, data)

    @property
    def name(self) -> str:
        return str(self.data.get("name", self.file))

    def job(self, job_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.data["jobs"][job_id]
        return found

    def order(self) -> list[str]:
        """Job ids, each after the jobs it needs."""
        jobs: dict[str, Any] = self.data["jobs"]
        done: list[str] = []
        while len(done) < len(jobs):
            ready = [j for j in jobs if j not in done and set(needs(jobs[j])) <= set(done)]
            if not ready:
                raise Unsupported(f"{self.file}: a cycle or unknown job in `needs`")
            done.extend(ready)
        return done
