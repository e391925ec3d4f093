"""What `tagship watch` finds when a release no longer looks as the ledger recorded it.

A value only: watch produces findings, `tagship report` draws them beside the release they
concern. Kept in core so both sides depend on it and neither on the other.
"""

from __future__ import annotations

from dataclasses import dataclass

GITHUB = "github"  # `where` of a finding about the GitHub Release rather than an index


@dataclass(frozen=True)
class Drift:
    """One finding: the project and version it concerns (None: the whole project), where
    (an index name, or GITHUB), and what is wrong, in one line."""

    project: str
    version: str | None
    where: str
    message: str
