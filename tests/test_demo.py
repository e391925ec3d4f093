"""`tagship demo` (the README's `make demo`) runs the whole flow and exits 0."""

from __future__ import annotations

import re
import socket
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli

pytestmark = pytest.mark.integration


def test_demo_runs_every_step(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", "--workdir", str(tmp_path / "demo"))
    assert result.code == 0, result.out + result.err
    for step in (
        "2. required checks",
        "3. release notes",
        "4. bump version",
        "5. TestPyPI dry run",
        "6. tag",
        "7. release from CI",
        "8. audit",
        "ledger verify",
        "rollback plan",
        "rollback revert",
        "hotfix start",
        "setuptools sample",
    ):
        assert f"[passed] {step}" in result.out
    # the setuptools sdist cannot be rebuilt byte for byte: released from its dry run all the
    # same, without a rebuild whose verdict is known before it is built
    assert "[skipped] rebuild cross-check: not run: " in result.out
    assert "setuptools sdists ignore SOURCE_DATE_EPOCH" in result.out
    assert "[failed]" not in result.out
    assert "# tagship demo: ok" in result.out
    # the index servers it started are stopped: their ports no longer answer
    ports = re.findall(r"http://127\.0\.0\.1:(\d+)/simple/", result.out)
    assert len(set(ports)) == 2
    for port in set(ports):
        with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
            sock.connect(("127.0.0.1", int(port)))
