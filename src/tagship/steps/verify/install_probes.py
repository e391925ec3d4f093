"""What proves an installed release works: the modules the import plan names import
(import_targets.py decides which), or, for a wheel without modules, each of its console
scripts answers `--version` or `--help`.

Every module is imported in one fresh, isolated interpreter of the new environment (`-I`:
no PYTHONPATH, no user site, not the working directory), which writes what happened to a
file, so nothing a module prints can pass for a result. Any exception fails the check,
whatever its kind, and so does a module found outside the environment (the standard library
shadowing one of the wheel's names) or a run that ends before the last module (a module
calling `os._exit`).
"""

from __future__ import annotations

import configparser
import json
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.archives import open_wheel, read_text
from tagship.core.errors import ServiceError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from tagship.adapters.process import Completed, Runner
    from tagship.steps.verify.import_targets import ImportPlan

SCRIPT_TIMEOUT = 120.0  # a script that waits for input gets none; one that hangs is a failure
IMPORT_TIMEOUT = 600.0
_IMPORT_ALL = """\
import importlib, json, os, sys
home = os.path.join(os.path.realpath(sys.prefix), "")
failed = []
for name in sys.argv[2:]:
    try:
        module = importlib.import_module(name)
    except BaseException as error:  # SystemExit and the like too: any import that fails
        failed.append([name, f"{type(error).__name__}: {error}"])
        continue
    where = getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", [])), None)
    if where is None or not os.path.realpath(where).startswith(home):
        failed.append([name, f"imported from {where}, not from the installed release"])
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"failed": failed}, out)
"""


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Installed:
    """A virtual environment holding the release: its interpreter and how to run in it."""

    python: Path
    env: Mapping[str, str]
    runner: Runner
    cwd: Path

    def run(
        self, argv: list[str], *, timeout: float | None = None, cwd: Path | None = None
    ) -> Completed:
        return self.runner(argv, env=self.env, cwd=cwd or self.cwd, timeout=timeout, stdin="")


def _names(names: Iterable[str]) -> str:
    return ", ".join(names)


def _imported(plan: ImportPlan) -> str:
    """The passing check's detail: exactly what was imported, and what was left out."""
    count = len(plan.imported)
    if plan.mode == "all":
        tops = sorted({n.split(".")[0] for n in plan.imported})
        what = f"all: {count} module{'' if count == 1 else 's'} of {_names(tops)}"
    else:
        what = f"top-level: {_names(plan.imported)}"
        if plan.namespaces:
            what += f" (through namespace {_names(plan.namespaces)})"
    if plan.excluded:
        what += f"; excluded: {_names(plan.excluded)}"
    if plan.unmatched:
        what += f"; exclude patterns matching nothing: {_names(plan.unmatched)}"
    return what


def import_check(installed: Installed, plan: ImportPlan) -> Check:
    """Import every module of `plan` in one fresh interpreter of the environment."""
    results = installed.cwd / "imported.json"
    results.unlink(missing_ok=True)
    argv = [str(installed.python), "-I", "-c", _IMPORT_ALL, str(results), *plan.imported]
    try:
        done = installed.run(argv, timeout=IMPORT_TIMEOUT)
    except ServiceError:
        return Check("import", ok=False, detail=f"not done within {IMPORT_TIMEOUT:.0f} s")
    if not done.ok or not results.is_file():
        said = done.tail(1) or f"exit {done.returncode}"
        return Check("import", ok=False, detail=f"the import run ended early: {said}")
    failed = [f"{name}: {message}" for name, message in json.loads(results.read_text())["failed"]]
    if failed:
        more = f" (and {len(failed) - 1} more: {_names(failed[1:])})" if len(failed) > 1 else ""
        # below the top level a module may be meant for elsewhere; a top-level one is not
        skip = " (or leave it out: [tool.tagship.verify-install] exclude)"
        return Check(
            "import", ok=False, detail=failed[0] + more + (skip if plan.mode == "all" else "")
        )
    return Check("import", ok=True, detail=_imported(plan))


def console_scripts(wheel: Path, paths: Iterable[str]) -> list[str]:
    """The scripts a wheel installs: its console_scripts entry points and `.data/scripts`."""
    with open_wheel(wheel) as archive:
        names = (n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
        name = next(names, None)
        raw = read_text(archive.open(name), "entry_points.txt") if name else None
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # names keep their case
    try:
        parser.read_string((raw or b"").decode("utf-8", "replace"))
    except configparser.Error:
        return []  # unreadable entry points install no script either
    found = set(parser["console_scripts"]) if parser.has_section("console_scripts") else set()
    found |= {p.split("/")[-1] for p in paths if p.split("/")[1:2] == ["scripts"]}
    return sorted(found)


def _exits_zero(installed: Installed, argv: list[str]) -> bool:
    try:
        return installed.run(argv, timeout=SCRIPT_TIMEOUT).ok
    except ServiceError:  # it did not finish in time
        return False


def _answers(installed: Installed, script: str) -> str | None:
    """The command line of the script's that exits 0: --version, else --help."""
    where = shutil.which(script, path=str(installed.python.parent))
    if where is None:
        return None
    flag = next((f for f in ("--version", "--help") if _exits_zero(installed, [where, f])), None)
    return None if flag is None else f"{script} {flag}"


def scripts_check(installed: Installed, scripts: list[str]) -> Check:
    """Each script answers --version or --help; the detail says which did."""
    answered = []
    for script in scripts:
        command = _answers(installed, script)
        if command is None:
            detail = f"{script} exits non-zero with both --version and --help (or is missing)"
            return Check("scripts", ok=False, detail=detail)
        answered.append(command)
    return Check("scripts", ok=True, detail=", ".join(answered))
