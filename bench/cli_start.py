"""Start-up time of `tagship --help`, `version` and `check-tag` against `python -m build
--help` and `twine --help`, and bare Python's start for scale.

Run: .venv/bin/python bench/cli_start.py [--runs N]. Prints medians and ratios; the targets
(issue 29) are medians of at most 30 ms for `tagship --help` and 80 ms for `tagship version`
and `tagship check-tag` on a quiet machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
PROJECT = str(Path(__file__).parents[1])
_TAG = subprocess.run(
    [str(BIN / "tagship"), "-C", PROJECT, "version", "--tag"],
    capture_output=True,
    text=True,
    check=True,
).stdout.strip()
COMMANDS = {
    "tagship --help": [str(BIN / "tagship"), "--help"],
    "tagship version": [str(BIN / "tagship"), "-C", PROJECT, "version"],
    # the tag of the version this checkout holds (no tag of it need exist: it is computed)
    "tagship check-tag": [str(BIN / "tagship"), "-C", PROJECT, "check-tag", _TAG],
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -m build --help": [sys.executable, "-m", "build", "--help"],
    "twine --help": [str(BIN / "twine"), "--help"],
}
TARGETS_MS = {"tagship --help": 30.0, "tagship version": 80.0, "tagship check-tag": 80.0}


def _median_ms(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    # interleave warm-up so no command benefits from a warmer cache than another
    for argv in COMMANDS.values():
        subprocess.run(argv, capture_output=True, check=True)
    medians = {name: _median_ms(argv, runs) for name, argv in COMMANDS.items()}
    ours = medians["tagship --help"]
    for name, value in medians.items():
        print(f"{name:<24} median {value:7.1f} ms   tagship --help / this = {ours / value:5.2f}")
    missed = 0
    for name, target in TARGETS_MS.items():
        met = medians[name] <= target
        missed += not met
        verdict = "meets" if met else "MISSES"
        print(f"{name} median {medians[name]:.1f} ms {verdict} the {target:.0f} ms target")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
