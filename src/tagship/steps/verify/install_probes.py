"""What proves an installed release works: every module it provides imports, or, for a wheel
without modules, each of its console scripts answers `--version` or `--help`.

The modules come from the wheel's RECORD: packages, modules, namespace packages (a directory
without `__init__.py` that holds modules), extension modules, and what `.data/purelib` and
`.data/platlib` install beside them. `__main__` modules are left out (importing one runs the
program), and so are bare `lib*.so` files (shared libraries shipped in a package, not
modules). A module that needs an optional dependency the release does not install (its import
fails with ModuleNotFoundError naming a module outside the wheel) is listed as not imported,
and so is one whose own code raises a plain ImportError (it refuses this platform: rich's
`_win32_console` off Windows), unless every module does; every other failure fails the check.
"""

from __future__ import annotations

import configparser
import json
import keyword
import shlex
import shutil
from dataclasses import dataclass
from importlib.machinery import BYTECODE_SUFFIXES, EXTENSION_SUFFIXES, SOURCE_SUFFIXES
from typing import TYPE_CHECKING

from tagship.adapters.archives import open_wheel, read_text
from tagship.core.errors import ServiceError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from tagship.adapters.process import Completed, Runner

SCRIPT_TIMEOUT = 120.0  # a script that waits for input gets none; one that hangs is a failure
IMPORT_TIMEOUT = 600.0
# the import script's own lines, told apart from what the modules print as they import
_MARK = "tagship-import-failed "
_SHOWN = 6  # modules named in a passing check's detail
# longest first: `.cpython-311-x86_64-linux-gnu.so` before the bare `.so`
_SUFFIXES = sorted({*SOURCE_SUFFIXES, *BYTECODE_SUFFIXES, *EXTENSION_SUFFIXES}, key=len)[::-1]
_IMPORT_ALL = f"""\
import importlib, json, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as error:
        print({_MARK!r} + json.dumps([name, error.name or "", str(error)]))
    except ImportError as error:
        # raised by the module's own code (it names no module: not "cannot import name"):
        # it refuses this platform, as rich._win32_console does off Windows
        refused = type(error) is ImportError and error.name is None
        said = str(error) if refused else f"{{type(error).__name__}}: {{error}}"
        print({_MARK!r} + json.dumps([name, None, said, refused]))
    except BaseException as error:  # SystemExit and the like too: any import that fails
        print({_MARK!r} + json.dumps([name, None, f"{{type(error).__name__}}: {{error}}"]))
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

    def run(self, argv: list[str], *, timeout: float | None = None) -> Completed:
        return self.runner(argv, env=self.env, cwd=self.cwd, timeout=timeout, stdin="")


def _module_name(file_name: str) -> str | None:
    suffix = next((s for s in _SUFFIXES if file_name.endswith(s)), None)
    if suffix is None:
        return None
    stem = file_name[: -len(suffix)]
    if suffix == ".so" and stem.startswith("lib"):
        return None
    return stem


def _identifier(part: str) -> bool:
    return part.isidentifier() and not keyword.iskeyword(part)


def importable_modules(paths: Iterable[str]) -> list[str]:
    """The dotted names of every module and package the RECORD paths `paths` install."""
    names: set[str] = set()
    for path in paths:
        parts = path.split("/")
        if parts[0].endswith(".data") and len(parts) > 2 and parts[1] in ("purelib", "platlib"):  # noqa: PLR2004
            parts = parts[2:]
        elif parts[0].endswith((".dist-info", ".data")):
            continue
        module = _module_name(parts[-1])
        if module is None or "__pycache__" in parts:
            continue
        dotted = parts[:-1] if module == "__init__" else [*parts[:-1], module]
        if not dotted or dotted[-1] == "__main__" or not all(map(_identifier, dotted)):
            continue
        names.update(".".join(dotted[: i + 1]) for i in range(len(dotted)))
    return sorted(names)


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def _failures(output: str, own: set[str]) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """What the import script said: the failures, the modules needing a dependency the
    release lacks (outside the `own` top-level names), and those refusing this platform."""
    failed, optional, refusing = [], {}, {}
    for row in output.splitlines():
        if not row.startswith(_MARK):
            continue
        name, missing, message, *refused = json.loads(row[len(_MARK) :])
        if missing and missing.split(".")[0] not in own:
            optional[name] = missing
        elif refused == [True]:
            refusing[name] = message
        else:
            failed.append(f"{name}: {message}")
    return failed, optional, refusing


def import_check(installed: Installed, modules: list[str]) -> Check:
    """Import every module in one fresh interpreter of the environment."""
    argv = [str(installed.python), "-c", _IMPORT_ALL, *modules]
    try:
        done = installed.run(argv, timeout=IMPORT_TIMEOUT)
    except ServiceError:
        return Check("import", ok=False, detail=f"not done within {IMPORT_TIMEOUT:.0f} s")
    if not done.ok:
        return Check("import", ok=False, detail=done.tail(1) or f"exit {done.returncode}")
    failed, optional, refusing = _failures(done.stdout, {name.split(".")[0] for name in modules})
    if failed:
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        return Check("import", ok=False, detail=failed[0] + more)
    imported = [m for m in modules if m not in optional and m not in refusing]
    if not imported and refusing:  # every module refused: nothing of it works here
        return Check("import", ok=False, detail=f"every module refuses: {_listed(list(refusing))}")
    detail = f"{len(imported)} module{'' if len(imported) == 1 else 's'}: {_listed(imported)}"
    if optional:
        needs = [f"{name} (needs {missing})" for name, missing in optional.items()]
        detail += f"; not imported, an optional dependency is missing: {_listed(needs)}"
    if refusing:
        said = [f"{name} ({message})" for name, message in refusing.items()]
        detail += f"; not imported, refusing this platform: {_listed(said)}"
    return Check("import", ok=True, detail=detail)


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


def smoke_check(installed: Installed, command: str) -> Check:
    done = installed.run(shlex.split(command))
    return Check("smoke command", done.ok, command if done.ok else f"{command}: {done.tail(1)}")
