"""How much of a server's answer tagship reads: bytes, JSON nesting, JSON values.

Every answer is read with a cap on its bytes, and a JSON answer is measured before it is
parsed: its nesting depth, its values and its objects. Parsing costs many times the bytes
(a two-byte `{}` becomes a dict, or some thirty validation errors when a model expects one),
so the size alone does not bound memory; the counts do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MIB = 1 << 20


@dataclass(frozen=True)
class AnswerLimits:
    """The most tagship reads of one kind of answer."""

    max_bytes: int
    max_depth: int
    max_values: int
    max_objects: int

    @property
    def size(self) -> str:
        """The byte cap as written in messages (every cap is whole MiB)."""
        return f"{self.max_bytes // _MIB} MiB"


# a simple-API page of 100,000 files is about 25 MiB of JSON and 300,000 objects
INDEX_ANSWER = AnswerLimits(32 * _MIB, 32, 2_000_000, 400_000)
# a page of 100 pull requests, workflow runs or 30 releases with 160 assets each fits; a
# failed validation costs about 30 errors of 400 bytes per object, so objects are few
GITHUB_ANSWER = AnswerLimits(16 * _MIB, 32, 200_000, 10_000)
# OIDC tokens, token exchanges, provenance documents: a few KiB of flat JSON
TOKEN_ANSWER = AnswerLimits(1 * _MIB, 16, 10_000, 1_000)
PROVENANCE_ANSWER = AnswerLimits(4 * _MIB, 32, 100_000, 10_000)

# a JSON string, escapes included: what it holds is no structure
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_KEEP = frozenset(b"{}[],")
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in _KEEP)
_OPEN = frozenset(b"[{")


def json_excess(body: bytes, limits: AnswerLimits) -> str | None:
    """Why `body`, read as JSON, is beyond `limits` (`nested deeper than 32 levels`), or None.

    Measured on its structure alone (strings removed), so nothing is parsed: values are
    counted as their separators and containers, an upper bound for valid JSON; what is
    not valid JSON is left for the parser to refuse."""
    skeleton = _STRING.sub(b"", body).translate(None, _NOT_STRUCTURE)
    objects = skeleton.count(b"{")
    if objects > limits.max_objects:
        return f"it holds more than {limits.max_objects} JSON objects"
    containers = objects + skeleton.count(b"[")
    if skeleton.count(b",") + containers + 1 > limits.max_values:
        return f"it holds more than {limits.max_values} JSON values"
    depth = 0
    for byte in skeleton.translate(None, b","):
        depth += 1 if byte in _OPEN else -1
        if depth > limits.max_depth:
            return f"it is nested deeper than {limits.max_depth} levels"
    return None
