"""A wheel's RECORD against its members: every member listed, with its hash and size.

Members are hashed in chunks, never read whole, and the RECORD has no more rows than the wheel
has members (each row costs a member's hashing).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from typing import TYPE_CHECKING

from tagship.adapters.archives import read_text

if TYPE_CHECKING:
    import zipfile

# RECORD hash algorithms the wheel spec allows (md5 and sha1 are forbidden)
_RECORD_ALGORITHMS = frozenset({"sha256", "sha384", "sha512", "sha3_256", "blake2b", "blake2s"})
_SIGNATURES = ("RECORD.jws", "RECORD.p7s")
_CHUNK = 1 << 20
_SIZE = re.compile(r"[0-9]{1,19}")  # ASCII digits only, and few enough for an int


def _member_digest(wheel: zipfile.ZipFile, path: str, algorithm: str) -> tuple[str, int]:
    """The RECORD form of a member's hash, and its size, read in chunks."""
    digest, size = hashlib.new(algorithm), 0
    with wheel.open(path) as member:
        while chunk := member.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode(), size


def _record_row_problem(wheel: zipfile.ZipFile, members: set[str], row: list[str]) -> str | None:
    if len(row) != 3:  # noqa: PLR2004 - path, hash, size
        return f"RECORD has a malformed row {row!r}"
    path, hashed, size = row
    if path not in members:
        return f"RECORD lists {path}, which is not in the wheel"
    algorithm, _, expected = hashed.partition("=")
    if algorithm not in _RECORD_ALGORITHMS:
        return f"RECORD has no acceptable hash for {path} ({hashed or 'none'})"
    if size and not _SIZE.fullmatch(size):
        return f"RECORD has a malformed size for {path} ({size!r})"
    actual, length = _member_digest(wheel, path, algorithm)
    if actual != expected or (size and int(size) != length):
        return f"RECORD does not match {path}: the file changed after the build"
    return None


def record_problems(wheel: zipfile.ZipFile, record: str) -> list[str]:
    """Every difference between the RECORD at `record` and the wheel's members."""
    members = {i.filename for i in wheel.infolist() if not i.is_dir()}
    try:
        text = (read_text(wheel.open(record), "RECORD") or b"").decode("utf-8")
        rows = [r for r in csv.reader(io.StringIO(text)) if r]
    except (UnicodeDecodeError, csv.Error) as exc:
        return [f"RECORD is not readable CSV text: {exc}"]
    if len(rows) > len(members):  # every row hashes a member: no more rows than members
        return [f"RECORD has {len(rows)} rows for {len(members)} members"]
    problems = [
        found
        for row in rows
        if row[0] != record and (found := _record_row_problem(wheel, members, row)) is not None
    ]
    signatures = {record.rsplit("/", 1)[0] + "/" + s for s in _SIGNATURES}
    recorded = {row[0] for row in rows}
    problems += [
        f"{m} is in the wheel but not in RECORD" for m in sorted(members - recorded - signatures)
    ]
    return problems
