"""One release, five ways, on one sample project and local pypiservers, in one run:

(a) tagship build + publish + wait + verify-install (verified, hashed, resumable, recorded),
    tagship installed as users install it: a wheel with bytecode, in a venv of its own,
    as four commands, and (a1) as the one `tagship dry-run` flow (one process, plus its gates)
(d) the release on the tag of the version a1 dry-ran (tagged untimed): `tagship release` with
    the environment of the tag's CI job, without the rebuild cross-check and the docs links:
    gates, fetch the dry run's files from the test index and check them, verify, publish to
    production, wait, verify-install, record. It builds nothing: the files are promoted
(b) the classic: python -m build, twine check, twine upload, python -m venv, pip install
(c) the bare uv floor: uv build, uv publish, uv venv, uv pip install (it must build: it has
    no proven files to promote)

Each run releases a fresh version so nothing is skipped. Prints medians, the ratios a/b, a/c,
a1/c and d/c of the medians, and the median of each round's own ratios, which the targets are
judged on (issue 29: a/c <= 1.0, a1/c <= 0.7; d/c <= 0.6).
Run: .venv/bin/python bench/pipeline.py [--runs N]

tagship builds in its reused build environment (adapters/build/build_env.py), kept in a
cache of this run's own: the first round, not counted, creates it (as uv's first round fills
uv's cache)
and is printed apart, so the cost of a cold start is shown too.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tagship.adapters.local_index import LocalIndex, running_index
from tagship.adapters.process import run as run_process
from tagship.flows.sample import SampleIndex, create_sample
from tagship.flows.stand_ins import ci_identity

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent
TARGET = 1.0  # the four CI commands at the bare uv floor (issue 29)
DRY_RUN = 0.7  # one `tagship dry-run` against the same floor
PROMOTE = 0.6  # the release on the tag, promoting, against the floor, which builds
CHECKS = ("--set", 'required-checks=["lint"]')


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        msg = f"{' '.join(argv)} failed:\n{done.stdout[-1500:]}{done.stderr[-1500:]}"
        raise SystemExit(msg)


def _set_version(work: Path, version: str, env: dict[str, str]) -> None:
    pyproject = work / "pyproject.toml"
    text = re.sub(
        r'^version = ".*"$', f'version = "{version}"', pyproject.read_text(), flags=re.MULTILINE
    )
    pyproject.write_text(text)
    _run(["git", "commit", "--quiet", "-am", f"version {version}"], work, env)


def install_tagship(venv: Path) -> Path:
    """tagship as a user installs it (a wheel, bytecode compiled, no development tools),
    with uv beside it; returns its command."""
    uv, python = str(BIN / "uv"), venv / "bin" / "python"
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], REPO, dict(os.environ))
    install = [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python)]
    _run([*install, str(REPO), "uv"], REPO, dict(os.environ))
    return venv / "bin" / "tagship"


def tagship(command: Path, work: Path, out: Path) -> list[list[str]]:
    cli = [str(command), "-C", str(work)]
    where = ["--dir", str(out)]
    return [
        [*cli, "build", "--out", str(out)],
        [*cli, "publish", "--to", "testpypi", *where],
        [*cli, "wait", "--index", "testpypi", *where],
        [*cli, "verify-install", "--index", "testpypi", *where],
    ]


def tagship_flow(command: Path, work: Path, out: Path) -> list[list[str]]:
    cli = [str(command), "-C", str(work), *CHECKS]
    return [[*cli, "dry-run", "--checks", "local", "--dir", str(out)]]


def tag_dry_run(command: Path, work: Path) -> list[list[str]]:
    """Untimed: what the maintainer does between the dry run and the release."""
    tag = [str(command), "-C", str(work), *CHECKS, "tag", "--checks", "local"]
    return [["git", "push", "--quiet", "origin", "main"], tag]


def tagship_release(command: Path, work: Path, out: Path) -> list[list[str]]:
    cli = [str(command), "-C", str(work), "--set", "docs-files=[]"]
    return [[*cli, "release", "--no-rebuild-check", "--dir", str(out)]]


def classic(work: Path, out: Path, index: LocalIndex, name: str, version: str) -> list[list[str]]:
    venv, twine, files = out / "venv", str(BIN / "twine"), f"{out}/*.whl {out}/*.tar.gz"
    upload = f"{twine} upload --repository-url {index.upload_url} -u x -p x --disable-progress-bar"
    return [
        [sys.executable, "-m", "build", "--outdir", str(out), str(work)],
        ["sh", "-c", f"{twine} check {files}"],
        ["sh", "-c", f"{upload} {files}"],
        [sys.executable, "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", "--quiet", "--index-url", index.simple_url,
         f"{name}=={version}"],
    ]  # fmt: skip


def uv_floor(work: Path, out: Path, index: LocalIndex, name: str, version: str) -> list[list[str]]:
    uv, venv = str(BIN / "uv"), out / "venv"
    publish = f"{uv} publish --quiet --publish-url {index.upload_url} -u x -p x"
    return [
        [uv, "build", "--quiet", "--python", sys.executable, "--out-dir", str(out), str(work)],
        ["sh", "-c", f"{publish} {out}/*.whl {out}/*.tar.gz"],
        [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
        [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         "--index-url", index.simple_url, f"{name}=={version}"],
    ]  # fmt: skip


@dataclass(frozen=True)
class Bench:
    """The sample, its indexes and the tagship that releases it, for one run of the bench."""

    command: Path
    work: Path
    index: LocalIndex
    env: dict[str, str]


def way(
    bench: Bench, label: str, version: str, out: Path
) -> tuple[list[list[str]], dict[str, str]]:
    """The timed commands of one way, and their environment (d: that of the tag's job)."""
    command, work, index = bench.command, bench.work, bench.index
    if label == "a tagship":
        return tagship(command, work, out), bench.env
    if label == "a1 dry-run":
        return tagship_flow(command, work, out), bench.env
    if label == "d release":
        sha = subprocess.check_output(["git", "rev-parse", "HEAD"], cwd=work, text=True).strip()
        return tagship_release(command, work, out), ci_identity(bench.env, f"v{version}", sha)
    if label == "b classic":
        return classic(work, out, index, "demo-pkg", version), bench.env
    return uv_floor(work, out, index, "demo-pkg", version), bench.env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    # a1 dry-runs a version, d releases it from its tag: d follows a1
    times: dict[str, list[float]] = {
        "a tagship": [],
        "a1 dry-run": [],
        "d release": [],
        "b classic": [],
        "c uv floor": [],
    }
    per_step: dict[tuple[str, int], list[float]] = {}
    cold: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="tagship-bench-") as tmp,
        running_index(Path(tmp) / "index") as index,
        running_index(Path(tmp) / "production") as production,
    ):
        base = Path(tmp)
        command = install_tagship(base / "tagship-venv")
        env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        env = {k: v for k, v in env.items() if not k.startswith(("GITHUB_", "TAGSHIP_"))}
        env["TAGSHIP_CACHE_DIR"] = str(base / "tagship-cache")
        sample = create_sample(
            base / "sample",
            indexes=[
                SampleIndex("testpypi", index.upload_url, index.simple_url),
                SampleIndex("pypi", production.upload_url, production.simple_url),
            ],
            checks={"lint": "true"},
            runner=run_process,
        )
        bench = Bench(command, sample.work, index, env)
        serial, version = 0, ""
        for round_ in range(runs + 1):  # the first round warms caches and is not counted
            for label, samples in times.items():
                if label == "d release":  # the maintainer tags what a1 dry-ran (untimed)
                    for argv in tag_dry_run(command, bench.work):
                        _run(argv, bench.work, env)
                else:
                    serial += 1
                    version = f"1.0.{serial}"
                    _set_version(bench.work, version, env)
                steps, job_env = way(
                    bench, label, version, base / f"out-{serial}-{label.split()[0]}"
                )
                start = time.perf_counter()
                for number, argv in enumerate(steps):
                    begun = time.perf_counter()
                    _run(argv, bench.work, job_env)
                    if round_:
                        per_step.setdefault((label, number), []).append(time.perf_counter() - begun)
                if round_:
                    samples.append(time.perf_counter() - start)
                else:
                    cold[label] = time.perf_counter() - start
    return report(times, per_step, cold, runs)


def report(
    times: dict[str, list[float]],
    per_step: dict[tuple[str, int], list[float]],
    cold: dict[str, float],
    runs: int,
) -> int:
    """Print the medians and ratios; 0 when both targets are met."""
    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, value in medians.items():
        breakdown = " + ".join(
            f"{statistics.median(v) * 1000:.0f}"
            for (name, _), v in per_step.items()
            if name == label
        )
        print(f"{label:<11} median {value * 1000:7.0f} ms over {runs} runs ({breakdown} ms)")
    first = ", ".join(f"{label.split()[0]} {value * 1000:.0f}" for label, value in cold.items())
    print(f"first round, cold, not counted: {first} ms")
    a, a1, d, b, c = medians.values()
    print(
        f"ratios of the medians:  a/b = {a / b:.2f}   a/c = {a / c:.2f}   a1/c = {a1 / c:.2f}"
        f"   d/c = {d / c:.2f}"
    )
    # each round runs the five ways back to back, so a slow spell of a shared machine weighs
    # on all of them alike: the median of the rounds' own ratios is the steadier measure
    rounds = list(zip(*times.values(), strict=True))
    paired = {
        name: statistics.median(r[top] / r[bottom] for r in rounds)
        for name, top, bottom in (("a/b", 0, 3), ("a/c", 0, 4), ("a1/c", 1, 4), ("d/c", 2, 4))
    }
    shown = "   ".join(f"{name} = {value:.2f}" for name, value in paired.items())
    targets = {"a/c": TARGET, "a1/c": DRY_RUN, "d/c": PROMOTE}
    wanted = ", ".join(f"{name} <= {value}" for name, value in targets.items())
    print(f"median of the rounds' ratios:  {shown} (targets: {wanted})")
    return 0 if all(paired[name] <= value for name, value in targets.items()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
