"""What a generated check job pays to install before it runs its check (issue 29, item 3):
before, every check job installed tagship's hash-locked set and then the project with pip;
now a job that does not run tagship installs only the project's own tools, with uv.

The job's install commands (as `init` writes them for the project's `--check`, default lint)
run in a fresh virtual environment standing in for setup-python's interpreter, in a fresh
clone of the project, with the uv and pip caches cold (empty) and then warm (filled by the
cold round). Needs the network (the dependency index). Run:
.venv/bin/python bench/check_job_install.py --project DIR [--check lint] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tagship.adapters.project_facts import gather_facts
from tagship.core.infer_checks import UV_INSTALL, plan_checks
from tagship.workspace import open_workspace

REPO = Path(__file__).resolve().parent.parent
UV = str(Path(sys.executable).parent / "uv")


def _lock(folder: Path) -> tuple[Path, int]:
    """tagship's locked set, as `init` locks it for the jobs (bench/install.py does the same)."""
    lock = folder / "tagship-requirements.txt"
    subprocess.run(
        [UV, "pip", "compile", str(REPO / "pyproject.toml"), "--generate-hashes", "--quiet",
         "--python", sys.executable, "--no-emit-package", "uv", "-o", str(lock)],
        check=True,
    )  # fmt: skip
    return lock, sum(1 for line in lock.read_text().splitlines() if "==" in line)


def _setups(project: Path, check: str, lock: Path) -> tuple[str, str]:
    """(before, after): the job's `Install tools` commands then and now."""
    workspace = open_workspace(project, env=dict(os.environ))
    facts = gather_facts(workspace.root, workspace.pyproject_data, workspace.inherited)
    plans = {p.name: p for p in plan_checks(workspace.config, facts)}
    after = plans[check].setup
    # what init wrote before: the same requirements with pip (a newer pip for PEP 735 groups)
    pip = after.replace(UV_INSTALL, "python -m pip install")
    if "--group" in pip:
        pip = 'python -m pip install "pip>=25.1"\n' + pip
    before = f"uv pip install --system --require-hashes --no-deps -r {lock}\n{pip}"
    return before, after


def _job(project: Path, setup: str, folder: Path, caches: Path) -> float:
    """Seconds the install commands take in a fresh clone and a fresh environment."""
    work = folder / "work"
    subprocess.run(["git", "clone", "--quiet", str(project), str(work)], check=True)
    python = folder / "python"
    subprocess.run([sys.executable, "-m", "venv", str(python)], check=True)
    env = {
        **os.environ,
        "PATH": f"{python / 'bin'}:{Path(UV).parent}:{os.environ['PATH']}",
        "UV_PYTHON": str(python / "bin" / "python"),  # as setup-uv points --system at it
        "UV_CACHE_DIR": str(caches / "uv"),
        "PIP_CACHE_DIR": str(caches / "pip"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    started = time.perf_counter()
    subprocess.run(["sh", "-ec", setup], cwd=work, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", type=Path, required=True, help="a git work tree")
    parser.add_argument("--check", default="lint")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    project = args.project.resolve()
    with tempfile.TemporaryDirectory(prefix="tagship-bench-check-job-") as tmp:
        folder = Path(tmp)
        lock, pins = _lock(folder)
        before, after = _setups(project, args.check, lock)
        times: dict[tuple[str, str], list[float]] = {}
        for n in range(args.runs):
            for label, setup in (("before", before), ("after", after)):
                caches = folder / f"caches-{label}-{n}"
                for cache in ("cold", "warm"):  # the cold round fills the warm round's cache
                    took = _job(project, setup, folder / f"{label}-{n}-{cache}", caches)
                    times.setdefault((label, cache), []).append(took)
    print(f"{project.name}, check {args.check}; tagship's lock: {pins} distributions")
    print(f"before: {before.replace(str(lock), 'LOCK')!r}")
    print(f"after:  {after!r}")
    for cache in ("cold", "warm"):
        was = statistics.median(times["before", cache])
        now = statistics.median(times["after", cache])
        print(
            f"{cache} cache: before {was:6.2f} s, after {now:6.2f} s "
            f"(median of {args.runs}; {now / was:.2f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
