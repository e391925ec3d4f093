"""Adopt tagship on real repositories as their maintainers would, and count what releases.

Run by hand (not part of `make test`; it builds and installs real projects):

    .venv/bin/python bench/adopt.py PATH... [--report adopt.json] [--only NAME] [--all]

Each PATH is a git directory (a bare repository or a clone's `.git`) or a directory holding
them: a clone, a snapshot folder `OWNER+NAME/repo` as the `fetch` tool leaves them, or a
folder of those (`/work/.mirror`). bench/adopt_repositories.txt names the repositories to
try, the commit tried, and in a repository of several packages the one to release; those
found under the PATHs are run, one at a time (`--all`: every git directory found, at its
HEAD). A clone named without its owner (`httpx`) matches the listed `encode/httpx`.

For each: bench/adopt_flow.py's steps (clone with a bare origin, init, the stand-in indexes,
commit, the next version, dry-run, tag, release in a stand-in tag job, audit, doctor), then
bench/adopt_checks.py's checks and verdict: released untouched, needed edits, or could not
release. It prints a table, the pass rate (released untouched / tried) and the causes of
failure, most frequent first; --report writes all of it, each step's exit code, first error
line and time included, as JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tagship
from adopt_checks import EDITS, FAILED, INCOMPLETE, UNTOUCHED, judge
from adopt_flow import Options, Target, adopt, offers_disable_flag, tagship_command
from tagship.adapters.files import write_atomic

if TYPE_CHECKING:
    from collections.abc import Sequence

    from adopt_flow import Adoption

HERE = Path(__file__).resolve().parent
LIST = HERE / "adopt_repositories.txt"
COLUMNS = ("init", "dry-run", "tag", "release", "audit")
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


def _git_dir(path: Path) -> Path | None:
    for candidate in (path, path / ".git", path / "repo", path / "repo" / ".git"):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def _name(path: Path) -> str:
    """owner/name from a snapshot folder `owner+name`; local/NAME for any other clone."""
    parts = [p for p in path.resolve().parts if p not in ("repo", ".git")]
    last = parts[-1].removesuffix(".git")
    return last.replace("+", "/", 1) if "+" in last else f"local/{last}"


def discover(paths: Sequence[Path]) -> dict[str, Path]:
    """Every git directory at or directly under `paths`, by repository name."""
    found: dict[str, Path] = {}
    for path in paths:
        git = _git_dir(path)
        children = [] if git else sorted(c for c in path.iterdir() if c.is_dir())
        for where, gitdir in ((path, git), *((c, _git_dir(c)) for c in children)):
            if gitdir is not None:
                found[_name(where)] = gitdir
    return found


def read_list(path: Path) -> list[Target]:
    """`owner/name [commit] [package=NAME]` a line; `#` starts a comment."""
    targets = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        commit = next((w for w in words[1:] if _COMMIT.match(w)), None)
        package = next((w.split("=", 1)[1] for w in words[1:] if w.startswith("package=")), None)
        targets.append(Target(words[0], Path(), commit, package))
    return targets


def select(found: dict[str, Path], listed: list[Target], every: bool) -> list[Target]:
    if every:
        return [Target(name, git) for name, git in found.items()]
    short = {name.split("/", 1)[1]: git for name, git in found.items() if name.startswith("local/")}
    chosen = []
    for target in listed:
        git = found.get(target.name) or short.get(target.name.split("/")[-1])
        if git is None:
            print(f"not found under the paths given: {target.name}", file=sys.stderr)
            continue
        chosen.append(Target(target.name, git, target.commit, target.package))
    return chosen


def _relative(a: Adoption, text: str) -> str:
    """Paths in the clones as the repository's own (work/pyproject.toml), so the same cause
    reads the same in every repository."""
    return text.replace(f"{a.base}/", "")


def _result(a: Adoption, seconds: float) -> dict[str, Any]:
    verdict, cause, checks = judge(a)
    doctor = a.doctor or {}
    steps = [
        {**asdict(s), "error": _relative(a, s.error), "tail": _relative(a, s.tail)}
        for s in a.steps.done
    ]
    return {
        "repository": a.target.name,
        "commit": a.commit,
        "package": a.target.package,
        "branch": a.branch,
        "tag": a.tag,
        "verdict": verdict,
        "cause": _relative(a, cause),
        "seconds": round(seconds, 1),
        "steps": steps,
        "checks": [asdict(c) for c in checks],
        "notes": a.notes,
        "doctor": {
            "exit_code": a.doctor_exit,
            "release_critical": len(doctor.get("findings", [])),
            "advice": len(doctor.get("advice", [])),
            "old_publishers": [
                {"path": p["path"], "job": p["job"], "armed": p["armed"]}
                for p in doctor.get("old_publishers", [])
            ],
        },
    }


def _cell(result: dict[str, Any], step: str) -> str:
    codes = [s["exit_code"] for s in result["steps"] if s["name"] == step]
    return str(codes[-1]) if codes else "-"


def table(results: list[dict[str, Any]]) -> str:
    head = ("repository", "branch", *COLUMNS, "doctor", "s", "verdict", "cause")
    rows = [head]
    for r in results:
        doctor = r["doctor"]["exit_code"]
        cells = (r["repository"], r["branch"], *(_cell(r, c) for c in COLUMNS))
        tail = ("-" if doctor is None else str(doctor), f"{r['seconds']:.0f}", r["verdict"])
        rows.append((*cells, *tail, r["cause"][:90]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head) - 1)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    )


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    counts = Counter(r["verdict"] for r in results)
    causes = Counter(r["cause"][:160] for r in results if r["verdict"] != UNTOUCHED)
    total = len(results) - counts[INCOMPLETE]
    return {
        "tried": total,
        "counts": {v: counts[v] for v in (UNTOUCHED, EDITS, FAILED, INCOMPLETE)},
        "pass_rate": round(counts[UNTOUCHED] / total, 3) if total else None,
        "causes": causes.most_common(),
    }


def _tagship_commit() -> str | None:
    source = Path(tagship.__file__).resolve().parent
    done = subprocess.run(
        ["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="git directories, or folders of them")
    parser.add_argument("--repositories", type=Path, default=LIST, help="the list to try")
    parser.add_argument("--all", action="store_true", help="every git directory found")
    parser.add_argument("--only", action="append", default=[], help="only this repository")
    parser.add_argument("--report", type=Path, help="write the JSON report here")
    parser.add_argument("--workdir", type=Path, help="where to clone (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the clones and indexes")
    parser.add_argument(
        "--run-checks", action="store_true", help="run the inferred checks instead of skipping"
    )
    args = parser.parse_args(argv)
    found = discover(args.paths)
    targets = select(found, [] if args.all else read_list(args.repositories), args.all)
    targets = [t for t in targets if not args.only or t.name in args.only]
    if not targets:
        parser.error("no repository to try under the paths given")
    command = tagship_command()
    options = Options(command, offers_disable_flag(command), args.run_checks)
    base = args.workdir or Path(tempfile.mkdtemp(prefix="tagship-adopt-"))
    results = []
    for target in targets:
        print(f"{target.name} ...", end=" ", flush=True)
        start = time.monotonic()
        result = _result(adopt(target, base / target.slug, options), time.monotonic() - start)
        results.append(result)
        print(f"{result['verdict']} ({result['seconds']:.0f} s) {result['cause'][:100]}")
        if not args.keep:
            shutil.rmtree(base / target.slug, ignore_errors=True)
    if not args.keep and args.workdir is None:
        shutil.rmtree(base, ignore_errors=True)
    totals = summary(results)
    print(f"\n{table(results)}\n")
    counts = ", ".join(f"{n} {v}" for v, n in totals["counts"].items())
    print(
        f"pass rate: {totals['counts'][UNTOUCHED]}/{totals['tried']} released untouched ({counts})"
    )
    for cause, n in totals["causes"]:
        print(f"  {n}x {cause}")
    if args.report:
        report = {
            "tagship": tagship.__version__,
            "tagship_commit": _tagship_commit(),
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "disable_old_publishers_flag": options.disable_flag,
            "checks": "run locally"
            if args.run_checks
            else "taken as green (--set required-checks=[])",
            **totals,
            "repositories": results,
        }
        write_atomic(args.report, json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
