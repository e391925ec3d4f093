"""Counted words in messages: `1 file`, `2 files`, never `1 files`."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` and `word`, plural (`many`, else `word` + "s") unless the count is 1."""
    return f"{count} {word if count == 1 else many or word + 's'}"
