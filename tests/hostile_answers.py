"""Servers' answers that would exhaust a client, and a way to run the real CLI in another
process whose peak memory (its own getrusage, from wait4) and time are measured.

The CLI runs under an address-space limit, so an attack that is not defended fails the
test with a MemoryError instead of exhausting the machine; and under a timeout, so one that
never ends fails it too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

MIB = 1 << 20
ADDRESS_SPACE = 3 << 30  # the child's limit: far above any bound asserted, far below the host's


def json_array(size: int, item: bytes = b"{}") -> bytes:
    """A JSON array of about `size` bytes holding copies of `item`."""
    count = max(1, size // (len(item) + 1))
    return b"[" + b",".join([item] * count) + b"]"


@dataclass(frozen=True)
class Measured:
    """A child's exit code, output, peak resident memory (MiB) and wall time (s)."""

    code: int
    out: str
    err: str
    peak_mib: float
    seconds: float


# A small process between the test and the CLI: a child forked from the test itself would
# count the test's own memory in its peak (ru_maxrss survives exec), one forked from this
# wrapper counts a few MiB. It reports the CLI's exit code and peak (KiB) in a file.
_WRAPPER = """
import os, resource, sys
result, limit, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
pid = os.fork()
if pid == 0:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.execv(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(result, "w") as handle:
    handle.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def run_measured(
    project: Path, argv: list[str], env: Mapping[str, str], timeout: float = 120.0
) -> Measured:
    """`tagship -C project ARGV` in a grandchild process with `env` added to this one's;
    killed (exit -9) past `timeout` seconds."""
    with tempfile.TemporaryDirectory() as scratch:
        out, err, result = (Path(scratch) / name for name in ("out", "err", "result"))
        wrap = [sys.executable, "-I", "-S", "-c", _WRAPPER, str(result), str(ADDRESS_SPACE)]
        start = time.monotonic()
        with out.open("wb") as stdout, err.open("wb") as stderr:
            wrapper = subprocess.Popen(
                [*wrap, sys.executable, "-m", "tagship", "-C", str(project), *argv],
                stdout=stdout,
                stderr=stderr,
                env={**os.environ, **env},
                start_new_session=True,  # its own group: a timeout kills the CLI too
            )
            try:
                wrapper.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(wrapper.pid, signal.SIGKILL)
                wrapper.wait()
        seconds = time.monotonic() - start
        code, peak_kib = map(int, result.read_text().split()) if result.exists() else (-9, 0)
        return Measured(
            code,
            out.read_text(errors="replace"),
            err.read_text(errors="replace"),
            peak_kib / 1024,
            seconds,
        )
