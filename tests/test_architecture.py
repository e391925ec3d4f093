"""The layout's rules, read from the code itself: every import points down, no module imports
itself back (type-only imports count), only the CI-host seam reads CI variables, and
`--format` is declared once. docs/architecture.md's picture is drawn from the same map."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PICTURE = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"

# the floors, lowest first: a module may import its own floor and those below, never above
# (the most specific prefix decides; a CI host's package sits at the adapters' floor, but its
# doctor reads the workspace like a step)
FLOORS: dict[str, int] = {
    "tagship.core": 0,
    "tagship.adapters": 1,
    "tagship.ci": 1,
    "tagship.workspace": 2,
    "tagship.repository": 2,
    "tagship.steps": 3,
    "tagship.ci.github.doctor": 3,
    "tagship.flows": 4,
    "tagship.cli": 5,
    "tagship.__main__": 6,
}
NAMES = ("core", "adapters, ci", "workspace, repository", "steps", "flows", "cli", "__main__")
# the variables a CI host sets (and its token's), read only inside the seam
CI_VARIABLE = re.compile(r"^(?:CI|GITHUB_\w+|GH_TOKEN|ACTIONS_\w+|RUNNER_\w+|GITLAB_\w+|CI_\w+)$")
SEAM = {"tagship.ci", "tagship.ci.github.environment", "tagship.ci.gitlab.environment"}


def _module(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, ast.Module]:
    return {_module(p): ast.parse(p.read_text(encoding="utf-8")) for p in SRC.rglob("*.py")}


def floor(name: str) -> int:
    best = max((p for p in FLOORS if name == p or name.startswith(p + ".")), key=len, default=None)
    assert best is not None, f"{name} has no floor: add it to FLOORS"
    return FLOORS[best]


@cache
def imports() -> dict[str, set[str]]:
    """Each module's imports of tagship modules, at any depth (lazy and type-only ones too)."""
    known = set(modules())
    found: dict[str, set[str]] = {}
    for name, tree in modules().items():
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.add(node.module)
                targets |= {f"{node.module}.{a.name}" for a in node.names}
        found[name] = {t for t in targets if t in known and t != name}
    return found


def test_every_import_points_down() -> None:
    upward = [
        f"{name} (floor {floor(name)}) imports {target} (floor {floor(target)})"
        for name, targets in imports().items()
        for target in sorted(targets)
        if target != "tagship" and floor(target) > floor(name)
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    graph = {name: targets - {"tagship"} for name, targets in imports().items()}
    # parent packages' __init__ modules run first anyway: an import of a package's own
    # submodule from its __init__ is not a cycle back
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == []


def _constants(tree: ast.Module) -> dict[str, str]:
    """The module's names bound to a string: `X = "A"` and `X, Y = "A", "B"`."""
    found: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        pairs = (
            zip(target.elts, value.elts, strict=False)
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
            else [(target, value)]
        )
        for name, constant in pairs:
            if (
                isinstance(name, ast.Name)
                and isinstance(constant, ast.Constant)
                and isinstance(constant.value, str)
            ):
                found[name.id] = constant.value
    return found


def _environment_reads(tree: ast.Module) -> list[str]:
    """CI variable names read from a mapping: env["X"], env.get("X"), os.getenv("X"), the
    name spelled out or held in a module constant."""
    constants = _constants(tree)
    found = []
    for node in ast.walk(tree):
        key: ast.expr | None = None
        if isinstance(node, ast.Subscript):
            key = node.slice
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("get", "getenv", "pop"):
                key = node.args[0]
        name = None
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            name = key.value
        elif isinstance(key, ast.Name):
            name = constants.get(key.id)
        if name is not None and CI_VARIABLE.match(name):
            found.append(name)
    return found


def test_only_the_ci_host_seam_reads_ci_variables() -> None:
    readers = {
        name: reads for name, tree in modules().items() if (reads := _environment_reads(tree))
    }
    assert set(readers) <= SEAM, {k: v for k, v in readers.items() if k not in SEAM}
    assert len(readers) <= len(SEAM)


def test_the_check_sees_a_read() -> None:
    # the rule above must be able to fail: these are the shapes it looks for
    tree = ast.parse(
        'A, B = "ACTIONS_ID_TOKEN_REQUEST_URL", "HOME"\nenv.get("GITHUB_REF")\nenv["CI"]\n'
        'os.getenv("RUNNER_TEMP")\nx.get("HOME")\nenv.get(A)\nenv.get(B)'
    )
    reads = _environment_reads(tree)
    assert reads == ["GITHUB_REF", "CI", "RUNNER_TEMP", "ACTIONS_ID_TOKEN_REQUEST_URL"]


def test_format_is_declared_once() -> None:
    declared = [
        name
        for name, tree in modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and any(isinstance(a, ast.Constant) and a.value == "--format" for a in node.args)
    ]
    assert declared == ["tagship.cli.options"]


def picture() -> str:
    """The floors as a Mermaid graph, each edge one that some import takes."""
    edges = sorted(
        {
            (floor(name), floor(target))
            for name, targets in imports().items()
            for target in targets
            if target != "tagship" and floor(target) < floor(name)
        }
    )
    lines = ["```mermaid", "flowchart TD"]
    lines += [f'  F{n}["{label}"]' for n, label in enumerate(NAMES)]
    lines += [f"  F{a} --> F{b}" for a, b in edges if a < len(NAMES)]
    return "\n".join([*lines, "```"]) + "\n"


def test_the_architecture_picture_is_current() -> None:
    text = PICTURE.read_text(encoding="utf-8")
    start, end = "<!-- layers: begin -->\n", "<!-- layers: end -->"
    assert start in text
    assert end in text
    drawn = text.split(start, 1)[1].split(end, 1)[0]
    assert drawn == picture(), "regenerate: python tests/test_architecture.py"


@pytest.mark.parametrize("name", ["tagship.steps", "tagship.ci", "tagship.adapters.build"])
def test_each_domain_package_says_what_it_may_import(name: str) -> None:
    doc = ast.get_docstring(modules()[name]) or ""
    assert "May import" in doc


if __name__ == "__main__":
    # rewrite the picture between its markers
    text = PICTURE.read_text(encoding="utf-8")
    head, rest = text.split("<!-- layers: begin -->\n", 1)
    tail = rest.split("<!-- layers: end -->", 1)[1]
    PICTURE.write_text(f"{head}<!-- layers: begin -->\n{picture()}<!-- layers: end -->{tail}")
