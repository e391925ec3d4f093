"""What every refusal of hostile input must look like, shared by the hostile-input corpus:
the documented exit code, exactly one `tagship: error:` line, no traceback, and nothing on
disk changed."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import CliResult

DOCUMENTED_EXIT_CODES = frozenset({1, 2, 3, 4})


def assert_refused(result: CliResult, code: int) -> str:
    """`result` is a clean refusal with exit `code`; returns its one error line."""
    assert code in DOCUMENTED_EXIT_CODES
    assert result.code == code, (result.code, result.out, result.err)
    assert "Traceback" not in result.out + result.err
    assert "internal error" not in result.err
    errors = [line for line in result.err.splitlines() if line.startswith("tagship: error:")]
    assert len(errors) == 1, result.err
    return errors[0]


def snapshot(root: Path) -> dict[str, str]:
    """Every file below `root` (outside .git) with the SHA-256 of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
