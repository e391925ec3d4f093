"""Prove a published release installs: a clean venv, the exact version from one index.

The package under test comes only from the index it was published to (hash-checked against
the manifest); its dependencies come from the dependency index in a second, separate step,
so no other index can substitute the package itself.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import sys
import sysconfig
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from tagship.adapters.archives import open_wheel
from tagship.adapters.build.builder import find_uv
from tagship.adapters.process import without_secrets
from tagship.core.errors import ConfigError
from tagship.core.install_config import InstallSettings
from tagship.core.progress import Phase, ignore
from tagship.core.requires import split_requires
from tagship.steps.verify.import_targets import ImportPlan, plan_imports
from tagship.steps.verify.install_probes import (
    Check,
    Installed,
    console_scripts,
    import_check,
    scripts_check,
)
from tagship.steps.verify.smoke_test import run_smoke

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.adapters.process import Completed, Runner
    from tagship.core.config import Credentials
    from tagship.core.manifest import Manifest, ManifestFile
    from tagship.core.progress import Progress
    from tagship.steps.verify.smoke_test import SmokeTest


Installer = Literal["auto", "uv", "pip"]


@dataclass(frozen=True)
class InstallReport:
    index: str
    installer: str
    checks: tuple[Check, ...]
    # what the import check imported and left out (None: it did not get that far)
    plan: ImportPlan | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass(frozen=True)
class InstallTarget:
    """Where to install from: the index under test, and where dependencies come from."""

    name: str
    simple_url: str
    credentials: Credentials | None
    dependency_index: str


def _with_credentials(url: str, credentials: Credentials | None) -> str:
    if credentials is None:
        return url
    parts = urlsplit(url)
    userinfo = f"{quote(credentials.username, safe='')}:{quote(credentials.password, safe='')}"
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


def wheel_record(path: Path) -> list[tuple[str, str]]:
    """(path, sha256=...) rows of a wheel's RECORD, the RECORD itself left out."""
    with open_wheel(path) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith(".dist-info/RECORD"))
        rows = csv.reader(io.StringIO(wheel.read(name).decode("utf-8")))
        return [(row[0], row[1]) for row in rows if row and row[0] != name and row[1]]


def _digest(path: Path) -> str:
    raw = hashlib.sha256(path.read_bytes()).digest()
    return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class _Venv:
    """A new virtual environment, and the installer that fills it."""

    def __init__(
        self, root: Path, runner: Runner, env: Mapping[str, str], installer: Installer
    ) -> None:
        self.root = root
        self.runner = runner
        self.uv = find_uv(env) if installer != "pip" else None
        if installer == "uv" and self.uv is None:
            raise ConfigError("uv is not installed", hint="install uv, or use --installer pip")
        bindir = root / ("Scripts" if sys.platform == "win32" else "bin")
        self.python = bindir / ("python.exe" if sys.platform == "win32" else "python")
        # the installers see no configuration but ours (no config files, no other index or
        # find-links from the environment) and no credential: packages and the smoke
        # command run in here
        kept = {
            name: value
            for name, value in without_secrets(env).items()
            if not name.startswith(("PIP_", "UV_")) or name in ("PIP_CACHE_DIR", "UV_CACHE_DIR")
        }
        self.env = {
            **kept,
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "UV_NO_CONFIG": "1",
            "VIRTUAL_ENV": str(root),
            "PATH": f"{bindir}{os.pathsep}{env.get('PATH', os.defpath)}",
        }

    @property
    def installer(self) -> str:
        return "uv" if self.uv is not None else "pip"

    def create(self) -> Completed:
        if self.uv is not None:
            argv = [str(self.uv), "venv", "--quiet", "--python", sys.executable, str(self.root)]
        else:
            argv = [sys.executable, "-m", "venv", str(self.root)]
        return self.runner(argv, env=self.env, cwd=self.root.parent)

    def install(self, args: list[str], index_url: str, cwd: Path | None = None) -> Completed:
        if self.uv is not None:
            argv = [str(self.uv), "pip", "install", "--python", str(self.python), "--no-progress"]
            env = {**self.env, "UV_INDEX_URL": index_url}
        else:
            argv = [str(self.python), "-m", "pip", "install", "--no-cache-dir", "--quiet"]
            env = {**self.env, "PIP_INDEX_URL": index_url}
        return self.runner([*argv, *args], env=env, cwd=cwd or self.root.parent)

    def site_packages(self) -> Path:
        """Where the venv installs pure-Python packages."""
        # the venv runs this very interpreter, so its scheme names the directory without
        # starting it; asking the venv is the fallback
        scheme = "venv" if "venv" in sysconfig.get_scheme_names() else None
        scheme = scheme or ("nt" if os.name == "nt" else "posix_prefix")
        where = {"base": str(self.root), "platbase": str(self.root)}
        guess = Path(sysconfig.get_path("purelib", scheme, vars=where))
        if guess.is_dir():
            return guess
        code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        return Path(self.python_run(code).stdout.strip())

    def installed(self) -> Installed:
        return Installed(self.python, self.env, self.runner, self.root.parent)

    def python_run(self, code: str, *args: str) -> Completed:
        return self.runner(
            [str(self.python), "-c", code, *args], env=self.env, cwd=self.root.parent
        )


def _requirements(entries: tuple[ManifestFile, ...], manifest: Manifest) -> str:
    hashes = " ".join(f"--hash=sha256:{e.sha256}" for e in entries)
    return f"{manifest.project}=={manifest.version} {hashes}\n"


def _installed_wheel(manifest: Manifest, directory: Path, site: Path) -> ManifestFile | None:
    """The manifest wheel that was installed: the one whose WHEEL file is installed. Its Tag
    lines make it unique in the release, where wheels for several platforms or glibc
    versions may hold the same paths."""
    for entry in manifest.wheels:
        record = wheel_record(directory / entry.name)
        wheel = next((row for row in record if row[0].endswith(".dist-info/WHEEL")), None)
        if (
            wheel is not None
            and (site / wheel[0]).is_file()
            and _digest(site / wheel[0]) == wheel[1]
        ):
            return entry
    return None


def verify_install(
    manifest: Manifest,
    directory: Path,
    target: InstallTarget,
    *,
    runner: Runner,
    env: Mapping[str, str],
    settings: InstallSettings | None = None,
    smoke: SmokeTest | None = None,
    installer: Installer = "auto",
    progress: Progress = ignore,
) -> InstallReport:
    """Install `name==version` from the target index into a new venv and check it: import
    what `settings` says, then run `smoke`. `progress` hears each phase, naming the installer."""
    plan = None
    with tempfile.TemporaryDirectory(prefix="tagship-install-") as tmp:
        venv = _Venv(Path(tmp) / "venv", runner, env, installer)
        checks, wheel = _run_checks(manifest, directory, target, venv, progress)
        if wheel is not None:  # the manifest's wheel is installed: does it work?
            progress(Phase(f"checking the installed {wheel.name} works"))
            paths = [path for path, _ in wheel_record(wheel)]
            with open_wheel(wheel) as archive:
                plan = plan_imports(paths, settings or InstallSettings(), archive.read)
            checks += _works(venv, wheel, paths=paths, plan=plan, smoke=smoke, target=target)
    return InstallReport(target.name, venv.installer, tuple(checks), plan)


def _run_checks(
    manifest: Manifest, directory: Path, target: InstallTarget, venv: _Venv, progress: Progress
) -> tuple[list[Check], Path | None]:
    """The checks up to the installed files; the installed wheel, once found."""
    checks: list[Check] = []
    progress(Phase(f"creating a clean virtual environment ({venv.installer})"))
    created = venv.create()
    checks.append(Check("virtual environment", created.ok, created.tail(1) or venv.installer))
    if not created.ok:
        return checks, None
    requirements = venv.root.parent / "requirements.txt"
    requirements.write_text(_requirements(manifest.wheels, manifest))
    index_url = _with_credentials(target.simple_url, target.credentials)
    only = ["--no-deps", "--require-hashes", "--only-binary", ":all:", "-r", str(requirements)]
    if venv.uv is not None:
        only += ["--refresh-package", manifest.project]
    where = f"{manifest.project}=={manifest.version} from {target.name}"
    progress(Phase(f"installing {where} with {venv.installer}"))
    done = venv.install(only, index_url)
    checks.append(Check("install", done.ok, where if done.ok else f"{where}: {done.tail(1)}"))
    if not done.ok:
        return checks, None
    site = venv.site_packages()
    wheel = _installed_wheel(manifest, directory, site)
    checks.append(
        Check(
            "installed wheel",
            wheel is not None,
            f"{wheel.name} sha256 {wheel.sha256[:16]}... (hash-checked by {venv.installer})"
            if wheel is not None
            else "the installed files match no wheel of the manifest",
        )
    )
    if wheel is None:
        return checks, None
    record = wheel_record(directory / wheel.name)
    checks.append(_dependencies(venv, directory / wheel.name, target))
    checks.append(_files_match(record, site))
    return checks, directory / wheel.name


def _nothing_imported(plan: ImportPlan) -> str:
    if plan.mode == "none":
        return 'not imported: [tool.tagship.verify-install] import = "none"'
    if plan.excluded:
        return f"every module is excluded ({', '.join(plan.excluded)})"
    return "the wheel provides no importable module"


def _works(
    venv: _Venv,
    wheel: Path,
    *,
    paths: list[str],
    plan: ImportPlan,
    smoke: SmokeTest | None,
    target: InstallTarget,
) -> list[Check]:
    """What the plan names imports (and the smoke test passes); a wheel without modules is
    proven by the smoke test, else by its scripts."""
    installed = venv.installed()

    def smoked(test: SmokeTest) -> list[Check]:
        return run_smoke(
            installed,
            test,
            wheel,
            # where cibuildwheel installs them: `-r requirements/test.txt` names a project file
            lambda args: venv.install(args, target.dependency_index, test.base),
        )

    if not plan.imported:
        why = _nothing_imported(plan)
        if smoke is not None:
            return [
                Check("import", ok=True, detail=f"{why}: the smoke test instead"),
                *smoked(smoke),
            ]
        if plan.mode == "none":
            return [Check("import", ok=True, detail=why)]
        scripts = console_scripts(wheel, paths)
        if scripts:
            return [scripts_check(installed, scripts)]
        detail = f"{why} and no script: set [tool.tagship.verify-install] smoke"
        return [Check("import", ok=False, detail=detail)]
    if smoke is None:
        return [import_check(installed, plan)]
    if smoke.changes_environment:  # after the import: no test requirement can stand in
        return [import_check(installed, plan), *smoked(smoke)]
    # two fresh interpreters that only read the venv: side by side, one start-up is hidden
    with ThreadPoolExecutor(max_workers=2) as pool:
        imported = pool.submit(import_check, installed, plan)
        tested = pool.submit(smoked, smoke)
        return [imported.result(), *tested.result()]


def _dependencies(venv: _Venv, wheel: Path, target: InstallTarget) -> Check:
    with open_wheel(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        # only the headers: packaging.metadata is slow to import and adds nothing here
        headers = BytesHeaderParser().parsebytes(archive.read(name))
    found = split_requires(headers.get_all("Requires-Dist") or [])
    if not found.unconditional:
        return Check("dependencies", ok=True, detail=found.describe("none declared"))
    done = venv.install(list(found.unconditional), target.dependency_index)
    detail = f"{len(found.unconditional)} from {target.dependency_index}"
    if not done.ok:
        return Check("dependencies", ok=False, detail=f"{detail}: {done.tail(1)}")
    return Check("dependencies", ok=True, detail=found.describe(detail))


def _files_match(record: list[tuple[str, str]], site: Path) -> Check:
    checked = 0
    for path, expected in record:
        if path.split("/", 1)[0].endswith(".data"):
            continue  # scripts and data files move out of site-packages on install
        installed = site / path
        if not installed.is_file() or _digest(installed) != expected:
            return Check(
                "files match RECORD", ok=False, detail=f"{path} differs from the wheel's RECORD"
            )
        checked += 1
    return Check("files match RECORD", ok=True, detail=f"{checked} files")
