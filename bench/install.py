"""What each generated workflow job pays to install tagship: the hash-locked requirements
(tagship's own dependencies, locked as `init` locks them) installed into a fresh virtual
environment with no cache, as on a new runner, by pip and by uv, side by side per round.

Target: uv <= 4 s per job. Needs the network (the dependency index). Run:
.venv/bin/python bench/install.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UV = [sys.executable, "-m", "uv"]
TARGET = 4.0


def _lock(folder: Path) -> Path:
    lock = folder / "requirements.txt"
    subprocess.run(
        [*UV, "pip", "compile", str(REPO / "pyproject.toml"), "--generate-hashes", "--quiet",
         "--python", sys.executable, "--no-emit-package", "uv", "-o", str(lock)],
        check=True,
    )  # fmt: skip
    return lock


def _timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started


def _round(folder: Path, lock: Path, n: int) -> tuple[float, float]:
    pip_venv, uv_venv = folder / f"pip{n}", folder / f"uv{n}"
    subprocess.run([sys.executable, "-m", "venv", str(pip_venv)], check=True)
    subprocess.run([*UV, "venv", "-q", str(uv_venv)], check=True)
    pip = _timed(
        [str(pip_venv / "bin/python"), "-m", "pip", "install", "-q", "--no-cache-dir",
         "--require-hashes", "--no-deps", "-r", str(lock)]
    )  # fmt: skip
    uv = _timed(
        [*UV, "pip", "install", "-q", "--no-cache", "--python", str(uv_venv / "bin/python"),
         "--require-hashes", "--no-deps", "-r", str(lock)]
    )  # fmt: skip
    return pip, uv


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tagship-bench-install-") as tmp:
        folder = Path(tmp)
        lock = _lock(folder)
        pins = sum(1 for line in lock.read_text().splitlines() if "==" in line)
        rounds = [_round(folder, lock, n) for n in range(args.runs)]
    pip = statistics.median(r[0] for r in rounds)
    uv = statistics.median(r[1] for r in rounds)
    print(f"locked requirements: {pins} distributions, hash-checked, no cache")
    print(f"pip install --require-hashes  median {pip:6.2f} s over {args.runs} runs")
    print(f"uv pip install --require-hashes median {uv:6.2f} s over {args.runs} runs")
    print(f"uv/pip = {uv / pip:.2f}   (target: uv <= {TARGET:.0f} s per job)")
    return 0 if uv <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
