"""zizmor and actionlint on a repository's workflows, their findings in tagship's shape."""

from __future__ import annotations

import json
import shutil
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagship.ci.github.environment import TOKEN_VARIABLES
from tagship.ci.github.policy import WORKFLOWS_DIR, Finding
from tagship.core.errors import ServiceError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.adapters.process import Runner

# zizmor exits 10 + the highest severity found (unknown .. high) with --format json
_ZIZMOR_FINDINGS = range(10, 15)
# a token would switch zizmor to online audits that call GitHub: doctor stays offline
_TOKENS = (*TOKEN_VARIABLES, "ZIZMOR_GITHUB_TOKEN")
_TIMEOUT = 120.0


def find_tool(name: str, env: Mapping[str, str]) -> str | None:
    """A tool installed beside tagship (same environment), else on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / name
    if beside.is_file():
        return str(beside)
    return shutil.which(name, path=env.get("PATH"))


def zizmor(root: Path, runner: Runner, env: Mapping[str, str]) -> list[Finding]:
    """zizmor's findings on `root`/.github/workflows, offline."""
    program = find_tool("zizmor", env)
    if program is None:
        raise ServiceError(
            "zizmor is not installed", hint="reinstall tagship: zizmor is one of its dependencies"
        )
    scrubbed = {k: v for k, v in env.items() if k not in _TOKENS}
    done = runner(
        [program, "--offline", "--no-progress", "--format", "json", WORKFLOWS_DIR],
        cwd=root,
        env=scrubbed,
        timeout=_TIMEOUT,
    )
    if done.returncode != 0 and done.returncode not in _ZIZMOR_FINDINGS:
        raise ServiceError(f"zizmor failed (exit {done.returncode}): {done.tail(3)}")
    try:
        raw = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        raise ServiceError(f"zizmor printed no JSON: {done.tail(3)}") from None
    return [_zizmor_finding(item) for item in raw if not item.get("ignored")]


def _zizmor_finding(item: dict[str, Any]) -> Finding:
    locations = item.get("locations") or [{}]
    primary = next(
        (loc for loc in locations if loc.get("symbolic", {}).get("kind") == "Primary"),
        locations[0],
    )
    symbolic = primary.get("symbolic", {})
    path = symbolic.get("key", {}).get("Local", {}).get("verbatim_path", WORKFLOWS_DIR)
    row = primary.get("concrete", {}).get("location", {}).get("start_point", {}).get("row", 0)
    annotation = symbolic.get("annotation", "")
    fixes = item.get("fixes") or []
    fix = fixes[0].get("title") if fixes else None
    severity = item.get("determinations", {}).get("severity", "")
    return Finding(
        f"zizmor/{item.get('ident', 'unknown')}",
        str(path),
        int(row) + 1,
        f"{item.get('desc', '')}{f': {annotation}' if annotation else ''} ({severity.lower()})",
        fix or f"see {item.get('url', 'https://docs.zizmor.sh/audits/')}",
        source="zizmor",
    )


def actionlint(root: Path, runner: Runner, env: Mapping[str, str]) -> list[Finding] | None:
    """actionlint's errors, or None when actionlint is not installed (it is optional)."""
    program = find_tool("actionlint", env)
    if program is None:
        return None
    files = sorted(
        str(p.relative_to(root))
        for p in (root / WORKFLOWS_DIR).glob("*")
        if p.suffix in (".yml", ".yaml")
    )
    if not files:
        return []
    done = runner(
        [program, "-no-color", "-format", "{{json .}}", *files], cwd=root, env=env, timeout=_TIMEOUT
    )
    if done.returncode not in (0, 1):  # 1: errors found; 2 and 3: actionlint itself failed
        raise ServiceError(f"actionlint failed (exit {done.returncode}): {done.tail(3)}")
    try:
        raw = json.loads(done.stdout or "[]") or []
    except json.JSONDecodeError:
        raise ServiceError(f"actionlint printed no JSON: {done.tail(3)}") from None
    return [
        Finding(
            f"actionlint/{item.get('kind', 'error')}",
            str(item.get("filepath", "")),
            int(item.get("line", 1)),
            str(item.get("message", "")),
            "see https://github.com/rhysd/actionlint/blob/main/docs/checks.md",
            source="actionlint",
        )
        for item in raw
    ]
