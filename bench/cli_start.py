"""Start-up time of `tagship --help` against `python -m build --help` and `twine --help`.

Run: .venv/bin/python bench/cli_start.py [--runs N]. Prints medians and ratios; the
target is a median under 100 ms for tagship here.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
COMMANDS = {
    "tagship --help": [str(BIN / "tagship"), "--help"],
    "tagship version": [str(BIN / "tagship"), "-C", str(Path(__file__).parents[1]), "version"],
    "python -m build --help": [sys.executable, "-m", "build", "--help"],
    "twine --help": [str(BIN / "twine"), "--help"],
}
TARGET_MS = 100.0


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
    verdict = "meets" if ours < TARGET_MS else "MISSES"
    print(f"tagship --help median {ours:.1f} ms {verdict} the {TARGET_MS:.0f} ms target")
    return 0 if ours < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
