"""`tagship build` (verification and manifest included) against plain `uv build` and
`python -m build`, on the same sample project, in one run.

Run: .venv/bin/python bench/build.py [--runs N]. Each tool runs once to warm its caches,
then N timed runs into fresh output directories. Prints medians and ratios; the target is
tagship within 1.3x of plain `uv build`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET_RATIO = 1.3
PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "bench-pkg"
version = "1.0.0"
description = "A sample to time builds with"
readme = "README.md"
requires-python = ">=3.10"
"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _project(root: Path) -> Path:
    """A hatchling project of 50 small modules, committed in a git repository."""
    project = root / "project"
    package = project / "src" / "bench_pkg"
    package.mkdir(parents=True)
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "README.md").write_text("# bench-pkg\n\nA *sample*.\n")
    (project / ".gitignore").write_text("dist/\n")
    (package / "__init__.py").write_text('"""Bench."""\n')
    for number in range(50):
        (package / f"module_{number}.py").write_text(f"VALUE = {number}\n" * 20)
    _git(root, "init", "--quiet", "--initial-branch=main", str(project))
    _git(project, "add", "--all")
    _git(project, "-c", "user.name=b", "-c", "user.email=b@example.invalid", "commit", "-qm", "x")
    return project


def _commands(project: Path) -> dict[str, tuple[str, ...]]:
    # {out} is replaced by a fresh directory for every run
    return {
        "tagship build": (str(BIN / "tagship"), "-C", str(project), "build", "--out", "{out}"),
        "uv build": (
            str(BIN / "uv"),
            "build",
            "--no-progress",
            "--python",
            sys.executable,
            "--out-dir",
            "{out}",
            str(project),
        ),
        "python -m build": (sys.executable, "-m", "build", "--outdir", "{out}", str(project)),
    }


def _time(argv: tuple[str, ...], scratch: Path, runs: int) -> float:
    samples = []
    for number in range(runs + 1):  # the first run warms caches and is not counted
        out = scratch / f"out-{number}"
        start = time.perf_counter()
        done = subprocess.run(
            [a.replace("{out}", str(out)) for a in argv], capture_output=True, check=False
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"{argv[0]} failed:\n{done.stderr.decode(errors='replace')[-2000:]}")
        if number:
            samples.append(elapsed)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tagship-bench-") as tmp:
        project = _project(Path(tmp))
        medians = {}
        for label, argv in _commands(project).items():
            scratch = Path(tmp) / label.replace(" ", "-")
            medians[label] = _time(argv, scratch, args.runs)
    base = medians["uv build"]
    print(f"build of a 50-module hatchling project, median of {args.runs} runs")
    for label, seconds in medians.items():
        print(f"  {label:<16} {seconds * 1000:8.0f} ms  {seconds / base:5.2f}x uv build")
    ratio = medians["tagship build"] / base
    verdict = "ok" if ratio <= TARGET_RATIO else "SLOWER THAN TARGET"
    print(f"tagship / uv build = {ratio:.2f} (target <= {TARGET_RATIO}): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
